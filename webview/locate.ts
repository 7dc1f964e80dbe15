// From the editor's cursor (an offset) or a search query to elements of the graph. Pure.

import type { Graph } from '../language/core/graph';

/**
 * The node or group written where the cursor is: the tightest source span that holds the offset.
 * Layers expanded from a block call share the call's span, so the outermost group (the stage) wins a tie.
 */
export function elementAt(graph: Graph, offset: number): string | undefined {
  let best: { id: string; size: number } | undefined;
  // Groups come first and parents before children, so `<` keeps the outermost on a tie.
  for (const element of [...graph.groups, ...graph.nodes]) {
    const { start, end } = element.range;
    if (offset < start || offset > end) continue;
    if (!best || end - start < best.size) best = { id: element.id, size: end - start };
  }
  return best?.id;
}

/**
 * Ids of the nodes and groups whose name contains the query (case-insensitive), in diagram order.
 * Inside a group that matches, its members are left out: 'layer3' finds the stage, not its 60 layers.
 */
export function searchGraph(graph: Graph, query: string): string[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const parentOf = new Map<string, string | undefined>(graph.groups.map((g) => [g.id, g.parent]));
  const matchingGroups = new Set(graph.groups.filter((g) => g.name.toLowerCase().includes(q)).map((g) => g.id));
  const insideMatch = (parent: string | undefined) => {
    for (let p = parent; p; p = parentOf.get(p)) if (matchingGroups.has(p)) return true;
    return false;
  };
  const hits: string[] = [];
  const emitted = new Set<string>();
  for (const node of graph.nodes) {
    // A group is listed where its first node is.
    const chain: string[] = [];
    for (let p = node.parent; p && !emitted.has(p); p = parentOf.get(p)) chain.unshift(p);
    for (const group of chain) {
      emitted.add(group);
      if (matchingGroups.has(group) && !insideMatch(parentOf.get(group))) hits.push(group);
    }
    if (node.name.toLowerCase().includes(q) && !insideMatch(node.parent)) hits.push(node.id);
  }
  return hits;
}
