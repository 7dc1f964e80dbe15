// A webview's messages are untrusted: each panel takes only what its contract's parser accepts
// (contracts/preview.ts, results.ts, training.ts) and logs the rest.
import type * as vscode from 'vscode';

/** At most 200 characters of a value's JSON, for the log; never throws. */
export function printable(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 200);
  } catch {
    return '(unprintable)';
  }
}

/** Hands each message of the webview that `parse` accepts to `handle`; logs the others, and what `handle` fails with. */
export function receiveRequests<T extends { type: string }>(
  webview: vscode.Webview,
  view: string,
  parse: (message: unknown) => T | undefined,
  log: vscode.LogOutputChannel,
  handle: (request: T) => void | Promise<void>,
): vscode.Disposable {
  return webview.onDidReceiveMessage((message: unknown) => {
    const request = parse(message);
    if (!request) {
      log.warn(`${view}: ignored a malformed message ${printable(message)}`);
      return;
    }
    const failed = (error: unknown) => log.error(`${view}: ${request.type} failed: ${String(error)}`);
    try {
      void Promise.resolve(handle(request)).catch(failed);
    } catch (error) {
      failed(error);
    }
  });
}
