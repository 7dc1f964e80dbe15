// What an update from the host means for the diagram: which graph to draw, whether it is the last
// good one kept through a broken edit, and whether the user moved to another file or network (which
// resets folding and zoom). Pure.

import type { Graph } from '../language/core/graph';
import type { GraphResult } from '../contracts/graph';

export interface Shown {
  uri: string;
  network?: string;
}

export interface LastGood {
  uri: string;
  graph: Graph;
}

export interface Reconciled {
  /** Undefined when there is nothing to draw (a file without a network, never valid). */
  graph?: Graph;
  /** The graph is the last good one: the file is broken now. */
  stale: boolean;
  /** Another file or network than before: start from a fresh view. */
  switched: boolean;
  lastGood?: LastGood;
  shown: Shown;
}

export function reconcile(shown: Shown, lastGood: LastGood | undefined, result: GraphResult): Reconciled {
  const sameFile = shown.uri === result.uri;
  /** The file no longer has a network of this name: it is being renamed or retyped, not left. */
  const gone = (name: string) => !result.networks.some((n) => n.name === name);
  // While broken the network may have lost its name or vanished: the last good one of this file stands in.
  const keep =
    lastGood && lastGood.uri === result.uri && (!result.graph || lastGood.graph.network === result.graph.network || gone(lastGood.graph.network)) ? lastGood : undefined;
  let graph: Graph | undefined;
  let stale = false;
  if (result.graph && !result.broken) {
    graph = result.graph;
    lastGood = { uri: result.uri, graph };
  } else if (keep) {
    graph = keep.graph;
    stale = true;
  } else {
    graph = result.graph;
  }
  if (lastGood && lastGood.uri !== result.uri) lastGood = undefined;
  const network = graph?.network ?? (sameFile ? shown.network : undefined);
  const switched = !sameFile || (shown.network !== undefined && network !== undefined && network !== shown.network && !gone(shown.network));
  return { graph, stale, switched, lastGood, shown: { uri: result.uri, network } };
}
