// Cancellable work with a progress notification that appears only when the work takes longer than
// a moment, so quick runs (a warm "Run again") do not flash a notification.
import * as vscode from 'vscode';

export const PROGRESS_DELAY_MS = 300;

export interface ProgressSink {
  report(message: string, fraction?: number): void;
}

export async function withCancellableProgress<T>(
  title: string,
  task: (signal: AbortSignal, progress: ProgressSink) => Promise<T>,
  { controller = new AbortController(), delayMs = PROGRESS_DELAY_MS }: { controller?: AbortController; delayMs?: number } = {},
): Promise<T> {
  let lastMessage: string | undefined;
  let reportedFraction = 0;
  let notification: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  const sink: ProgressSink = {
    report(message, fraction) {
      lastMessage = message;
      if (!notification) return;
      const increment = fraction === undefined ? undefined : Math.max(0, fraction * 100 - reportedFraction);
      if (increment !== undefined) reportedFraction += increment;
      notification.report({ message, ...(increment !== undefined ? { increment } : {}) });
    },
  };
  const work = task(controller.signal, sink);
  const timer = setTimeout(() => {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      notification = progress;
      if (lastMessage) progress.report({ message: lastMessage });
      token.onCancellationRequested(() => controller.abort());
      return work.then(
        () => undefined,
        () => undefined,
      );
    });
  }, delayMs);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
  }
}
