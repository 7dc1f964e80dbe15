// Lays out the visible graph: a pure function of the graph, the direction and the row length, no DOM.
//
// A residual network is a chain with detours, so this is a layout made for that shape rather than
// a general layered one: the main path runs straight along the main axis (x for left-to-right, y
// for top-to-bottom), every group is a frame around its run of the chain, and each block's
// shortcut runs in a lane beside its main path, projection layers placed just before the add. A
// long chain wraps into rows between blocks or statements (never inside a block).
// It is linear in the number of nodes (about 1.5 ms for ResNet-152 unfolded, where elkjs's layered
// layout took 140–530 ms; see docs/preview.md) and a node keeps its place when a later part changes.

import type { Direction } from '../contracts/preview';
import { tensorLabel } from '../language/core/graph';
import { visibleNodes, type VisibleEdge, type VisibleFrame, type VisibleGraph, type VisibleItem, type VisibleNode } from './fold';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PlacedNode extends Box {
  item: VisibleNode;
}

export interface PlacedFrame extends Box {
  item: VisibleFrame;
  depth: number;
}

export interface PlacedEdge {
  edge: VisibleEdge;
  points: [number, number][];
  label: { text: string; x: number; y: number; anchor: 'middle' | 'start' };
}

export interface Layout {
  direction: Direction;
  width: number;
  height: number;
  nodes: PlacedNode[];
  frames: PlacedFrame[];
  edges: PlacedEdge[];
}

/** Sizes in CSS pixels, as x × y. The renderer draws to them. */
export const nodeSize = {
  layer: { w: 176, h: 58 },
  folded: { w: 196, h: 70 },
  shortcut: { w: 150, h: 48 },
  add: { w: 34, h: 34 },
  terminal: { w: 132, h: 40 },
} as const;

export const frameHeader = 20;
const framePad = 12;
const margin = 24;
const laneGap = 22;
/** Space between nodes along the main axis: left-to-right needs room for a shape label above the edge. */
const mainGap: Record<Direction, number> = { LR: 64, TB: 30 };
/** The zoom below which a diagram is worth wrapping to fit its pane. */
const readableScale = 0.5;
/** Between wrapped rows: the edge back to the next row's start runs (and is labelled) in it. */
const rowGap: Record<Direction, number> = { LR: 56, TB: 96 };

export function sizeOf(item: VisibleNode): { w: number; h: number } {
  if (item.type === 'folded') return nodeSize.folded;
  switch (item.node.kind) {
    case 'add':
      return nodeSize.add;
    case 'shortcut':
      return nodeSize.shortcut;
    case 'input':
    case 'output':
      return nodeSize.terminal;
    default:
      return nodeSize.layer;
  }
}

/** Placement along the main axis (m) and across it (c); the main path runs along c = 0. */
interface Span {
  m: number;
  c: number;
  mSize: number;
  cSize: number;
}

interface Extent {
  mEnd: number;
  cMin: number;
  cMax: number;
}

export interface LayoutOptions {
  /** Longest row along the main axis, in pixels: the chain wraps into rows (columns top-to-bottom). */
  wrap?: number;
}

/**
 * The row length at which the chain should wrap so that the drawing's proportions approach the
 * pane's: a ResNet-152 then fits as a block rather than a line. Infinity when the unwrapped line
 * already fits the pane at a readable size. Rows break between blocks, stages and the network's own
 * layers, never inside a block.
 */
export function wrapLength(visible: VisibleGraph, direction: Direction, pane: { width: number; height: number }): number {
  const line = layoutGraph(visible, direction);
  if (Math.min(pane.width / line.width, pane.height / line.height) >= readableScale) return Infinity;
  const lr = direction === 'LR';
  const main = lr ? line.width : line.height;
  const cross = lr ? line.height : line.width;
  const rows = Math.round(Math.sqrt((main * (lr ? pane.height : pane.width)) / ((cross + rowGap[direction]) * (lr ? pane.width : pane.height))));
  return rows >= 2 ? main / rows : Infinity;
}

export function layoutGraph(visible: VisibleGraph, direction: Direction, options: LayoutOptions = {}): Layout {
  const budget = options.wrap ?? Infinity;
  const lr = direction === 'LR';
  const gap = mainGap[direction];
  const spans = new Map<string, Span>();
  const frameSpans: { item: VisibleFrame; depth: number; span: Span }[] = [];
  /** Per add with a skip edge: the c of its shortcut lane. */
  const lanes = new Map<string, number>();
  /** For the nodes of the first item of a wrapped row: the channel the edges from the row before run in, and the row's start. */
  const breaks = new Map<string, { channel: number; m: number }>();
  // Everything placed, in order, so that a finished item can be moved as a whole.
  const spanOrder: string[] = [];
  const laneOrder: string[] = [];
  const breakOrder: string[] = [];
  const setSpan = (id: string, span: Span) => {
    spans.set(id, span);
    spanOrder.push(id);
  };
  type Mark = { spans: number; frames: number; lanes: number; breaks: number };
  const mark = (): Mark => ({ spans: spanOrder.length, frames: frameSpans.length, lanes: laneOrder.length, breaks: breakOrder.length });
  const move = (from: Mark, to: Mark, dm: number, dc: number) => {
    for (let i = from.spans; i < to.spans; i++) {
      const span = spans.get(spanOrder[i])!;
      span.m += dm;
      span.c += dc;
    }
    for (let i = from.frames; i < to.frames; i++) {
      frameSpans[i].span.m += dm;
      frameSpans[i].span.c += dc;
    }
    for (let i = from.lanes; i < to.lanes; i++) lanes.set(laneOrder[i], lanes.get(laneOrder[i])! + dc);
    for (let i = from.breaks; i < to.breaks; i++) {
      const entry = breaks.get(breakOrder[i])!;
      entry.channel += dc;
      entry.m += dm;
    }
  };

  const dims = (item: VisibleNode) => {
    const { w, h } = sizeOf(item);
    return lr ? { mSize: w, cSize: h } : { mSize: h, cSize: w };
  };
  // The frame header sits on top: across the main axis left-to-right, along it top-to-bottom.
  const pad = {
    mStart: lr ? framePad : framePad + frameHeader,
    mEnd: framePad,
    cStart: lr ? framePad + frameHeader : framePad,
    cEnd: framePad,
  };
  const skipTargets = new Set(visible.edges.filter((e) => e.kind === 'skip').map((e) => e.to));

  interface Row {
    from: Mark;
    to: Mark;
    cMin: number;
    cMax: number;
    mEnd: number;
    /** The span ids of the row's first item. */
    first: { from: number; to: number };
  }

  const placeSequence = (items: VisibleItem[], mStart: number, depth: number, rowLength: number): Extent & { rows: number } => {
    // A level with residual adds keeps its lanes beside one straight run: only other levels wrap.
    const wraps = rowLength < Infinity && !items.some((i) => i.type !== 'frame' && (i.shortcut.length > 0 || skipTargets.has(i.id)));
    const rows: Row[] = [];
    let row: Row | undefined;
    let m = mStart;
    let breakNext = false;
    const adds: VisibleNode[] = [];
    for (const item of items) {
      const before = mark();
      const start = m;
      let size: number;
      let cMin: number;
      let cMax: number;
      let multiRow = false;
      if (item.type === 'frame') {
        const inner = placeSequence(item.children, m + pad.mStart, depth + 1, wraps ? rowLength - pad.mStart - pad.mEnd : Infinity);
        const span: Span = { m, c: inner.cMin - pad.cStart, mSize: inner.mEnd - m + pad.mEnd, cSize: inner.cMax - inner.cMin + pad.cStart + pad.cEnd };
        frameSpans.push({ item, depth, span });
        size = span.mSize;
        cMin = span.c;
        cMax = span.c + span.cSize;
        multiRow = inner.rows > 1;
      } else {
        const { mSize, cSize } = dims(item);
        // Leave room before the add for its shortcut layers, in case the main path is shorter.
        const shortcutLength = item.shortcut.reduce((sum, s) => sum + dims(s).mSize + gap, 0);
        const at = shortcutLength > 0 ? Math.max(m, mStart + shortcutLength) : m;
        setSpan(item.id, { m: at, c: -cSize / 2, mSize, cSize });
        if (item.shortcut.length > 0 || skipTargets.has(item.id)) adds.push(item);
        size = at + mSize - start;
        cMin = -cSize / 2;
        cMax = cSize / 2;
      }
      const after = mark();
      if (row && wraps && (breakNext || multiRow || start + size > mStart + rowLength)) {
        // To the start of a new row; rows are stacked across the main axis once all are known.
        move(before, after, mStart - m, 0);
        row.to = before;
        row = undefined;
        m = mStart;
      }
      if (!row) {
        row = { from: before, to: after, cMin, cMax, mEnd: m + size, first: { from: before.spans, to: after.spans } };
        rows.push(row);
      } else {
        row.cMin = Math.min(row.cMin, cMin);
        row.cMax = Math.max(row.cMax, cMax);
        row.mEnd = m + size;
      }
      row.to = after;
      m += size + gap;
      breakNext = wraps && multiRow;
    }
    if (rows.length === 0) return { mEnd: mStart, cMin: 0, cMax: 0, rows: 0 };

    // Shortcut lanes run beside everything on this level's main path (such a level is one row).
    const only = rows[0];
    const mainCMax = only.cMax;
    for (const add of adds) {
      const addSpan = spans.get(add.id)!;
      const lane = mainCMax + laneGap + Math.max(0, ...add.shortcut.map((s) => dims(s).cSize / 2));
      lanes.set(add.id, lane);
      laneOrder.push(add.id);
      let sm = addSpan.m;
      for (const s of [...add.shortcut].reverse()) {
        const { mSize, cSize } = dims(s);
        sm -= gap + mSize;
        setSpan(s.id, { m: sm, c: lane - cSize / 2, mSize, cSize });
        only.cMax = Math.max(only.cMax, lane + cSize / 2);
      }
      // Room for the shape label written beside an identity lane.
      only.cMax = Math.max(only.cMax, lane + (lr ? 8 : 70));
    }
    if (adds.length > 0) only.to = mark();

    let offset = 0;
    for (let k = 1; k < rows.length; k++) {
      const previousBottom = offset + rows[k - 1].cMax;
      offset = previousBottom + rowGap[direction] - rows[k].cMin;
      move(rows[k].from, rows[k].to, 0, offset);
      const channel = previousBottom + rowGap[direction] / 2;
      for (let i = rows[k].first.from; i < rows[k].first.to; i++) {
        breaks.set(spanOrder[i], { channel, m: mStart });
        breakOrder.push(spanOrder[i]);
      }
    }
    return { mEnd: Math.max(...rows.map((r) => r.mEnd)), cMin: rows[0].cMin, cMax: offset + rows[rows.length - 1].cMax, rows: rows.length };
  };

  const extent = placeSequence(visible.items, 0, 0, budget);

  const toBox = (s: Span): Box => (lr ? { x: s.m, y: s.c, w: s.mSize, h: s.cSize } : { x: s.c, y: s.m, w: s.cSize, h: s.mSize });
  const shiftX = margin - (lr ? 0 : extent.cMin);
  const shiftY = margin - (lr ? extent.cMin : 0);
  const shift = (b: Box): Box => ({ x: b.x + shiftX, y: b.y + shiftY, w: b.w, h: b.h });
  const point = (m: number, c: number): [number, number] => (lr ? [m + shiftX, c + shiftY] : [c + shiftX, m + shiftY]);

  const nodes: PlacedNode[] = [];
  for (const item of visibleNodes(visible.items)) {
    const span = spans.get(item.id);
    if (span) nodes.push({ item, ...shift(toBox(span)) });
  }
  const frames = frameSpans.map(({ item, depth, span }) => ({ item, depth, ...shift(toBox(span)) }));

  const laneNodes = new Set(nodes.filter((n) => n.item.type === 'node' && n.item.node.kind === 'shortcut').map((n) => n.item.id));
  const edges: PlacedEdge[] = [];
  for (const edge of visible.edges) {
    const a = spans.get(edge.from);
    const b = spans.get(edge.to);
    if (!a || !b) continue;
    const mid = (s: Span) => s.m + s.mSize / 2;
    const aInLane = laneNodes.has(edge.from);
    const bInLane = laneNodes.has(edge.to);
    const wrapped = breaks.get(edge.to);
    let path: [number, number][];
    if (wrapped && b.m < a.m) {
      // From the end of one row back to the start of the next, through the channel between them.
      const back = wrapped.m - Math.min(gap / 2, pad.mStart - 2);
      const out: [number, number][] =
        edge.kind === 'flow'
          ? [
              [a.m + a.mSize, a.c + a.cSize / 2],
              [a.m + a.mSize + gap / 2, a.c + a.cSize / 2],
              [a.m + a.mSize + gap / 2, wrapped.channel],
            ]
          : [
              [mid(a), a.c + a.cSize],
              [mid(a), wrapped.channel],
            ];
      const lane = edge.kind === 'flow' ? b.c + b.cSize / 2 : (lanes.get(edge.to) ?? b.c + b.cSize / 2);
      const into: [number, number][] =
        edge.kind === 'flow' || bInLane
          ? [
              [back, lane],
              [b.m, lane],
            ]
          : [
              [back, lane],
              [mid(b), lane],
              [mid(b), b.c + b.cSize],
            ];
      path = [...out, [back, wrapped.channel], ...into];
    } else if (edge.kind === 'flow' || (aInLane && bInLane)) {
      path = [
        [a.m + a.mSize, a.c + a.cSize / 2],
        [b.m, b.c + b.cSize / 2],
      ];
    } else if (!bInLane) {
      // Into the add from its side: from the lane of the shortcut layers, or straight from the block input.
      const fromLane = aInLane;
      const lane = fromLane ? a.c + a.cSize / 2 : (lanes.get(edge.to) ?? b.c + b.cSize + laneGap);
      const start: [number, number][] = fromLane ? [[a.m + a.mSize, lane]] : [[mid(a), a.c + a.cSize], [mid(a), lane]];
      path = [...start, [mid(b), lane], [mid(b), b.c + b.cSize]];
    } else {
      // From the block input down into the first shortcut layer.
      const lane = b.c + b.cSize / 2;
      path = [
        [mid(a), a.c + a.cSize],
        [mid(a), lane],
        [b.m, lane],
      ];
    }
    edges.push({ edge, points: path.map(([m, c]) => point(m, c)), label: labelFor(path, tensorLabel(edge.shape), lr, point) });
  }

  const size = point(extent.mEnd + margin, extent.cMax + margin);
  return { direction, width: size[0], height: size[1], nodes, frames, edges };
}

/** The label sits on the longest run along the main axis: above it left-to-right, beside it top-to-bottom. */
function labelFor(path: [number, number][], text: string, lr: boolean, point: (m: number, c: number) => [number, number]): PlacedEdge['label'] {
  let best = 0;
  let bestLength = -1;
  for (let i = 0; i + 1 < path.length; i++) {
    const length = Math.abs(path[i + 1][0] - path[i][0]);
    if (length > bestLength) {
      best = i;
      bestLength = length;
    }
  }
  const [m0, c0] = path[best];
  const [m1] = path[best + 1];
  const [x, y] = point((m0 + m1) / 2, c0);
  return lr ? { text, x, y: y - 5, anchor: 'middle' } : { text, x: x + 6, y: y + 4, anchor: 'start' };
}
