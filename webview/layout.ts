// Lays out the visible graph: a pure function of the graph and the direction, no DOM.
//
// A layered layout of a directed acyclic graph with nested frames, top to bottom (or left to right)
// as Netron draws networks. Each open group is laid out on its own and then placed as one box in
// its parent. Within a level, items take columns: an item continues the column of a predecessor it
// follows directly, otherwise (a branch) it opens a new column to the right, so siblings stand in
// execution order and branches side by side. Along the main axis an item starts below its
// predecessors (longest path); items off the main column sink to just above their successors, which
// puts a projection shortcut beside the end of its block. An edge that skips items of a column runs
// in a lane to the right of every column of its level; a skip edge into a block starts at the
// block's input fork, just under its header, so it never crosses a node or a header.
//
// It is linear in the number of nodes and edges (a few ms for ResNet-152 unfolded), deterministic,
// and a node keeps its place when something after it changes. Dagre's layered layout took 350 ms –
// 2.8 s on the same graph (see docs/preview.md), over the preview's budget.

import { macsText } from '../language/core/format';
import type { Direction } from '../contracts/preview';
import { tensorLabel } from '../language/core/graph';
import { visibleNodes, type VisibleEdge, type VisibleFrame, type VisibleGraph, type VisibleItem, type VisibleNode } from './fold';
import { compactCount, groupName, labelCharWidth, nodeSize } from './node-text';

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
  /** Its header band, where its title is drawn (over the edges that enter it). */
  header: Box;
}

export interface PlacedEdge {
  edge: VisibleEdge;
  points: [number, number][];
  label: { text: string; x: number; y: number; anchor: 'middle' | 'start'; box: Box };
  /** Where a skip edge leaves the main path: the block's input fork (its first point). */
  fork?: boolean;
}

export interface Layout {
  direction: Direction;
  width: number;
  height: number;
  nodes: PlacedNode[];
  frames: PlacedFrame[];
  edges: PlacedEdge[];
}

export const frameHeader = 22;
const framePad = 14;
/** How far under its frame's header a fork sits (nodes start at framePad). */
const forkInset = 6;
const margin = 24;
/** Between columns, and from the last column to the first lane. */
const columnGap = 28;
/** Room right of a vertical edge for its label, top to bottom. */
const labelRoom = 84;
/** Between nodes along the main axis: top to bottom an edge label sits beside the edge, left to right above it. */
const mainGap: Record<Direction, number> = { TB: 34, LR: 70 };
const labelHeight = 12;
/** How far below its frame's fork a branch starting there begins, top to bottom: room for its edge's label. */
const forkDrop = 22;

const labelWidth = (edge: VisibleEdge) => tensorLabel(edge.shape).length * labelCharWidth;

/** Placement along the main axis (m) and across it (c). */
interface Span {
  m: number;
  c: number;
  mSize: number;
  cSize: number;
}

/** One item of a level: a node, or an open group (a frame) laid out on its own. */
interface Entry {
  id: string;
  node?: VisibleNode;
  frame?: LevelLayout;
  mSize: number;
  cSize: number;
  /** Distance from its c start to its main line (where edges enter and leave it). */
  anchor: number;
  column: number;
  m: number;
  c: number;
}

interface LevelLayout {
  item?: VisibleFrame;
  depth: number;
  entries: Entry[];
  index: Map<string, number>;
  /** Lanes of this level's skip edges, as c offsets (level coordinates). */
  lanes: Map<string, number>;
  /** Of a level's own content, before the frame's padding. */
  mSize: number;
  cSize: number;
  anchor: number;
}

export function layoutGraph(visible: VisibleGraph, direction: Direction): Layout {
  const lr = direction === 'LR';
  const gap = mainGap[direction];
  // The header is across the top: along the main axis top to bottom, across it left to right.
  const pad = { mStart: lr ? framePad : framePad + frameHeader, mEnd: framePad, cStart: lr ? framePad + frameHeader : framePad, cEnd: framePad };
  const dims = (item: VisibleNode) => {
    const { w, h } = nodeSize(item);
    return lr ? { mSize: w, cSize: h } : { mSize: h, cSize: w };
  };

  const fanOut = new Map<string, number>();
  const fanIn = new Map<string, number>();
  for (const edge of visible.edges) {
    fanOut.set(edge.from, (fanOut.get(edge.from) ?? 0) + 1);
    fanIn.set(edge.to, (fanIn.get(edge.to) ?? 0) + 1);
  }
  /** Edges fanning out of one node share their first run; each is labelled on its last, its own. */
  const labelAtEnd = (edge: VisibleEdge) => (fanOut.get(edge.from) ?? 0) > 1 && (fanIn.get(edge.to) ?? 0) === 1;
  /** Left to right, where a fanning-out edge turns off the shared run (right after its source). */
  const fanTurn = 10;

  // The open groups around each node, outermost first; an edge belongs to the level of the innermost group holding both ends.
  const path = new Map<string, string[]>();
  const walk = (items: VisibleItem[], chain: string[]) => {
    for (const item of items) {
      if (item.type === 'frame') walk(item.children, [...chain, item.id]);
      else for (const node of [...item.shortcut, item]) path.set(node.id, chain);
    }
  };
  walk(visible.items, []);
  const levelKey = (chain: string[], k: number) => (k === 0 ? '' : chain[k - 1]);
  interface LevelEdge {
    edge: VisibleEdge;
    from: string;
    to: string;
  }
  const levelEdges = new Map<string, LevelEdge[]>();
  /** Per level: edges from outside it into it, by the entry they reach. */
  const entering = new Map<string, Map<string, VisibleEdge[]>>();
  for (const edge of visible.edges) {
    const a = path.get(edge.from);
    const b = path.get(edge.to);
    if (!a || !b) continue;
    let k = 0;
    while (k < a.length && k < b.length && a[k] === b[k]) k++;
    const from = a[k] ?? edge.from;
    const to = b[k] ?? edge.to;
    const key = levelKey(a, k);
    const list = levelEdges.get(key) ?? [];
    list.push({ edge, from, to });
    levelEdges.set(key, list);
    for (let j = k; j < b.length; j++) {
      const inner = b[j];
      const target = b[j + 1] ?? edge.to;
      const byEntry = entering.get(inner) ?? new Map<string, VisibleEdge[]>();
      byEntry.set(target, [...(byEntry.get(target) ?? []), edge]);
      entering.set(inner, byEntry);
    }
  }

  const layoutLevel = (items: VisibleItem[], frame: VisibleFrame | undefined, depth: number): LevelLayout => {
    const entries: Entry[] = [];
    for (const item of items) {
      if (item.type === 'frame') {
        const inner = layoutLevel(item.children, item, depth + 1);
        entries.push({
          id: item.id,
          frame: inner,
          mSize: inner.mSize + pad.mStart + pad.mEnd,
          cSize: inner.cSize + pad.cStart + pad.cEnd,
          anchor: inner.anchor + pad.cStart,
          column: 0,
          m: 0,
          c: 0,
        });
      } else {
        for (const node of [...item.shortcut, item]) {
          const { mSize, cSize } = dims(node);
          entries.push({ id: node.id, node, mSize, cSize, anchor: cSize / 2, column: 0, m: 0, c: 0 });
        }
      }
    }
    const index = new Map(entries.map((e, i) => [e.id, i]));
    const key = frame?.id ?? '';
    const edges = (levelEdges.get(key) ?? []).filter((e) => index.has(e.from) && index.has(e.to) && e.from !== e.to);
    const preds = entries.map(() => [] as number[]);
    const succs = entries.map(() => [] as number[]);
    // Flow edges first: a node continues the column of its main input.
    for (const e of [...edges.filter((x) => x.edge.kind === 'flow'), ...edges.filter((x) => x.edge.kind !== 'flow')]) {
      const i = index.get(e.from)!;
      const j = index.get(e.to)!;
      if (i >= j || preds[j].includes(i)) continue;
      preds[j].push(i);
      succs[i].push(j);
    }

    // Columns.
    const tail: number[] = [];
    const claimed = new Set<number>();
    /** Per entry: the entry just above it in its column. */
    const above = entries.map(() => -1);
    let columns = 0;
    entries.forEach((entry, j) => {
      const p = preds[j].find((i) => tail[entries[i].column] === i && !claimed.has(i));
      if (p !== undefined) {
        claimed.add(p);
        entry.column = entries[p].column;
        above[j] = p;
      } else entry.column = columns++;
      tail[entry.column] = j;
    });

    // Along the main axis: below every predecessor (longest path), far enough for the label of the edge between…
    const gapAfter = new Map<string, number>();
    for (const e of edges) gapAfter.set(`${index.get(e.from)}>${index.get(e.to)}`, lr ? Math.max(gap, labelWidth(e.edge) + 8 + (labelAtEnd(e.edge) ? fanTurn : 0)) : gap);
    const gapOf = (i: number, j: number) => gapAfter.get(`${i}>${j}`) ?? gap;
    const enteredFromOutside = new Set(entering.get(key)?.keys() ?? []);
    entries.forEach((entry, j) => {
      // …and a branch that starts at the block's fork a step below it, where the label of the edge from the fork fits.
      let m = entry.column !== 0 && preds[j].length === 0 && enteredFromOutside.has(entry.id) ? (lr ? gap : forkDrop) : 0;
      for (const i of preds[j]) m = Math.max(m, entries[i].m + entries[i].mSize + gapOf(i, j));
      if (above[j] >= 0) m = Math.max(m, entries[above[j]].m + entries[above[j]].mSize + gapOf(above[j], j));
      entry.m = m;
    });
    // …then off the main column as late as their successors allow.
    for (let j = entries.length - 1; j >= 0; j--) {
      const entry = entries[j];
      // A branch fed from a node of this level stays level with its siblings: sunk, its edge would run down past them.
      if (entry.column === 0 || succs[j].length === 0 || (above[j] < 0 && preds[j].length > 0)) continue;
      const latest = Math.min(...succs[j].map((s) => entries[s].m - gapOf(j, s))) - entry.mSize;
      if (latest > entry.m) entry.m = latest;
    }

    // Across: columns left to right, each item on its column's main line.
    const left = new Array<number>(columns).fill(0);
    const right = new Array<number>(columns).fill(lr ? 0 : labelRoom);
    for (const entry of entries) {
      left[entry.column] = Math.max(left[entry.column], entry.anchor);
      right[entry.column] = Math.max(right[entry.column], entry.cSize - entry.anchor);
    }
    const lineOf: number[] = [];
    let cursor = 0;
    for (let k = 0; k < columns; k++) {
      lineOf[k] = cursor + left[k];
      cursor = lineOf[k] + right[k] + columnGap;
    }
    for (const entry of entries) entry.c = lineOf[entry.column] - entry.anchor;
    let cEnd = cursor - columnGap;
    const mEnd = Math.max(0, ...entries.map((e) => e.m + e.mSize));

    // Lanes: for edges that skip over items of a column, and for skip edges into this level that do not reach a column's head.
    const isHead = (j: number) => above[j] < 0 && preds[j].length === 0;
    const laneEdges: { id: string; from: number; to: number }[] = [];
    for (const e of edges) {
      const i = index.get(e.from)!;
      const j = index.get(e.to)!;
      if (above[j] !== i && entries[i].column === entries[j].column) laneEdges.push({ id: e.edge.id, from: entries[i].m + entries[i].mSize / 2, to: entries[j].m + entries[j].mSize / 2 });
    }
    for (const [target, list] of entering.get(key) ?? []) {
      const j = index.get(target);
      if (j === undefined) continue;
      for (const edge of list) if (!(isHead(j) && (j === 0 || entries[j].column !== 0))) laneEdges.push({ id: edge.id, from: -forkInset, to: entries[j].m + entries[j].mSize / 2 });
    }
    // Greedy interval colouring: edges whose spans do not meet share a lane.
    const lanes = new Map<string, number>();
    const laneEnds: number[] = [];
    for (const lane of laneEdges.sort((a, b) => a.from - b.from)) {
      let k = laneEnds.findIndex((end) => end < lane.from - 4);
      if (k < 0) k = laneEnds.push(0) - 1;
      laneEnds[k] = lane.to;
      lanes.set(lane.id, cEnd + columnGap + k * (lr ? 28 : labelRoom));
    }
    if (laneEnds.length > 0) cEnd += columnGap + (laneEnds.length - 1) * (lr ? 28 : labelRoom) + (lr ? 8 : labelRoom);

    const level: LevelLayout = { item: frame, depth, entries, index, lanes, mSize: mEnd, cSize: Math.max(0, cEnd), anchor: lineOf[0] ?? 0 };
    if (frame) {
      // The header must show its title whole.
      const width = titleWidth(frame);
      const across = lr ? level.mSize : level.cSize;
      if (lr) level.mSize = Math.max(across, width - pad.mStart - pad.mEnd);
      else level.cSize = Math.max(across, width - pad.cStart - pad.cEnd);
    }
    return level;
  };

  const root = layoutLevel(visible.items, undefined, 0);

  // Absolute positions.
  const nodeSpans = new Map<string, Span>();
  const frameSpans: { item: VisibleFrame; depth: number; span: Span }[] = [];
  /** Per level key: its origin (where its content starts) and the m of its fork. */
  const origins = new Map<string, { m: number; c: number; level: LevelLayout }>();
  /** Per node or frame id: the level it is an entry of. */
  const levelOf = new Map<string, string>();
  const place = (level: LevelLayout, m0: number, c0: number) => {
    origins.set(level.item?.id ?? '', { m: m0, c: c0, level });
    for (const entry of level.entries) {
      levelOf.set(entry.id, level.item?.id ?? '');
      const span = { m: m0 + entry.m, c: c0 + entry.c, mSize: entry.mSize, cSize: entry.cSize };
      if (entry.frame) {
        frameSpans.push({ item: entry.frame.item!, depth: level.depth, span });
        place(entry.frame, span.m + pad.mStart, span.c + pad.cStart);
      } else nodeSpans.set(entry.id, span);
    }
  };
  place(root, 0, 0);

  const point = (m: number, c: number): [number, number] => (lr ? [m + margin, c + margin] : [c + margin, m + margin]);
  const toBox = (s: Span): Box => {
    const [x, y] = point(s.m, s.c);
    return lr ? { x, y, w: s.mSize, h: s.cSize } : { x, y, w: s.cSize, h: s.mSize };
  };
  const nodes: PlacedNode[] = [];
  for (const item of visibleNodes(visible.items)) {
    const span = nodeSpans.get(item.id);
    if (span) nodes.push({ item, ...toBox(span) });
  }
  const frames: PlacedFrame[] = frameSpans.map(({ item, depth, span }) => {
    const box = toBox(span);
    return { item, depth, ...box, header: { x: box.x, y: box.y, w: box.w, h: frameHeader } };
  });
  // Header bands along the main axis, top to bottom (left to right they lie across the top, away from the edges).
  const headerBands = lr ? [] : frameSpans.map((f) => ({ from: f.span.m, to: f.span.m + frameHeader, c0: f.span.c, c1: f.span.c + f.span.cSize }));

  const edges: PlacedEdge[] = [];
  const mid = (s: Span) => s.m + s.mSize / 2;
  const line = (s: Span) => s.c + s.cSize / 2;
  for (const edge of visible.edges) {
    const a = nodeSpans.get(edge.from);
    const b = nodeSpans.get(edge.to);
    const pa = path.get(edge.from);
    const pb = path.get(edge.to);
    if (!a || !b || !pa || !pb) continue;
    let k = 0;
    while (k < pa.length && k < pb.length && pa[k] === pb[k]) k++;
    const key = levelKey(pa, k);
    const level = origins.get(key)!;
    const entryFrom = level.level.entries[level.level.index.get(pa[k] ?? edge.from)!];
    const entryTo = level.level.entries[level.level.index.get(pb[k] ?? edge.to)!];
    // Where the source leaves its level's item (the bottom of the frame it is in, if any).
    const exitM = level.m + entryFrom.m + entryFrom.mSize;
    let route: [number, number][] | undefined;
    let fork = false;
    // A skip edge into a block that has a lane (or a column of its own) there: from the fork under the header of the innermost block it enters.
    for (let j = pb.length - 1; j >= k && !route; j--) {
      const inner = origins.get(pb[j]);
      const lane = inner?.level.lanes.get(edge.id);
      const target = inner && inner.level.entries[inner.level.index.get(pb[j + 1] ?? edge.to)!];
      if (!inner || !target) continue;
      const forkM = inner.m - pad.mStart + (lr ? 0 : frameHeader) + forkInset;
      const forkC = inner.c + inner.level.anchor;
      const enters = (entering.get(pb[j])?.get(pb[j + 1] ?? edge.to) ?? []).includes(edge);
      if (!enters) continue;
      if (lane !== undefined) {
        route = [
          [forkM, forkC],
          [forkM, inner.c + lane],
          [mid(b), inner.c + lane],
          [mid(b), b.c + b.cSize],
        ];
        fork = true;
      } else if (target.column !== 0) {
        route = [
          [forkM, forkC],
          [forkM, line(b)],
          [b.m, line(b)],
        ];
        fork = true;
      }
    }
    if (!route) {
      const lane = level.level.lanes.get(edge.id);
      if (lane !== undefined) {
        route = [
          [mid(a), a.c + a.cSize],
          [mid(a), level.c + lane],
          [mid(b), level.c + lane],
          [mid(b), b.c + b.cSize],
        ];
      } else if (Math.abs(line(a) - line(b)) < 0.5) {
        route = [
          [a.m + a.mSize, line(a)],
          [b.m, line(b)],
        ];
      } else {
        // Down out of the source's item, across just above the target's item, down into it.
        const turn = lr && labelAtEnd(edge) ? exitM + fanTurn : Math.max(exitM + gap / 2, Math.min(level.m + entryTo.m - gap / 2, b.m - gap / 2));
        route = [
          [a.m + a.mSize, line(a)],
          [turn, line(a)],
          [turn, line(b)],
          [b.m, line(b)],
        ];
      }
    }
    const text = tensorLabel(edge.shape);
    const [m0, c0] = route.at(-2)!;
    const [m1, c1] = route.at(-1)!;
    const ownRun = route.length === 4 && !fork && labelAtEnd(edge) && Math.abs(c1 - c0) < 0.5 && Math.abs(m1 - m0) >= (lr ? labelWidth(edge) + 8 : labelHeight + 2);
    // Into a merge the side inputs turn in halfway along the last gap: a straight edge's label keeps to the half above.
    const sharedEnd = !lr && route.length === 2 && (fanIn.get(edge.to) ?? 0) > 1;
    const halfway: [number, number] = [(route[0][0] + route[route.length - 1][0]) / 2, route[0][1]];
    // …and a straight edge out of a node that fans out keeps its label below where the others turn off.
    const sharedStart = !lr && route.length === 2 && labelAtEnd(edge);
    const label = placeLabel(ownRun ? route.slice(-2) : sharedEnd ? [route[0], halfway] : sharedStart ? [halfway, route[1]] : route, text, lr, headerBands);
    const [lx, ly] = point(label.m, label.c);
    const width = text.length * labelCharWidth;
    // Above a horizontal run, or beside a vertical one.
    const above = lr && !label.across;
    const labelBox: Box = above ? { x: lx - width / 2, y: ly - labelHeight - 3, w: width, h: labelHeight } : { x: lx + 6, y: ly - labelHeight / 2, w: width, h: labelHeight };
    edges.push({
      edge,
      points: route.map(([m, c]) => point(m, c)),
      label: above ? { text, x: lx, y: ly - 5, anchor: 'middle', box: labelBox } : { text, x: lx + 6, y: ly + 4, anchor: 'start', box: labelBox },
      ...(fork ? { fork } : {}),
    });
  }

  const [width, height] = lr ? [root.mSize + 2 * margin, root.cSize + 2 * margin] : [root.cSize + 2 * margin, root.mSize + 2 * margin];
  return { direction, width, height, nodes, frames, edges };
}

/** A frame's title: what its header shows. */
export function frameTitle(frame: VisibleFrame): string {
  const g = frame.group;
  const uses = g.uses && g.uses > 1 ? ` · shared ×${g.uses}` : '';
  return `${groupName(g)} · ${g.block}${g.repeat > 1 && g.block !== 'sequential' ? ` ×${g.repeat}` : ''} · ${compactCount(g.params)} params · ${macsText(g.macs)}${uses}`;
}

/** Width of a frame's header text with the fold glyph and the problem mark. */
function titleWidth(frame: VisibleFrame): number {
  return Math.ceil((frameTitle(frame).length + 2) * 6.6) + 44;
}

/**
 * The label sits on the longest run along the main axis, beside it top to bottom (above it left to
 * right), on the longest part of that run that no frame header covers.
 */
function placeLabel(route: [number, number][], text: string, lr: boolean, headers: { from: number; to: number; c0: number; c1: number }[]): { m: number; c: number; across: boolean } {
  let best = { m: route[0][0], c: route[0][1], length: -1 };
  for (let i = 0; i + 1 < route.length; i++) {
    const [m0, c] = route[i];
    const [m1, c1] = route[i + 1];
    if (Math.abs(c1 - c) > 0.5) continue;
    const lo = Math.min(m0, m1);
    const hi = Math.max(m0, m1);
    // Free intervals of [lo, hi] once the header bands this label would meet are cut out.
    const width = text.length * labelCharWidth;
    const cut = headers.filter((h) => h.c0 <= c + 6 + width && c <= h.c1 && h.to > lo && h.from < hi).sort((x, y) => x.from - y.from);
    let start = lo;
    const free: [number, number][] = [];
    for (const h of cut) {
      if (h.from > start) free.push([start, h.from]);
      start = Math.max(start, h.to);
    }
    if (hi > start) free.push([start, hi]);
    for (const [f0, f1] of free) if (f1 - f0 > best.length) best = { m: (f0 + f1) / 2, c, length: f1 - f0 };
  }
  // Left to right a label is written along its run: where none is long enough, beside the longest run across.
  if (lr && best.length < text.length * labelCharWidth + 8) {
    let across: { m: number; c: number; length: number } | undefined;
    for (let i = 0; i + 1 < route.length; i++) {
      const [m, c0] = route[i];
      const [m1, c1] = route[i + 1];
      if (Math.abs(m1 - m) < 0.5 && Math.abs(c1 - c0) > (across?.length ?? 0)) across = { m, c: (c0 + c1) / 2, length: Math.abs(c1 - c0) };
    }
    if (across) return { m: across.m, c: across.c, across: true };
  }
  return { m: best.m, c: best.c, across: false };
}
