// Builds the DOM of one run: an image, a folder evaluation, or a failure with its actions.
import { button as toolkitButton } from '../toolkit';
import { className, clipFramesText, countText, hasTop5, type EvaluationResult, type RunReport, type SampleUnit } from '../../contracts/inference-result';
import { formatDims } from '../../language/core/format';
import { guiText, type EvalRunView, type FailureView, type ImageRunView, type RunView, type WebviewRequest } from '../../contracts/results';
import { classMapFigure } from './class-map';
import { el } from '../page';
import { figure, ms, percent, pixelsCanvas } from './dom';
import { layerTimesSection } from './layer-table';

type Send = (request: WebviewRequest) => void;

/** Up to this many classes the view draws the confusion matrix (always dense there: see DENSE_CONFUSION_CLASSES). */
const MATRIX_CLASSES = 40;

/** The preview's toolkit button, so both views look alike. */
function button(label: string, title: string, onClick: () => void): HTMLElement {
  return toolkitButton(label, title, onClick);
}

function header(title: string, meta: string, actions: HTMLElement[]): HTMLElement {
  const h = el('header');
  h.append(el('h2', 'title', title), el('span', 'meta', meta));
  const box = el('div', 'actions');
  box.append(...actions);
  h.append(box);
  return h;
}

function facts(entries: [string, string, string?][]): HTMLElement {
  const dl = el('dl', 'facts');
  for (const [term, value, className] of entries) dl.append(el('dt', undefined, term), el('dd', className, value));
  return dl;
}

function epText(ep: RunReport['ep']): string {
  const nodes = Object.entries(ep.nodesByEp).sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${count}`).join(', ');
  return `${ep.ran} (requested ${ep.requested}${nodes ? `; nodes: ${nodes}` : ''})`;
}

/** Why a GPU EP was not used: the attempts that failed, in the editor's words; shown once, above the runs. */
export function epFallback(ep: RunReport['ep']): string | undefined {
  const failed = ep.attempts.filter((a) => !a.ok);
  return failed.length ? failed.map((a) => `${a.ep}: ${guiText(a.error ?? 'failed').replace(/^skipped: /, 'skipped, ')}`).join('\n') : undefined;
}

function picture(src: string, alt: string): HTMLImageElement {
  const img = el('img');
  img.src = src;
  img.alt = alt;
  return img;
}

/** The precision that ran, and whether it was the compiled network or an exported model. */
function precisionText(result: RunReport): string {
  if (!result.exported) return `${result.precision} (the network compiled)`;
  return `${result.precision} (exported model ${result.weights.source.split(/[\\/]/).pop()})`;
}

/** A picture that opens its file in the editor when clicked. */
function openable(media: HTMLElement, title: string, open: () => void): HTMLElement {
  media.classList.add('openable');
  media.title = title;
  media.tabIndex = 0;
  media.addEventListener('click', open);
  media.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') open();
  });
  return media;
}

/** decode + preprocess + run + session + the rest = the time from the command until the result went to the view: every part named. */
export function totalLine(run: ImageRunView): string {
  const t = run.result.results[0]!.timings;
  const s = run.result.session;
  const session = s.cached ? 0 : s.weightsMs + s.compileMs + s.sessionMs;
  const rest = Math.max(0, run.totalMs - t.decodeMs - t.preprocessMs - t.runMs - session);
  // The rest: the messages to and from the worker (its start too, on a cold run) and the view's data (class maps).
  const restName = s.cached ? 'messages and view data' : 'worker start, messages and view data';
  const parts = [`decode ${ms(t.decodeMs)}`, `preprocess ${ms(t.preprocessMs)}`, `run ${ms(t.runMs)}`, ...(s.cached ? [] : [`session ${ms(session)}`]), `${restName} ${ms(rest)}`];
  return `${parts.join(' + ')} = ${ms(run.totalMs)}`;
}

function renderImageRun(run: ImageRunView, send: Send): HTMLElement {
  const result = run.result;
  const image = result.results[0]!;
  const section = el('section', 'run image-run');
  section.dataset.id = run.id;
  const actions = [button('Copy JSON', 'Copy this result as JSON', () => send({ type: 'copyJson', id: run.id }))];
  if (image.error === undefined) actions.push(button(run.profiling ? 'Timing layers…' : 'Time layers', 'Run the image again with onnxruntime profiling and show the time of each layer', () => send({ type: 'profile', id: run.id })));
  section.append(header(image.image, `${result.network} · ${new Date(run.startedAt).toLocaleTimeString()}`, actions));
  if (image.error !== undefined) {
    section.append(el('div', 'error', image.error));
    return section;
  }
  if (result.weights.random) section.append(el('div', 'warning', 'Random weights: the scores mean nothing.'));
  const top = image.top ?? [];
  const row = el('div', 'images');
  const original = image.original ? `original ${image.original.width}×${image.original.height}` : 'original';
  if (run.imageSrc) row.append(figure(openable(picture(run.imageSrc, image.image), `Open ${image.image}`, () => send({ type: 'openImage', id: run.id, index: -1 })), original));
  if (run.seen) row.append(figure(pixelsCanvas(run.seen), `network input ${run.imageSrc ? '' : '(middle frame) '}${run.seen.width}×${run.seen.height}`));
  const probability = (index: number) => percent(top.find((t) => t.index === index)?.probability);
  if (run.seen && run.maps) row.append(classMapFigure(run.seen, run.maps, probability));
  const bars = el('div', 'bars');
  top.forEach((score, rank) => {
    const isTrue = run.trueClass?.index === score.index;
    const bar = el('div', `bar${rank === 0 ? ' top1' : ''}${isTrue ? ' true-class' : ''}`);
    const track = el('div', 'track');
    const fill = el('div', 'fill');
    fill.style.width = `${(score.probability * 100).toFixed(2)}%`;
    track.append(fill);
    bar.append(el('span', 'label', `${className(score.label, score.index)}${isTrue ? ' ✓' : ''}`), track, el('span', 'value', percent(score.probability)));
    bars.append(bar);
  });
  row.append(bars);
  section.append(row);
  if (run.mapsNote) section.append(el('div', 'note', run.mapsNote));
  const s = result.session;
  const session = s.cached ? 'warm (cached session)' : `cold: weights ${ms(s.weightsMs)}, compile ${ms(s.compileMs)}, session creation ${ms(s.sessionMs)}`;
  const truth = run.trueClass;
  const verdict = truth && top[0] ? (top[0].index === truth.index ? ' · right' : ' · wrong') : '';
  section.append(
    facts([
      ['prediction', top[0] ? `${className(top[0].label, top[0].index)} (${percent(top[0].probability)})${verdict}` : 'n/a', 'top1-label'],
      ...(truth ? [['true class', `${truth.name} (from the ${truth.from})`, 'true-label'] as [string, string, string]] : []),
      ...(image.clip
        ? ([
            ['clip', clipFramesText(image.clip), 'clip-frames'],
            ['input', `${formatDims(image.clip.input)} (C×T×H×W)`, 'clip-input'],
            ['preprocessing', image.clip.preprocess, 'preprocess'],
          ] as [string, string, string][])
        : []),
      ['execution provider', epText(result.ep), 'ep'],
      ['precision', precisionText(result), 'precision'],
      ['timings', `${totalLine(run)} from the command to the result`, 'timings'],
      ['session', session],
    ]),
  );
  if (image.profile) section.append(layerTimesSection(image, run.profileRunMs ?? image.timings.runMs));
  return section;
}

/** A box that scrolls a wide table itself, so a narrow view does not scroll sideways. */
function scrollBox(table: HTMLElement, className?: string): HTMLElement {
  const box = el('div', className ? `scroll-box ${className}` : 'scroll-box');
  box.append(table);
  return box;
}

/** A heat map of a dense confusion matrix with class names on both axes. */
function confusionTable(summary: EvaluationResult): HTMLElement {
  const table = el('table', 'confusion');
  const head = el('tr');
  const corner = el('th', 'corner', 'true ↓ · predicted →');
  head.append(corner);
  for (const c of summary.perClass) {
    const th = el('th', 'column');
    th.append(el('span', undefined, c.name));
    th.title = `predicted ${c.name} (${c.index})`;
    head.append(th);
  }
  table.append(head);
  const max = Math.max(1, ...summary.confusion.flat());
  summary.confusion.forEach((row, t) => {
    const tr = el('tr');
    tr.append(el('th', 'name row-name', summary.perClass[t]?.name ?? String(t)));
    row.forEach((count, p) => {
      const td = el('td', t === p ? 'diagonal' : count ? 'confused' : undefined, count ? String(count) : '');
      td.title = `${summary.perClass[t]?.name} taken for ${summary.perClass[p]?.name}: ${count}`;
      // The theme's chart colour at a strength that grows with the count; the text keeps the theme's foreground.
      if (count) td.style.setProperty('--strength', `${Math.round(15 + 60 * (count / max))}%`);
      tr.append(td);
    });
    table.append(tr);
  });
  return table;
}

function renderEvalRun(run: EvalRunView, send: Send): HTMLElement {
  const section = el('section', 'run eval-run');
  section.dataset.id = run.id;
  const unit: SampleUnit = run.clips ? 'clips' : 'images';
  section.dataset.unit = unit;
  const actions: HTMLElement[] = [];
  if (run.state === 'running') actions.push(button('Cancel', 'Stop this evaluation', () => send({ type: 'cancel', id: run.id })));
  const summary = run.result;
  if (summary) {
    actions.push(button('Export CSV', 'Save one row per image as CSV', () => send({ type: 'exportCsv', id: run.id })));
    actions.push(button('Copy JSON', 'Copy the figures as JSON', () => send({ type: 'copyJson', id: run.id })));
  }
  section.append(header(`Evaluation of ${run.folder}`, `${run.network} · ${new Date(run.startedAt).toLocaleTimeString()} · ${run.state}`, actions));
  const progress = el('progress');
  progress.max = Math.max(1, run.progress.total);
  progress.value = run.progress.done;
  const progressText = el('div', 'progress-text', progressLine(run.progress, unit));
  section.append(progress, progressText);
  if (run.error) section.append(el('div', 'error', run.error));
  if (!summary) return section;
  section.append(
    facts([
      ['execution provider', epText(summary.ep), 'ep'],
      ['precision', precisionText(summary), 'precision'],
      ['accuracy', `${percent(summary.accuracy)} (${summary.correct}/${summary.total})`, 'accuracy'],
      ...(hasTop5(summary) ? [['top-5', percent(summary.top5)] as [string, string]] : []),
      ['throughput', `${summary.imagesPerSecond.toFixed(1)} ${unit}/s end to end (${countText(summary.total, unit)} in ${summary.seconds.toFixed(2)} s), ${summary.runImagesPerSecond.toFixed(1)} ${unit}/s model run only`],
      ...(summary.failed.length ? [['unreadable', summary.failed.map((f) => `${f.image}: ${f.error}`).join('\n'), 'error'] as [string, string, string]] : []),
    ]),
  );
  section.append(el('h3', undefined, 'Per class'));
  const table = el('table', 'per-class');
  const head = el('tr');
  head.append(el('th', 'name', 'class'), el('th', undefined, unit), el('th', undefined, 'correct'), el('th', undefined, 'accuracy'));
  table.append(head);
  for (const c of summary.perClass) {
    const tr = el('tr');
    tr.append(el('td', 'name', `${c.index} ${c.name}`), el('td', undefined, String(c.images)), el('td', undefined, String(c.correct)), el('td', undefined, c.images ? percent(c.correct / c.images, 1) : 'n/a'));
    table.append(tr);
  }
  section.append(scrollBox(table));
  if (summary.perClass.length <= MATRIX_CLASSES) {
    section.append(el('h3', undefined, 'Confusion matrix'), scrollBox(confusionTable(summary), 'matrix'));
  }
  if (summary.mistakes.length) {
    section.append(el('h3', undefined, 'Most confident mistakes (click an image to open it)'));
    const box = el('div', 'mistakes');
    const name = (index: number) => summary.perClass[index]?.name ?? String(index);
    summary.mistakes.forEach((m, i) => {
      const card = el('div', 'mistake');
      const pictures = el('div', 'mistake-pictures');
      const src = run.mistakeSrcs?.[i];
      if (src) pictures.append(openable(picture(src, m.image), `Open ${m.image}`, () => send({ type: 'openImage', id: run.id, index: i })));
      const map = run.mistakeMaps?.[i];
      if (map) {
        const canvas = pixelsCanvas(map);
        canvas.title = `Where it looked for ${name(m.predicted)}`;
        pictures.append(canvas);
      }
      const caption = el('div', 'mistake-caption');
      caption.append(
        el('div', 'file', m.image.split('/').pop() ?? m.image),
        el('div', undefined, `true: ${name(m.target)}`),
        el('div', 'predicted', `predicted: ${name(m.predicted)} (${percent(m.confidence, 1)})`),
      );
      caption.title = m.image;
      card.append(pictures, caption);
      box.append(card);
    });
    section.append(box);
  }
  return section;
}

function renderFailure(run: FailureView, send: Send): HTMLElement {
  const section = el('section', 'run failure');
  section.dataset.id = run.id;
  section.append(header(run.title, new Date(run.startedAt).toLocaleTimeString(), []));
  section.append(el('div', 'error', run.message));
  if (run.details) section.append(el('pre', 'details', run.details));
  const actions = el('div', 'failure-actions');
  actions.append(...run.actions.map(({ action, label }) => button(label, label, () => send({ type: 'action', id: run.id, action }))));
  section.append(actions);
  return section;
}

export function progressLine(progress: EvalRunView['progress'], unit: SampleUnit): string {
  return `${progress.done}/${progress.total} ${unit} · ${progress.imagesPerSecond.toFixed(1)} ${unit}/s`;
}

export function renderRun(run: RunView, send: Send): HTMLElement {
  switch (run.kind) {
    case 'image':
      return renderImageRun(run, send);
    case 'eval':
      return renderEvalRun(run, send);
    case 'failure':
      return renderFailure(run, send);
  }
}
