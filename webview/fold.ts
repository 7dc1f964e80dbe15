// Folding: which stages and blocks show their insides. The graph stays whole; this picks what is
// visible, turning each folded group into one node and rerouting the edges that cross it. Pure.

import type { FoldState } from '../contracts/preview';
import type { Graph, GraphDiagnostic, GraphEdge, GraphGroup, GraphNode } from '../language/core/graph';

export const initialFoldState: FoldState = { defaultFolded: true, overrides: {} };

export function isFolded(state: FoldState, groupId: string): boolean {
  return state.overrides[groupId] ?? state.defaultFolded;
}

export function toggleFold(state: FoldState, groupId: string): FoldState {
  return { ...state, overrides: { ...state.overrides, [groupId]: !isFolded(state, groupId) } };
}

export function foldAll(folded: boolean): FoldState {
  return { defaultFolded: folded, overrides: {} };
}

/** Unfolds every group around `groupIds` (to show a search hit, say). */
export function unfoldAncestors(state: FoldState, graph: Graph, ids: Iterable<string>): FoldState {
  const parentOf = new Map<string, string | undefined>([...graph.groups.map((g) => [g.id, g.parent] as const), ...graph.nodes.map((n) => [n.id, n.parent] as const)]);
  const overrides = { ...state.overrides };
  for (const id of ids) for (let p = parentOf.get(id); p; p = parentOf.get(p)) overrides[p] = false;
  return { ...state, overrides };
}

export type VisibleNode =
  | { type: 'node'; id: string; node: GraphNode; shortcut: VisibleNode[] }
  | { type: 'folded'; id: string; group: GraphGroup; diagnostics: GraphDiagnostic[]; shortcut: VisibleNode[] };

export interface VisibleFrame {
  type: 'frame';
  id: string;
  group: GraphGroup;
  children: VisibleItem[];
}

export type VisibleItem = VisibleNode | VisibleFrame;

export interface VisibleEdge extends GraphEdge {
  id: string;
}

export interface VisibleGraph {
  graph: Graph;
  items: VisibleItem[];
  edges: VisibleEdge[];
  /** For every node and group id: the id of what shows it (itself, or the folded group around it). */
  shownAs: Map<string, string>;
}

export function visibleGraph(graph: Graph, state: FoldState): VisibleGraph {
  const groups = new Map(graph.groups.map((g) => [g.id, g]));
  const chainCache = new Map<string | undefined, GraphGroup[]>();
  const chainOf = (parent: string | undefined): GraphGroup[] => {
    let chain = chainCache.get(parent);
    if (!chain) {
      const group = parent ? groups.get(parent) : undefined;
      chain = group ? [...chainOf(group.parent), group] : [];
      chainCache.set(parent, chain);
    }
    return chain;
  };

  const root: VisibleItem[] = [];
  const shownAs = new Map<string, string>();
  const frames = new Map<string, VisibleFrame>();
  const foldedNodes = new Map<string, VisibleNode & { type: 'folded' }>();
  const pendingShortcut = new Map<string, VisibleNode[]>();

  for (const group of graph.groups) {
    const hiddenBy = chainOf(group.parent).find((g) => isFolded(state, g.id));
    shownAs.set(group.id, hiddenBy?.id ?? group.id);
  }

  for (const node of graph.nodes) {
    const chain = chainOf(node.parent);
    const foldedAt = chain.findIndex((g) => isFolded(state, g.id));
    const open = foldedAt < 0 ? chain : chain.slice(0, foldedAt);
    let container = root;
    for (const group of open) {
      let frame = frames.get(group.id);
      if (!frame) {
        frame = { type: 'frame', id: group.id, group, children: [] };
        frames.set(group.id, frame);
        container.push(frame);
      }
      container = frame.children;
    }
    if (foldedAt >= 0) {
      const group = chain[foldedAt];
      shownAs.set(node.id, group.id);
      let folded = foldedNodes.get(group.id);
      if (!folded) {
        folded = { type: 'folded', id: group.id, group, diagnostics: [...group.diagnostics], shortcut: [] };
        foldedNodes.set(group.id, folded);
        container.push(folded);
      }
      folded.diagnostics.push(...node.diagnostics);
      continue;
    }
    shownAs.set(node.id, node.id);
    const item: VisibleNode = { type: 'node', id: node.id, node, shortcut: pendingShortcut.get(node.id) ?? [] };
    pendingShortcut.delete(node.id);
    if (node.shortcutOf) {
      const list = pendingShortcut.get(node.shortcutOf) ?? [];
      list.push(item);
      pendingShortcut.set(node.shortcutOf, list);
    } else container.push(item);
  }
  // Diagnostics of groups folded inside a folded group surface on the outer one.
  for (const group of graph.groups) {
    const shown = shownAs.get(group.id);
    if (shown && shown !== group.id) foldedNodes.get(shown)?.diagnostics.push(...group.diagnostics);
  }

  const edges: VisibleEdge[] = [];
  const seen = new Set<string>();
  for (const edge of graph.edges) {
    const from = shownAs.get(edge.from) ?? edge.from;
    const to = shownAs.get(edge.to) ?? edge.to;
    if (from === to) continue;
    const id = `${from}->${to}`;
    if (seen.has(id)) continue;
    seen.add(id);
    edges.push({ ...edge, id, from, to });
  }
  return { graph, items: root, edges, shownAs };
}

/** Every visible node, depth first, shortcut layers before their add. */
export function* visibleNodes(items: VisibleItem[]): Generator<VisibleNode> {
  for (const item of items) {
    if (item.type === 'frame') yield* visibleNodes(item.children);
    else {
      yield* item.shortcut;
      yield item;
    }
  }
}
