// The training view: one webview panel holding the form for a network and the history of training
// runs, newest first. The host keeps the runs (the webview only draws them) and hands the webview's
// requests, once checked by parseTrainingRequest, to the controller (extension/training.ts).
import * as vscode from 'vscode';
import { makeNonce, webviewDocument } from './webview-page';
import { receiveRequests } from './webview-requests';
import { parseTrainingRequest, type FormView, type TrainingHostMessage, type TrainingRequest, type TrainingRunView } from '../contracts/training';
import { TRAINING_STYLE } from '../webview/training/style';

export class TrainingPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private form: FormView | undefined;
  private python: { text: string; ok: boolean } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly runs: () => TrainingRunView[],
    private readonly onRequest: (request: Exclude<TrainingRequest, { type: 'ready' | 'error' }>) => void,
  ) {}

  showForm(form: FormView): void {
    this.form = form;
    const panel = this.ensurePanel();
    panel.title = `Train ${form.network}`;
    panel.reveal(vscode.ViewColumn.Beside, false);
    this.post({ type: 'form', form });
  }

  showPython(text: string, ok: boolean): void {
    this.python = { text, ok };
    this.post({ type: 'python', text, ok });
  }

  post(message: TrainingHostMessage): void {
    // Before 'ready' the webview has no listener; it gets everything when it says ready.
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  get visible(): boolean {
    return this.panel !== undefined;
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private ensurePanel(): vscode.WebviewPanel {
    if (this.panel) return this.panel;
    const panel = vscode.window.createWebviewPanel(
      'resnetStudio.training',
      'ResNet Training',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')] },
    );
    panel.webview.html = this.html(panel.webview);
    receiveRequests(panel.webview, 'training view', parseTrainingRequest, this.log, (request) => {
      if (request.type === 'ready') {
        this.ready = true;
        if (this.form) this.post({ type: 'form', form: this.form });
        if (this.python) this.post({ type: 'python', ...this.python });
        this.post({ type: 'runs', runs: this.runs() });
      } else if (request.type === 'error') {
        this.log.warn(`training view: ${request.message}`);
      } else {
        this.onRequest(request);
      }
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
    });
    this.panel = panel;
    return panel;
  }

  private html(webview: vscode.Webview): string {
    const nonce = makeNonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'training.js'));
    const body = `<form id="form" autocomplete="off"></form>
<main id="runs" class="runs"></main>`;
    return webviewDocument({ cspSource: webview.cspSource, imageSchemes: [], nonce, title: 'ResNet Training', style: TRAINING_STYLE, body, scriptUri: script.toString() });
  }
}
