// The results webview: renders the runs the host sends, newest first, and sends back the user's
// requests (copy, export, cancel, run again). The host holds the history; this page only draws it.
import { el, forwardErrors } from '../page';
import { button, registerToolkit } from '../toolkit';
import type { HostMessage, RunView, WebviewRequest } from '../../contracts/results';
import { epFallback, progressLine, renderRun } from './render';

declare function acquireVsCodeApi(): { postMessage(message: WebviewRequest): void };

const vscode = acquireVsCodeApi();
const send = (request: WebviewRequest) => vscode.postMessage(request);
const runs = document.getElementById('runs')!;
const toolbar = document.getElementById('toolbar')!;
const banner = document.getElementById('ep-note')!;
/** The runs shown, newest first: the execution-provider note is the newest run's, shown once. */
let shown: RunView[] = [];

function updateBanner(): void {
  const latest = shown.find((run) => run.kind === 'image' || (run.kind === 'eval' && run.result));
  const ep = latest?.kind === 'image' ? latest.result.ep : latest?.kind === 'eval' ? latest.result?.ep : undefined;
  const note = ep && epFallback(ep);
  banner.hidden = !note;
  banner.textContent = note ? `Execution provider ${ep.ran}; not used:\n${note}` : '';
}

forwardErrors(send);

registerToolkit();
const runAgain = button('Run again', 'Repeat the last run (Ctrl+F5)', () => send({ type: 'runAgain' }));
runAgain.setAttribute('appearance', 'primary');
toolbar.append(runAgain, button('Clear history', 'Remove every result from this view', () => send({ type: 'clear' })));

function showEmpty(): void {
  if (runs.children.length > 0) return;
  runs.append(el('div', 'empty', 'No runs yet: use "ResNet: Run Inference on Image…" or the explorer menu on an image or folder.'));
}

/** Tells the host once the next frame is painted: what "command to rendered result" measures. */
function afterPaint(ids: string[]): void {
  requestAnimationFrame(() => setTimeout(() => ids.forEach((id) => send({ type: 'rendered', id })), 0));
}

function upsert(node: HTMLElement): void {
  runs.querySelector('.empty')?.remove();
  const existing = runs.querySelector(`section[data-id="${node.dataset.id}"]`);
  if (existing) {
    // A card in view that is updated (an evaluation's results, its mistakes' maps) stays where it is
    // on screen: the browser's scroll anchoring would keep the card below it still and push it up.
    const { top, bottom } = existing.getBoundingClientRect();
    existing.replaceWith(node);
    if (bottom > 0 && top < window.innerHeight) window.scrollBy(0, node.getBoundingClientRect().top - top);
  } else {
    runs.prepend(node);
    // A new run (or failure) is where the user looks: bring it into view.
    node.scrollIntoView({ block: 'start' });
  }
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'runs':
      shown = message.runs;
      updateBanner();
      runs.replaceChildren(...message.runs.map((run) => renderRun(run, send)));
      showEmpty();
      afterPaint(message.runs.map((run) => run.id));
      break;
    case 'run':
      shown = [message.run, ...shown.filter((run) => run.id !== message.run.id)];
      updateBanner();
      upsert(renderRun(message.run, send));
      afterPaint([message.run.id]);
      break;
    case 'progress': {
      const section = runs.querySelector<HTMLElement>(`section[data-id="${message.id}"]`);
      const bar = section?.querySelector('progress');
      if (bar) {
        bar.max = Math.max(1, message.total);
        bar.value = message.done;
      }
      const text = section?.querySelector('.progress-text');
      if (text) text.textContent = progressLine(message, section?.dataset.unit === 'clips' ? 'clips' : 'images');
      break;
    }
  }
});

showEmpty();
send({ type: 'ready' });
