// The language client: starts dist/server.js in its own Node process (IPC), restarts it if it dies
// and says so once, and hides CodeLens actions whose command is not registered yet.

import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { preludeScheme, serverNodeFlags, type InitializationOptions } from '../contracts/server';

/** More deaths than this within `crashWindowMs` and the client stops restarting the server. */
const maxRestarts = 4;
const crashWindowMs = 3 * 60 * 1000;

export function createClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: serverNodeFlags } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...serverNodeFlags, '--nolazy', '--inspect=6019'] } },
  };
  const crashes: number[] = [];
  let toldRestart = false;
  const clientOptions: LanguageClientOptions = {
    initializationOptions: { servesPrelude: true, revealsEdits: true } satisfies InitializationOptions,
    documentSelector: ['file', 'untitled', preludeScheme].map((scheme) => ({ scheme, language: 'resnet' })),
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue, handled: true }),
      closed: () => {
        const now = Date.now();
        crashes.push(now);
        while (crashes.length && now - crashes[0] > crashWindowMs) crashes.shift();
        if (crashes.length > maxRestarts) {
          void vscode.window.showErrorMessage(`The ResNet Studio language server stopped ${crashes.length} times in 3 minutes and is not restarted. Run "ResNet Studio: Restart Language Server" to try again.`);
          return { action: CloseAction.DoNotRestart, handled: true };
        }
        if (!toldRestart) {
          toldRestart = true;
          void vscode.window.showWarningMessage('The ResNet Studio language server stopped unexpectedly and was restarted.');
        }
        return { action: CloseAction.Restart, handled: true };
      },
    },
    middleware: {
      // A lens's action appears once the feature behind its command is registered; the totals lens has no command.
      async provideCodeLenses(document, token, next) {
        const lenses = await next(document, token);
        if (!lenses) return lenses;
        const available = new Set(await vscode.commands.getCommands(true));
        return lenses.filter((lens) => !lens.command?.command || available.has(lens.command.command));
      },
    },
  };
  return new LanguageClient('resnetStudio', 'ResNet Studio', serverOptions, clientOptions);
}

/** Starts the client; a server that cannot start is reported, and activation goes on (commands still work). */
export async function startClient(client: LanguageClient): Promise<void> {
  try {
    await client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(`The ResNet Studio language server could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}
