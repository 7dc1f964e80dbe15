// The results view: one webview panel beside the editor holding the history of runs, newest first.
// The host keeps the history (the webview only renders it), answers the webview's requests after
// checking them, and tells callers when a run has been rendered.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { makeNonce, webviewDocument } from './webview-page';
import { receiveRequests } from './webview-requests';
import { resultJson } from '../contracts/inference-result';
import { parseResultsRequest, type FailureAction, type HostMessage, type RunView, type WebviewRequest } from '../contracts/results';
import { RESULTS_STYLE } from '../webview/results/style';

export interface RunRecord {
  view: RunView;
  /** The per-image CSV of a folder evaluation, once it has one. */
  csv?(): string;
  cancel?(): void;
  /** Times each layer of an image run. */
  profile?(): void;
  /** Opens the run's image (-1) or a mistake's. */
  openImage?(index: number): void;
  /** What a failure card's buttons do. */
  actions?: Partial<Record<FailureAction, () => void>>;
}

const HISTORY_LIMIT = 30;
const RENDER_TIMEOUT_MS = 10_000;

export class ResultsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private readonly records: RunRecord[] = [];
  private readonly renderWaiters = new Map<string, () => void>();
  private nextId = 1;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly onRunAgain: () => void,
  ) {}

  /** The run of that id, while the history holds it. */
  record(id: string): RunRecord | undefined {
    return this.records.find((r) => r.view.id === id);
  }

  newId(kind: RunView['kind']): string {
    return `${kind}-${this.nextId++}-${randomBytes(3).toString('hex')}`;
  }

  /** Adds or replaces a run and shows it; resolves once the webview has drawn it (or after a timeout). */
  show(record: RunRecord): Promise<void> {
    const index = this.records.findIndex((r) => r.view.id === record.view.id);
    if (index >= 0) this.records[index] = record;
    else {
      this.records.unshift(record);
      this.records.splice(HISTORY_LIMIT);
    }
    const rendered = this.waitRendered(record.view.id);
    this.reveal();
    this.post({ type: 'run', run: record.view });
    return rendered;
  }

  progress(id: string, done: number, total: number, imagesPerSecond: number): void {
    this.post({ type: 'progress', id, done, total, imagesPerSecond });
  }

  /** The panel's webview, to turn file URIs into resource URIs. */
  asWebviewUri(uri: vscode.Uri): string {
    return this.ensurePanel().webview.asWebviewUri(uri).toString();
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private waitRendered(id: string): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.renderWaiters.delete(id);
        resolve();
      }, RENDER_TIMEOUT_MS);
      this.renderWaiters.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private reveal(): void {
    const panel = this.ensurePanel();
    if (!panel.visible) panel.reveal(vscode.ViewColumn.Beside, true);
  }

  private post(message: HostMessage): void {
    // Before 'ready' the webview has no listener; it gets the whole history when it says ready.
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  private ensurePanel(): vscode.WebviewPanel {
    if (this.panel) return this.panel;
    const roots = [vscode.Uri.joinPath(this.extensionUri, 'dist'), ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri)];
    const panel = vscode.window.createWebviewPanel(
      'resnetStudio.results',
      'ResNet Results',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: roots },
    );
    panel.webview.html = this.html(panel.webview);
    receiveRequests(panel.webview, 'results view', parseResultsRequest, this.log, (request) => this.handle(request));
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
      for (const resolve of this.renderWaiters.values()) resolve();
      this.renderWaiters.clear();
    });
    this.panel = panel;
    return panel;
  }

  private async handle(request: WebviewRequest): Promise<void> {
    const record = 'id' in request ? this.records.find((r) => r.view.id === request.id) : undefined;
    switch (request.type) {
      case 'ready':
        this.ready = true;
        void this.panel?.webview.postMessage({ type: 'runs', runs: this.records.map((r) => r.view) } satisfies HostMessage);
        return;
      case 'rendered': {
        const resolve = this.renderWaiters.get(request.id);
        this.renderWaiters.delete(request.id);
        resolve?.();
        return;
      }
      case 'copyJson':
        if (!record || record.view.kind === 'failure' || !record.view.result) return;
        await vscode.env.clipboard.writeText(resultJson(record.view.result));
        void vscode.window.setStatusBarMessage('ResNet Studio: result copied as JSON', 3000);
        return;
      case 'exportCsv':
        if (record?.csv) await this.exportCsv(record.csv());
        return;
      case 'cancel':
        record?.cancel?.();
        return;
      case 'profile':
        record?.profile?.();
        return;
      case 'openImage':
        record?.openImage?.(request.index);
        return;
      case 'action':
        record?.actions?.[request.action]?.();
        return;
      case 'runAgain':
        this.onRunAgain();
        return;
      case 'clear':
        this.records.splice(0).forEach((r) => r.cancel?.());
        this.post({ type: 'runs', runs: [] });
        return;
      case 'error':
        this.log.warn(`results view: ${request.message}`);
        return;
    }
  }

  private async exportCsv(csv: string): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      filters: { CSV: ['csv'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'evaluation.csv') } : {}),
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(csv, 'utf8'));
    void vscode.window.showInformationMessage(`Saved ${vscode.workspace.asRelativePath(target)}`);
  }

  private html(webview: vscode.Webview): string {
    const nonce = makeNonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'results.js'));
    const body = `<div id="toolbar"></div>
<div id="ep-note" class="ep-note" hidden></div>
<main id="runs" class="runs"></main>`;
    return webviewDocument({ cspSource: webview.cspSource, imageSchemes: ['data:', 'blob:'], nonce, title: 'ResNet Results', style: RESULTS_STYLE, body, scriptUri: script.toString() });
  }
}
