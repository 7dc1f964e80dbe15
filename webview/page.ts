// What the scripts of every webview page (preview, results, training) share: building an element,
// and telling the host about an uncaught error. Text goes in through textContent only.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Sends the page's uncaught errors and unhandled rejections to the host, which logs them. */
export function forwardErrors(send: (message: { type: 'error'; message: string }) => void): void {
  window.addEventListener('error', (event) => send({ type: 'error', message: String(event.message).slice(0, 2000) }));
  window.addEventListener('unhandledrejection', (event) => send({ type: 'error', message: String(event.reason).slice(0, 2000) }));
}
