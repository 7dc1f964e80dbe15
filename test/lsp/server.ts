// Starts the real language server process (from source, through tsx) and speaks JSON-RPC to it over
// stdio, as an editor would. Used by the protocol tests and the benchmark's TypeScript twin.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { serverNodeFlags } from '../../contracts/server';

export const repoRoot = join(__dirname, '../..');

export interface ServerOptions {
  /** What the client answers to workspace/configuration for `resnetStudio`. */
  settings?: unknown;
  /** Whether the client takes dynamic registrations (VS Code's does; Neovim's does not). */
  dynamicRegistration?: boolean;
  /** Whether the client serves the prelude under resnet-prelude: (VS Code's does); otherwise the server points at a file. */
  servesPrelude?: boolean;
}

export class TestServer {
  readonly connection: ProtocolConnection;
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  private readonly waiters: { uri: string; accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private versions = new Map<string, number>();
  semanticLegend: { tokenTypes: string[]; tokenModifiers: string[] } = { tokenTypes: [], tokenModifiers: [] };
  readonly stderr: string[] = [];
  /** The methods the server asked to register dynamically. */
  readonly registrations: string[] = [];

  private constructor(readonly process: ChildProcess, options: ServerOptions) {
    this.connection = createProtocolConnection(new StreamMessageReader(process.stdout!), new StreamMessageWriter(process.stdin!));
    process.stderr!.on('data', (chunk) => this.stderr.push(String(chunk)));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, [...(this.diagnostics.get(p.uri) ?? []), p]);
      for (const w of [...this.waiters]) {
        if (w.uri === p.uri && w.accept(p)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p);
        }
      }
    });
    this.connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => options.settings ?? null));
    this.connection.onRequest('client/registerCapability', (p: { registrations: { method: string }[] }) => {
      this.registrations.push(...p.registrations.map((r) => r.method));
      return null;
    });
    this.connection.onRequest('workspace/inlayHint/refresh', () => null);
    this.connection.listen();
  }

  static async start(options: ServerOptions = {}, command: string[] = ['--import', 'tsx', join(repoRoot, 'language/server/main.ts')]): Promise<TestServer> {
    const child = spawn(process.execPath, [...serverNodeFlags, ...command, '--stdio'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    const server = new TestServer(child, options);
    const initialized = await server.connection.sendRequest<{ capabilities: { semanticTokensProvider?: { legend: TestServer['semanticLegend'] } } }>('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(repoRoot).href,
      initializationOptions: { servesPrelude: options.servesPrelude ?? true },
      capabilities: { workspace: { configuration: options.settings !== undefined, didChangeConfiguration: { dynamicRegistration: options.dynamicRegistration ?? true } }, textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } } },
    });
    server.semanticLegend = initialized.capabilities.semanticTokensProvider?.legend ?? server.semanticLegend;
    await server.connection.sendNotification('initialized', {});
    return server;
  }

  open(uri: string, text: string): void {
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'resnet', version: 1, text } });
  }

  /** Replaces the whole text (or a range of it) and returns the new version. */
  change(uri: string, text: string, range?: { start: { line: number; character: number }; end: { line: number; character: number } }): number {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [range ? { range, text } : { text }] });
    return version;
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The next publishDiagnostics for `uri` that `accept` takes (by default: any), or one already received. */
  diagnosticsFor(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 20_000): Promise<PublishDiagnosticsParams> {
    const already = this.diagnostics.get(uri)?.find(accept);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; server stderr: ${this.stderr.join('')}`)), timeoutMs);
      this.waiters.push({ uri, accept, resolve: (p) => (clearTimeout(timer), resolve(p)) });
    });
  }

  forget(uri: string): void {
    this.diagnostics.delete(uri);
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      void this.connection.sendNotification('exit');
    } catch {
      // Already gone.
    }
    this.connection.dispose();
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((r) => this.process.once('exit', r));
    if (this.process.exitCode === null) setTimeout(() => this.process.kill('SIGKILL'), 3000).unref();
    await exited;
  }
}

export const fileUri = (path: string) => pathToFileURL(join(repoRoot, path)).href;
