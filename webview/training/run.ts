// Builds the DOM of one training run: its state and actions, the live progress, loss and accuracy
// charts, the epochs as a table, and what it ran with. Text goes in through textContent only.
import { button } from '../toolkit';
import type { TrainingRequest, TrainingRunView } from '../../contracts/training';
import { el } from '../page';
import { legend, lineChart, type Series } from './chart';

type Send = (request: TrainingRequest) => void;

const percent = (value: number | undefined, digits = 2) => (value === undefined ? '' : `${(value * 100).toFixed(digits)}%`);
const fixed = (value: number | undefined, digits = 4) => (value === undefined ? '' : value.toFixed(digits));
const clock = (seconds: number) => {
  const s = Math.max(0, Math.round(seconds));
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  return `${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(s % 60).padStart(2, '0')}`;
};

const STATE_TEXT: Record<TrainingRunView['state'], string> = {
  starting: 'starting…',
  running: 'running',
  stopping: 'stopping after this step…',
  stopped: 'stopped',
  done: 'done',
  failed: 'failed',
};

export function progressLine(run: TrainingRunView): string {
  const p = run.progress;
  if (!p) return run.state === 'starting' ? 'starting Python and reading the data…' : '';
  const going = ['running', 'stopping'].includes(run.state);
  return `epoch ${p.epoch}/${run.epochs} · step ${p.step}/${p.steps} · ${Math.round(p.imagesPerSecond)} images/s · lr ${p.lr.toPrecision(3)}${going ? ` · ETA ${clock(p.etaSeconds)}` : ''}`;
}

/** The epochs the charts span: all of a finished run; else up to the end of the current epoch, so the start of a long run is not squeezed to the left. */
function chartEpochs(run: TrainingRunView): number {
  if (run.state === 'done') return run.epochs;
  const reached = Math.max(run.steps.at(-1)?.x ?? 0, run.epochRecords.at(-1)?.epoch ?? 0);
  return Math.min(run.epochs, Math.max(1, Math.ceil(reached - 1e-9)));
}

function charts(run: TrainingRunView): HTMLElement {
  const box = el('div', 'charts');
  const epochs = chartEpochs(run);
  /** `format(y, precise)`: a tick's text, or (precise) a value's. */
  type Format = (y: number, precise?: boolean) => string;
  const chart = (title: string, step: 'loss' | 'accuracy', train: 'trainLoss' | 'trainAccuracy', val: 'valLoss' | 'valAccuracy', format: Format, range?: [number, number]) => {
    const series: Series[] = [
      { kind: 'train-step', label: 'training, per step', points: run.steps.map((s) => [s.x, s[step]]) },
      { kind: 'train-epoch', label: 'training, per epoch', points: run.epochRecords.map((e) => [e.epoch, e[train]]) },
      { kind: 'val-epoch', label: 'validation', points: run.epochRecords.filter((e) => e[val] !== undefined).map((e) => [e.epoch, e[val]!]) },
    ];
    const lastStep = run.steps.at(-1)?.[step];
    const lastVal = run.epochRecords.at(-1)?.[val];
    const latest = [lastStep === undefined ? '' : `last step ${format(lastStep, true)}`, lastVal === undefined ? '' : `validation ${format(lastVal, true)}`].filter(Boolean).join(' · ');
    const figure = el('div', `chart ${step}`);
    figure.append(el('h3', undefined, latest ? `${title} · ${latest}` : title), lineChart(`${title} of ${run.network} per epoch`, series, epochs, (y) => format(y), range), legend(series));
    return figure;
  };
  box.append(
    chart('Loss', 'loss', 'trainLoss', 'valLoss', (y, precise) => y.toFixed(precise ? 4 : 2)),
    chart('Accuracy', 'accuracy', 'trainAccuracy', 'valAccuracy', (y, precise) => (precise ? percent(y) : `${Math.round(y * 100)}%`), [0, 1]),
  );
  return box;
}

function epochTable(run: TrainingRunView): HTMLElement {
  const table = el('table', 'epochs');
  const head = el('tr');
  for (const title of ['epoch', 'train loss', 'train acc', 'val loss', 'val acc', 'lr', 'seconds', 'images/s']) head.append(el('th', undefined, title));
  table.append(head);
  for (const e of run.epochRecords) {
    const row = el('tr', e.best && e.valAccuracy !== undefined ? 'best' : undefined);
    const cells = [`${e.epoch}${e.best && e.valAccuracy !== undefined ? ' ★' : ''}`, fixed(e.trainLoss), percent(e.trainAccuracy), fixed(e.valLoss), percent(e.valAccuracy), e.lr.toPrecision(3), e.seconds.toFixed(1), String(Math.round(e.imagesPerSecond))];
    for (const cell of cells) row.append(el('td', undefined, cell));
    table.append(row);
  }
  return table;
}

export function renderRun(run: TrainingRunView, send: Send): HTMLElement {
  const section = el('section', `run ${run.state}`);
  section.dataset.id = run.id;
  // What the header shows: while it stays the same, a redraw keeps the header (and a button being pressed).
  section.dataset.header = JSON.stringify([run.state, run.weightsUsed, run.log, run.device]);
  const header = el('header');
  const meta = [run.file, new Date(run.startedAt).toLocaleTimeString(), ...(run.device ? [run.device] : [])].join(' · ');
  header.append(el('h2', undefined, run.network), el('span', 'meta', meta), el('span', `state ${run.state}`, STATE_TEXT[run.state]));
  const actions = el('div', 'actions');
  if (run.state === 'starting' || run.state === 'running') {
    actions.append(button('Stop', 'Stop after the current step; the last checkpoint is kept', () => send({ type: 'stop', id: run.id })));
  }
  if ((run.state === 'done' || run.state === 'stopped') && !run.weightsUsed) {
    const use = button('Use these weights', `Write weights "${run.out}" into network ${run.network}`, () => send({ type: 'useWeights', id: run.id }));
    use.setAttribute('appearance', 'primary');
    use.classList.add('use-weights');
    actions.append(use);
  }
  if (run.log) actions.append(button('Open log', run.log, () => send({ type: 'openLog', id: run.id })));
  header.append(actions);
  const body = el('div', 'body');
  section.append(header, body);

  body.append(el('div', 'progress-line', progressLine(run)));
  if (run.progress && run.stepsPerEpoch) {
    const bar = el('progress');
    bar.max = run.epochs * run.stepsPerEpoch;
    bar.value = (run.progress.epoch - 1) * run.stepsPerEpoch + run.progress.step;
    body.append(bar);
  }
  if (run.error) body.append(el('pre', 'error', run.error));
  if (run.weightsUsed) body.append(el('div', 'used', `✓ network ${run.network} now declares weights "${run.weightsUsed}" (an unsaved edit of ${run.file})`));
  if (run.steps.length || run.epochRecords.length) body.append(charts(run));
  if (run.epochRecords.length) body.append(epochTable(run));
  const details = el('details');
  details.append(el('summary', undefined, `command and messages; weights to ${run.out}`));
  details.append(el('pre', 'command', run.command), el('pre', 'notes', run.notes.join('\n')));
  body.append(details);
  return section;
}
