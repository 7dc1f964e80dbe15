// The network preview: a webview panel that draws the `.resnet` document in the active editor (or
// the one it was opened for) and follows it: edits (debounced), the cursor, other editors. Like the
// Markdown preview, one panel follows the active editor; it survives a restart through its serializer.

import * as vscode from 'vscode';
import type { Graph } from '../language/core/graph';
import type { Span } from '../language/core/syntax';
import type { GraphResult } from '../contracts/graph';
import { preludeScheme } from '../contracts/server';
import { parsePreviewState, parseWebviewMessage, previewViewType, type ExportFormat, type HostMessage, type PreviewState, type WebviewMessage } from '../contracts/preview';
import { dirname } from 'node:path';
import { analyze } from '../language/core/analysis';
import { layerDetails } from './preview-details';
import { pngBytes, svgBytes } from './preview-export';
import { previewHtml } from './preview-html';
import { makeNonce } from './webview-page';
import { printable, receiveRequests } from './webview-requests';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { languageServerGraphs, localGraphs, type GraphSource } from './preview-source';

export const previewCommands = {
  open: 'resnetStudio.openPreview',
  openToSide: 'resnetStudio.openPreviewToSide',
  exportSvg: 'resnetStudio.exportPreviewSvg',
  exportPng: 'resnetStudio.exportPreviewPng',
  compare: 'resnetStudio.comparePreview',
} as const;

/** Waiting after a keystroke before the diagram follows; a burst of typing costs one update. */
const editDebounceMs = 30;

/**
 * Registers the preview's commands and serializer. The graph comes from the language client's
 * `resnet/graph` request while it runs, else from the same code in the extension host.
 */
export function registerPreview(context: vscode.ExtensionContext, client: () => BaseLanguageClient | undefined): PreviewManager {
  const log = vscode.window.createOutputChannel('ResNet Studio Preview', { log: true });
  const manager = new PreviewManager(context.extensionUri, languageServerGraphs(client), log);
  context.subscriptions.push(
    log,
    manager,
    vscode.commands.registerCommand(previewCommands.open, (uri?: unknown, network?: unknown) => manager.open(vscode.ViewColumn.Active, uri, network)),
    vscode.commands.registerCommand(previewCommands.openToSide, (uri?: unknown, network?: unknown) => manager.open(vscode.ViewColumn.Beside, uri, network)),
    vscode.commands.registerCommand(previewCommands.exportSvg, () => manager.requestExport('svg')),
    vscode.commands.registerCommand(previewCommands.exportPng, () => manager.requestExport('png')),
    vscode.commands.registerCommand(previewCommands.compare, (uri?: unknown, network?: unknown) => manager.compare(toUri(uri), typeof network === 'string' ? network : undefined)),
    vscode.window.registerWebviewPanelSerializer(previewViewType, {
      deserializeWebviewPanel: (panel, state) => manager.restore(panel, state),
    }),
  );
  return manager;
}

/** A `.resnet` document worth following; the read-only prelude holds blocks only, no network to draw. */
function isResnet(document: vscode.TextDocument): boolean {
  return document.languageId === 'resnet' && document.uri.scheme !== preludeScheme;
}

export class PreviewManager implements vscode.Disposable {
  private preview: Preview | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: GraphSource,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The open preview, for tests and other features. */
  get current(): Preview | undefined {
    return this.preview;
  }

  async open(column: vscode.ViewColumn, uriArgument?: unknown, networkArgument?: unknown): Promise<Preview | undefined> {
    const uri = toUri(uriArgument) ?? vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage('Open a .resnet file to preview its network.');
      return undefined;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    const network = typeof networkArgument === 'string' ? networkArgument : undefined;
    if (this.preview) {
      this.preview.show(document, network);
      this.preview.panel.reveal(column);
      return this.preview;
    }
    const panel = vscode.window.createWebviewPanel(previewViewType, 'Preview', { viewColumn: column, preserveFocus: column === vscode.ViewColumn.Beside }, this.panelOptions());
    this.preview = this.adopt(panel, document, network, undefined);
    return this.preview;
  }

  async restore(panel: vscode.WebviewPanel, rawState: unknown): Promise<void> {
    const state = parsePreviewState(rawState);
    if (!state || this.preview) {
      if (!state) this.log.warn(`preview not restored: its saved state is not valid (${JSON.stringify(rawState)?.slice(0, 200)})`);
      panel.dispose();
      return;
    }
    try {
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(state.uri, true));
      panel.webview.options = this.panelOptions();
      this.preview = this.adopt(panel, document, state.network, state);
    } catch (error) {
      this.log.warn(`preview not restored: ${state.uri} cannot be opened (${String(error)})`);
      panel.dispose();
    }
  }

  requestExport(format: ExportFormat): void {
    if (!this.preview) {
      void vscode.window.showInformationMessage('Open the ResNet preview first.');
      return;
    }
    this.preview.requestExport(format);
  }

  /** Compares the shown network with `network` of `uri`, or one the user picks. */
  async compare(uri: vscode.Uri | undefined, network: string | undefined): Promise<void> {
    if (!this.preview) {
      void vscode.window.showInformationMessage('Open the ResNet preview first.');
      return;
    }
    await this.preview.compareWith(uri, network);
  }

  dispose(): void {
    this.preview?.panel.dispose();
  }

  private panelOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableFindWidget: false,
      // media/ for the stylesheet, dist/ for the webview bundle (tools/build.mjs writes it there).
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist')],
    };
  }

  private adopt(panel: vscode.WebviewPanel, document: vscode.TextDocument, network: string | undefined, state: PreviewState | undefined): Preview {
    const preview = new Preview(panel, this.extensionUri, this.source, this.log, document, network, state);
    panel.onDidDispose(() => {
      if (this.preview === preview) this.preview = undefined;
    });
    return preview;
  }
}

function toUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string' && value !== '') return vscode.Uri.parse(value, true);
  return undefined;
}

export class Preview {
  private document: vscode.TextDocument;
  private network: string | undefined;
  private result: GraphResult | undefined;
  /** The graph of the last result without structural errors: what the webview keeps drawing while the file is broken. */
  private lastGood: Graph | undefined;
  /** The page has loaded and said so; false again while the panel is hidden (VS Code unloads hidden webviews). */
  private ready = false;
  /** An export asked for while the page was not there to answer. */
  private pendingExport: ExportFormat | undefined;
  /** The last measured layer times and comparison, sent again when the page reloads. */
  private layerTimes: Extract<HostMessage, { type: 'layerTimes' }> | undefined;
  private comparison: Extract<HostMessage, { type: 'compare' }> | undefined;
  private pending: NodeJS.Timeout | undefined;
  private requestSerial = 0;
  private readonly disposables: vscode.Disposable[] = [];
  /** Resolves each time an update reaches the webview (tests wait on it). */
  private readonly updated = new vscode.EventEmitter<GraphResult>();
  readonly onDidUpdate = this.updated.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly source: GraphSource,
    private readonly log: vscode.LogOutputChannel,
    document: vscode.TextDocument,
    network: string | undefined,
    restored: PreviewState | undefined,
  ) {
    this.document = document;
    this.network = network ?? restored?.network;
    this.setTitle();
    panel.webview.html = this.html();
    this.disposables.push(
      this.updated,
      receiveRequests(panel.webview, 'preview', parseWebviewMessage, log, (message) => this.handle(message)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === this.document) this.schedule();
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor && isResnet(editor.document) && editor.document !== this.document) this.show(editor.document, undefined);
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor.document === this.document) this.followCursor(this.document.offsetAt(event.selections[0].active));
      }),
    );
    this.disposables.push(
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) this.ready = false;
      }),
    );
    panel.onDidDispose(() => this.dispose());
  }

  /** Asks the page for the diagram as SVG or PNG, showing the panel first if it is hidden. */
  requestExport(format: ExportFormat): void {
    if (this.ready && this.panel.visible) {
      this.post({ type: 'export', format });
      return;
    }
    this.pendingExport = format;
    this.panel.reveal(this.panel.viewColumn, true);
  }

  /** The graph last sent to the webview. */
  get lastResult(): GraphResult | undefined {
    return this.result;
  }

  get documentUri(): vscode.Uri {
    return this.document.uri;
  }

  show(document: vscode.TextDocument, network: string | undefined): void {
    const changed = document !== this.document || (network !== undefined && network !== this.network);
    if (document !== this.document) this.lastGood = undefined;
    this.document = document;
    if (network !== undefined || changed) this.network = network;
    this.setTitle();
    if (changed) void this.refresh();
  }

  post(message: HostMessage): void {
    if (message.type === 'layerTimes') this.layerTimes = message;
    if (message.type === 'compare') this.comparison = message.graph ? message : undefined;
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private setTitle(): void {
    const name = this.document.uri.path.split('/').pop() ?? 'network';
    this.panel.title = `Preview ${name}`;
  }

  private html(): string {
    const webview = this.panel.webview;
    return previewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'preview.css')).toString(),
      codiconsUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'codicons', 'codicon.css')).toString(),
      title: 'ResNet preview',
    });
  }

  private schedule(): void {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => void this.refresh(), editDebounceMs);
  }

  /** Asks for the graph of the current document and sends it on, unless a newer request overtook it. */
  async refresh(): Promise<void> {
    clearTimeout(this.pending);
    if (!this.ready) return;
    const serial = ++this.requestSerial;
    const document = this.document;
    try {
      let result = await this.source.graph(document, this.network);
      // The server may not have the document yet right after it opens.
      for (let attempt = 0; !result && attempt < 20 && serial === this.requestSerial; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        result = await this.source.graph(document, this.network);
      }
      if (serial !== this.requestSerial || !result) return;
      this.result = result;
      if (!result.broken && result.graph) this.lastGood = result.graph;
      this.post({ type: 'update', fileName: vscode.workspace.asRelativePath(document.uri), result });
      this.updated.fire(result);
    } catch (error) {
      this.log.error(`the graph of ${document.uri.toString()} could not be built: ${String(error)}`);
    }
  }

  private followCursor(offset: number): void {
    const inside = this.result?.networks.find((n) => n.range.start <= offset && offset <= n.range.end);
    if (inside && this.result?.graph && inside.name !== this.result.graph.network) {
      this.network = inside.name;
      void this.refresh().then(() => this.post({ type: 'cursor', offset }));
      return;
    }
    this.post({ type: 'cursor', offset });
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        await this.refresh();
        const editor = vscode.window.visibleTextEditors.find((e) => e.document === this.document);
        if (editor) this.post({ type: 'cursor', offset: this.document.offsetAt(editor.selection.active) });
        if (this.layerTimes) this.post(this.layerTimes);
        if (this.comparison) this.post(this.comparison);
        if (this.pendingExport) {
          this.post({ type: 'export', format: this.pendingExport });
          this.pendingExport = undefined;
        }
        return;
      }
      case 'reveal': {
        // While the file is broken the webview may show the last good graph: its ids are looked up too.
        const element = [this.result?.graph, this.lastGood]
          .map((graph) => graph?.nodes.find((n) => n.id === message.id) ?? graph?.groups.find((g) => g.id === message.id))
          .find((found) => found !== undefined);
        if (!element) {
          this.log.warn(`ignored a reveal of an unknown node: ${printable(message.id)}`);
          return;
        }
        await this.revealSpan(element.range);
        return;
      }
      case 'revealProblem': {
        const problem = this.result?.problems[message.index];
        if (!problem) {
          this.log.warn(`ignored a reveal of problem ${message.index}: there are ${this.result?.problems.length ?? 0}`);
          return;
        }
        await this.revealSpan(problem.span);
        return;
      }
      case 'selectNetwork':
        if (!this.result?.networks.some((n) => n.name === message.name)) {
          this.log.warn(`ignored a selection of an unknown network: ${printable(message.name)}`);
          return;
        }
        this.network = message.name;
        await this.refresh();
        return;
      case 'exported':
        await this.save(message.format, message.data);
        return;
      case 'details': {
        const graph = this.result?.graph ?? this.lastGood;
        const details =
          graph &&
          (await layerDetails(
            {
              text: this.document.getText(),
              folder: this.document.uri.scheme === 'file' ? dirname(this.document.uri.fsPath) : undefined,
              trusted: vscode.workspace.isTrusted,
              show: (path) => vscode.workspace.asRelativePath(path),
            },
            graph,
            message.id,
          ));
        if (!details) {
          this.log.warn(`ignored a details request for what is not a layer: ${printable(message.id)}`);
          return;
        }
        this.post({ type: 'details', id: message.id, details });
        return;
      }
      case 'pickCompare':
        await this.compareWith();
        return;
      case 'error':
        this.log.error(`preview webview: ${message.message}`);
        return;
    }
  }

  /** Sends the graph of `network` in `uri` to compare with; without them, asks for a network of any .resnet file in the workspace (or this one). */
  async compareWith(uri?: vscode.Uri, network?: string): Promise<void> {
    let target = uri && { uri, network };
    if (!target) {
      const shown = this.result?.graph?.network;
      const uris = await vscode.workspace.findFiles('**/*.resnet', '**/node_modules/**', 500);
      if (!uris.some((u) => u.toString() === this.document.uri.toString())) uris.unshift(this.document.uri);
      const items: (vscode.QuickPickItem & { uri: vscode.Uri; network: string })[] = [];
      for (const file of uris) {
        const document = file.toString() === this.document.uri.toString() ? this.document : await vscode.workspace.openTextDocument(file);
        for (const n of analyze(document.getText()).networks) {
          if (file.toString() === this.document.uri.toString() && n.name === shown) continue;
          items.push({ label: n.name, description: vscode.workspace.asRelativePath(file), uri: file, network: n.name });
        }
      }
      const picked = await vscode.window.showQuickPick(items, { title: `Compare ${shown ?? 'the network'} with…`, matchOnDescription: true });
      if (!picked) return;
      target = { uri: picked.uri, network: picked.network };
    }
    const document = await vscode.workspace.openTextDocument(target.uri);
    // Computed here: the language server may not hold that document yet.
    const result = await localGraphs().graph(document, target.network);
    const label = vscode.workspace.asRelativePath(target.uri);
    if (!result?.graph) {
      void vscode.window.showWarningMessage(`ResNet Studio: ${label} has no network${target.network ? ` ${target.network}` : ''} to compare with.`);
      return;
    }
    this.post({ type: 'compare', label, graph: result.graph });
  }

  /** The graph may be a version behind the document: positionAt clamps its offsets into the text. */
  private async revealSpan(span: Span): Promise<void> {
    const range = new vscode.Range(this.document.positionAt(span.start), this.document.positionAt(span.end));
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === this.document);
    const column = visible?.viewColumn ?? (this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
    const editor = await vscode.window.showTextDocument(this.document, { viewColumn: column, selection: range, preserveFocus: false, preview: false });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async save(format: ExportFormat, data: string): Promise<void> {
    const bytes = format === 'svg' ? svgBytes(data) : pngBytes(data);
    if (!bytes) {
      this.log.warn(`ignored an export that is not a valid ${format.toUpperCase()} (${data.length} characters)`);
      return;
    }
    const name = `${this.result?.graph?.network ?? 'network'}.${format}`;
    const folder = this.document.uri.scheme === 'file' ? vscode.Uri.joinPath(this.document.uri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      title: `Export the diagram as ${format.toUpperCase()}`,
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    this.log.info(`exported ${target.toString()} (${bytes.length} bytes)`);
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.requestSerial++;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
