// A small SVG line chart of a run's metric against epochs: per step (a thin line) and per epoch
// (points joined, training and validation). Colours come from classes (the page allows no inline styles).
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 320;
const HEIGHT = 150;
const PAD = { left: 34, right: 8, top: 8, bottom: 18 };

export interface Series {
  /** The CSS class: train-step, train-epoch, val-epoch. */
  kind: 'train-step' | 'train-epoch' | 'val-epoch';
  label: string;
  points: [number, number][];
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Round tick values covering [min, max]. */
function ticks(min: number, max: number, count: number): number[] {
  const raw = (max - min) / count || 1;
  const step = [1, 2, 2.5, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(raw))).find((s) => s >= raw)!;
  const values: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) values.push(Number(v.toPrecision(12)));
  return values;
}

/**
 * The chart: x from 0 to `epochs`, y over the points' range (or `yRange`); `format` writes a y tick.
 * `title` names it for screen readers.
 */
export function lineChart(title: string, series: Series[], epochs: number, format: (y: number) => string, yRange?: [number, number]): SVGSVGElement {
  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': title });
  const all = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  let [low, high] = yRange ?? [Math.min(...all), Math.max(...all)];
  if (!all.length) [low, high] = yRange ?? [0, 1];
  if (high - low < 1e-9) [low, high] = [low - 0.5, high + 0.5];
  const x = (v: number) => PAD.left + (v / Math.max(epochs, 1e-9)) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => HEIGHT - PAD.bottom - ((v - low) / (high - low)) * (HEIGHT - PAD.top - PAD.bottom);

  for (const value of ticks(low, high, 4)) {
    root.append(svg('line', { class: 'grid', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value) }));
    root.append(svg('text', { x: PAD.left - 3, y: y(value) + 3, 'text-anchor': 'end' }, format(value)));
  }
  for (const value of ticks(0, epochs, Math.min(epochs, 10))) {
    if (!Number.isInteger(value)) continue;
    root.append(svg('text', { x: x(value), y: HEIGHT - 5, 'text-anchor': 'middle' }, String(value)));
  }
  root.append(svg('line', { class: 'axis', x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: HEIGHT - PAD.bottom }));
  root.append(svg('line', { class: 'axis', x1: PAD.left, x2: WIDTH - PAD.right, y1: HEIGHT - PAD.bottom, y2: HEIGHT - PAD.bottom }));

  for (const s of series) {
    const points = s.points.filter((p) => Number.isFinite(p[1]));
    if (points.length > 1) {
      const d = points.map(([px, py], i) => `${i ? 'L' : 'M'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join('');
      root.append(svg('path', { class: `series ${s.kind}`, d }));
    }
    if (s.kind !== 'train-step') for (const [px, py] of points) root.append(svg('circle', { class: s.kind, cx: x(px), cy: y(py), r: 2.5 }));
  }
  return root;
}

export function legend(series: Series[]): HTMLElement {
  const box = document.createElement('div');
  box.className = 'legend';
  for (const s of series) {
    if (!s.points.length) continue;
    const item = document.createElement('span');
    const swatch = document.createElement('span');
    swatch.className = `swatch ${s.kind}`;
    item.append(swatch, s.label);
    box.append(item);
  }
  return box;
}
