// Lays out the visible graph: a pure function of the graph and the direction, no DOM.
//
// A residual network is a chain with detours, so this is a layout made for that shape rather than
// a general layered one: the main path runs straight along the main axis (x for left-to-right, y
// for top-to-bottom), every group is a frame around its run of the chain, and each block's
// shortcut runs in a lane beside its main path, projection layers placed just before the add.
// It is linear in the number of nodes (about 1.5 ms for ResNet-152 unfolded, where elkjs's layered
// layout took 140–530 ms; see docs/preview.md) and a node keeps its place when a later part changes.

import { tensorLabel } from '../language/core/graph';
import { visibleNodes, type VisibleEdge, type VisibleFrame, type VisibleGraph, type VisibleItem, type VisibleNode } from './fold';

export type Direction = 'LR' | 'TB';

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

export function layoutGraph(visible: VisibleGraph, direction: Direction): Layout {
  const lr = direction === 'LR';
  const gap = mainGap[direction];
  const spans = new Map<string, Span>();
  const frameSpans: { item: VisibleFrame; depth: number; span: Span }[] = [];
  /** Per add with a skip edge: the c of its shortcut lane. */
  const lanes = new Map<string, number>();

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

  const placeSequence = (items: VisibleItem[], mStart: number, depth: number): Extent => {
    let m = mStart;
    let cMin = 0;
    let cMax = 0;
    const adds: VisibleNode[] = [];
    for (const item of items) {
      if (item.type === 'frame') {
        const inner = placeSequence(item.children, m + pad.mStart, depth + 1);
        const span: Span = { m, c: inner.cMin - pad.cStart, mSize: inner.mEnd - m + pad.mEnd, cSize: inner.cMax - inner.cMin + pad.cStart + pad.cEnd };
        frameSpans.push({ item, depth, span });
        cMin = Math.min(cMin, span.c);
        cMax = Math.max(cMax, span.c + span.cSize);
        m += span.mSize + gap;
        continue;
      }
      const { mSize, cSize } = dims(item);
      // Leave room before the add for its shortcut layers, in case the main path is shorter.
      const shortcutLength = item.shortcut.reduce((sum, s) => sum + dims(s).mSize + gap, 0);
      if (shortcutLength > 0) m = Math.max(m, mStart + shortcutLength);
      spans.set(item.id, { m, c: -cSize / 2, mSize, cSize });
      cMin = Math.min(cMin, -cSize / 2);
      cMax = Math.max(cMax, cSize / 2);
      if (item.shortcut.length > 0 || skipTargets.has(item.id)) adds.push(item);
      m += mSize + gap;
    }
    // Shortcut lanes run beside everything on this level's main path.
    const mainCMax = cMax;
    for (const add of adds) {
      const addSpan = spans.get(add.id)!;
      const lane = mainCMax + laneGap + Math.max(0, ...add.shortcut.map((s) => dims(s).cSize / 2));
      lanes.set(add.id, lane);
      let sm = addSpan.m;
      for (const s of [...add.shortcut].reverse()) {
        const { mSize, cSize } = dims(s);
        sm -= gap + mSize;
        spans.set(s.id, { m: sm, c: lane - cSize / 2, mSize, cSize });
        cMax = Math.max(cMax, lane + cSize / 2);
      }
      // Room for the shape label written beside an identity lane.
      cMax = Math.max(cMax, lane + (lr ? 8 : 70));
    }
    return { mEnd: Math.max(mStart, m - gap), cMin, cMax };
  };

  const extent = placeSequence(visible.items, 0, 0);

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

  const edges: PlacedEdge[] = [];
  for (const edge of visible.edges) {
    const a = spans.get(edge.from);
    const b = spans.get(edge.to);
    if (!a || !b) continue;
    const mid = (s: Span) => s.m + s.mSize / 2;
    const inLane = (s: Span) => s.c > 0;
    let path: [number, number][];
    if (edge.kind === 'flow' || (inLane(a) && inLane(b))) {
      path = [
        [a.m + a.mSize, a.c + a.cSize / 2],
        [b.m, b.c + b.cSize / 2],
      ];
    } else if (!inLane(b)) {
      // Into the add from its side: from the lane of the shortcut layers, or straight from the block input.
      const lane = inLane(a) ? a.c + a.cSize / 2 : (lanes.get(edge.to) ?? b.c + b.cSize + laneGap);
      const start: [number, number][] = inLane(a) ? [[a.m + a.mSize, lane]] : [[mid(a), a.c + a.cSize], [mid(a), lane]];
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
