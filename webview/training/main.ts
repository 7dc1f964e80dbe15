// The training webview: the form the host sends, and the runs it sends, newest first, redrawn as
// they change. The host holds the runs and does the work; this page draws and asks.
import { el, forwardErrors } from '../page';
import { registerToolkit } from '../toolkit';
import type { TrainingHostMessage, TrainingRequest } from '../../contracts/training';
import { renderForm, type FormHandle } from './form';
import { renderRun } from './run';

declare function acquireVsCodeApi(): { postMessage(message: TrainingRequest): void };

const vscode = acquireVsCodeApi();
const send = (request: TrainingRequest) => vscode.postMessage(request);
const formBox = document.getElementById('form')!;
const runs = document.getElementById('runs')!;
let form: FormHandle | undefined;
let python: { text: string; ok: boolean } | undefined;

forwardErrors(send);
formBox.addEventListener('submit', (event) => event.preventDefault());

registerToolkit();

function showEmpty(): void {
  if (runs.children.length > 0) return;
  runs.append(el('div', 'empty', 'No training runs yet.'));
}

/** Whether a run is going, from the runs drawn. */
function syncRunning(): void {
  form?.setRunning(runs.querySelector('section.run.starting, section.run.running, section.run.stopping') !== null);
}

window.addEventListener('message', (event: MessageEvent<TrainingHostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'form':
      form = renderForm(formBox, message.form, send);
      if (python) form.setPython(python.text, python.ok);
      syncRunning();
      break;
    case 'python':
      python = { text: message.text, ok: message.ok };
      form?.setPython(message.text, message.ok);
      break;
    case 'browsed':
      form?.setPath(message.field, message.path);
      break;
    case 'invalid':
      form?.setInvalid(message.message);
      break;
    case 'runs':
      runs.replaceChildren(...message.runs.map((run) => renderRun(run, send)));
      showEmpty();
      syncRunning();
      break;
    case 'run': {
      runs.querySelector('.empty')?.remove();
      const node = renderRun(message.run, send);
      const existing = runs.querySelector(`section[data-id="${message.run.id}"]`);
      if (existing) {
        // Keep the details open across redraws.
        if (existing.querySelector('details')?.open) node.querySelector('details')!.open = true;
        if ((existing as HTMLElement).dataset.header === node.dataset.header) existing.querySelector('.body')!.replaceWith(node.querySelector('.body')!);
        else existing.replaceWith(node);
      } else {
        runs.prepend(node);
      }
      syncRunning();
      if (!existing) node.scrollIntoView({ block: 'start' });
      break;
    }
  }
});

showEmpty();
send({ type: 'ready' });
