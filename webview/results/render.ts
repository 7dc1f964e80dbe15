// Builds the DOM of one run. Text goes in through textContent only; sizes and colours through the
// CSSOM (the page's CSP allows no inline style attributes).
import { button as toolkitButton } from '../toolkit';
import { className, type EvaluationResult, type RunReport } from '../../contracts/inference-result';
import type { EvalRunView, ImageRunView, RunView } from '../../contracts/results';

type Send = (request: { type: 'copyJson' | 'exportCsv' | 'cancel'; id: string }) => void;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const percent = (value: number | null | undefined, digits = 2) => (value === null || value === undefined ? 'n/a' : `${(value * 100).toFixed(digits)}%`);
const ms = (value: number) => `${value.toFixed(1)} ms`;

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

/** Why a GPU EP was not used: the attempts that failed. */
function epFallback(ep: RunReport['ep']): string | undefined {
  const failed = ep.attempts.filter((a) => !a.ok);
  return failed.length ? failed.map((a) => `${a.ep}: ${a.error ?? 'failed'}`).join('\n') : undefined;
}

/** Draws uint8 HWC pixels (1 or 3 channels) on a canvas at their own size; CSS scales it up. */
function seenCanvas(seen: NonNullable<ImageRunView['seen']>): HTMLCanvasElement {
  const canvas = el('canvas');
  canvas.width = seen.width;
  canvas.height = seen.height;
  const bytes = Uint8Array.from(atob(seen.base64), (c) => c.charCodeAt(0));
  const rgba = new ImageData(seen.width, seen.height);
  for (let p = 0; p < seen.width * seen.height; p++) {
    for (let c = 0; c < 3; c++) rgba.data[p * 4 + c] = bytes[p * seen.channels + (seen.channels === 1 ? 0 : c)]!;
    rgba.data[p * 4 + 3] = 255;
  }
  canvas.getContext('2d')?.putImageData(rgba, 0, 0);
  return canvas;
}

function figure(media: HTMLElement, caption: string): HTMLElement {
  const f = el('figure');
  f.append(media, el('figcaption', undefined, caption));
  return f;
}

function picture(src: string, alt: string): HTMLImageElement {
  const img = el('img');
  img.src = src;
  img.alt = alt;
  return img;
}

function renderImageRun(run: ImageRunView, send: Send): HTMLElement {
  const result = run.result;
  const image = result.results[0]!;
  const section = el('section', 'run image-run');
  section.dataset.id = run.id;
  section.append(header(image.image, `${result.network} · ${new Date(run.startedAt).toLocaleTimeString()}`, [button('Copy JSON', 'Copy this result as JSON', () => send({ type: 'copyJson', id: run.id }))]));
  if (image.error !== undefined) {
    section.append(el('div', 'error', image.error));
    return section;
  }
  if (result.weights.random) section.append(el('div', 'warning', 'Random weights: the scores mean nothing.'));
  const top = image.top ?? [];
  const row = el('div', 'images');
  const original = image.original ? `original ${image.original.width}×${image.original.height}` : 'original';
  if (run.imageSrc) row.append(figure(picture(run.imageSrc, image.image), original));
  if (run.seen) row.append(figure(seenCanvas(run.seen), `network input ${run.imageSrc ? '' : '(middle frame) '}${run.seen.width}×${run.seen.height}`));
  const bars = el('div', 'bars');
  top.forEach((score, rank) => {
    const bar = el('div', rank === 0 ? 'bar top1' : 'bar');
    const track = el('div', 'track');
    const fill = el('div', 'fill');
    fill.style.width = `${(score.probability * 100).toFixed(2)}%`;
    track.append(fill);
    bar.append(el('span', 'label', className(score.label, score.index)), track, el('span', 'value', percent(score.probability)));
    bars.append(bar);
  });
  row.append(bars);
  section.append(row);
  const t = image.timings;
  const s = result.session;
  const session = s.cached ? 'warm (cached session)' : `cold: weights ${ms(s.weightsMs)}, compile ${ms(s.compileMs)}, session creation ${ms(s.sessionMs)}`;
  const fallback = epFallback(result.ep);
  section.append(
    facts([
      ['prediction', top[0] ? `${className(top[0].label, top[0].index)} (${percent(top[0].probability)})` : 'n/a', 'top1-label'],
      ['execution provider', epText(result.ep), 'ep'],
      ...(fallback ? [['not used', fallback, 'warning'] as [string, string, string]] : []),
      ['timings', `decode ${ms(t.decodeMs)} · preprocess ${ms(t.preprocessMs)} · run ${ms(t.runMs)} · total ${ms(run.totalMs)}`],
      ['session', session],
    ]),
  );
  return section;
}

/** A heat map of a dense confusion matrix (an evaluation of up to MATRIX_CLASSES classes). */
function confusionTable(summary: EvaluationResult): HTMLElement {
  const table = el('table', 'confusion');
  const head = el('tr');
  head.append(el('th', 'name', 'true \\ predicted'), ...summary.perClass.map((c) => el('th', undefined, String(c.index))));
  table.append(head);
  const max = Math.max(1, ...summary.confusion.flat());
  summary.confusion.forEach((row, t) => {
    const tr = el('tr');
    tr.append(el('td', 'name', `${t} ${summary.perClass[t]?.name ?? ''}`));
    row.forEach((count, p) => {
      const td = el('td', t === p ? 'diagonal' : undefined, count ? String(count) : '');
      td.title = `${summary.perClass[t]?.name} taken for ${summary.perClass[p]?.name}: ${count}`;
      const alpha = count / max;
      td.style.background = `rgba(${t === p ? '55, 148, 255' : '241, 76, 76'}, ${(0.08 + 0.8 * alpha).toFixed(3)})`;
      tr.append(td);
    });
    table.append(tr);
  });
  return table;
}

function renderEvalRun(run: EvalRunView, send: Send): HTMLElement {
  const section = el('section', 'run eval-run');
  section.dataset.id = run.id;
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
  const progressText = el('div', 'progress-text', progressLine(run.progress));
  section.append(progress, progressText);
  if (run.error) section.append(el('div', 'error', run.error));
  if (!summary) return section;
  const fallback = epFallback(summary.ep);
  section.append(
    facts([
      ['execution provider', epText(summary.ep), 'ep'],
      ...(fallback ? [['not used', fallback, 'warning'] as [string, string, string]] : []),
      ['accuracy', `${percent(summary.accuracy)} (${summary.correct}/${summary.total})`, 'accuracy'],
      ['top-5', percent(summary.top5)],
      ['throughput', `${summary.imagesPerSecond.toFixed(1)} images/s end to end (${summary.total} images in ${summary.seconds.toFixed(2)} s), ${summary.runImagesPerSecond.toFixed(1)} images/s model run only`],
      ...(summary.failed.length ? [['unreadable', summary.failed.map((f) => `${f.image}: ${f.error}`).join('\n'), 'error'] as [string, string, string]] : []),
    ]),
  );
  section.append(el('h3', undefined, 'Per class'));
  const table = el('table', 'per-class');
  const head = el('tr');
  head.append(el('th', 'name', 'class'), el('th', undefined, 'images'), el('th', undefined, 'correct'), el('th', undefined, 'accuracy'));
  table.append(head);
  for (const c of summary.perClass) {
    const tr = el('tr');
    tr.append(el('td', 'name', `${c.index} ${c.name}`), el('td', undefined, String(c.images)), el('td', undefined, String(c.correct)), el('td', undefined, c.images ? percent(c.correct / c.images, 1) : 'n/a'));
    table.append(tr);
  }
  section.append(table);
  if (summary.perClass.length <= MATRIX_CLASSES) {
    section.append(el('h3', undefined, 'Confusion matrix (rows: true class, columns: predicted)'), confusionTable(summary));
  }
  if (summary.mistakes.length) {
    section.append(el('h3', undefined, 'Most confident mistakes'));
    const box = el('div', 'mistakes');
    const name = (index: number) => summary.perClass[index]?.name ?? String(index);
    summary.mistakes.forEach((m, i) => {
      box.append(figure(picture(run.mistakeSrcs?.[i] ?? '', m.image), `${name(m.target)} → ${name(m.predicted)} (${percent(m.confidence, 1)})`));
    });
    section.append(box);
  }
  return section;
}

export function progressLine(progress: EvalRunView['progress']): string {
  return `${progress.done}/${progress.total} images · ${progress.imagesPerSecond.toFixed(1)} images/s`;
}

export function renderRun(run: RunView, send: Send): HTMLElement {
  return run.kind === 'image' ? renderImageRun(run, send) : renderEvalRun(run, send);
}
