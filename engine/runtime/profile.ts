// Per-layer timings from onnxruntime's profile (the JSON that session option enableProfiling writes).
// The compiled graph's node names are the layers' names (engine/onnx/build.ts), but onnxruntime fuses
// nodes (a conv with its batchnorm, activation and residual add) and names the fused node after one
// of them, adds layout conversions of its own, and the compiler may fold a batchnorm into its conv.
// A layer whose nodes did not run on their own gets the time of the node they were fused into, and
// says which layer that is. Pure: the worker gives the profile events and the graph.
import type { Network } from '../../language/core/model';
import { allNodes, flattenLayers } from '../../language/core/walk';

export interface LayerTime {
  /** The layer's name in the network (the weight-key prefix), or a residual add's. */
  name: string;
  ms: number;
  /** Set when the layer did not run as a node of its own: the layer whose node it was fused into (its `ms` is that node's). */
  fusedInto?: string;
}

export interface LayerProfile {
  layers: LayerTime[];
  /** Nodes onnxruntime added (layout conversions) and the compiler's own outputs: time in no layer. */
  otherMs: number;
}

/** A compiled graph's node, as far as the mapping needs it. */
export interface GraphNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
}

interface ProfileEvent {
  cat?: unknown;
  name?: unknown;
  ts?: unknown;
  dur?: unknown;
}

const KERNEL = '_kernel_time';

/** The node of a profile event, without the suffixes onnxruntime appends ('_nchwc' for its blocked layout). */
function profiledNode(eventName: string): string {
  return eventName.slice(0, -KERNEL.length).replace(/_nchwc$/, '');
}

/** The 'model_run' windows of a profile, in order: [start, end] in microseconds. */
export function runWindows(events: readonly unknown[]): [number, number][] {
  return (events as ProfileEvent[])
    .filter((e) => e?.cat === 'Session' && e.name === 'model_run' && typeof e.ts === 'number' && typeof e.dur === 'number')
    .map((e) => [e.ts as number, (e.ts as number) + (e.dur as number)] as [number, number])
    .sort((a, b) => a[0] - b[0]);
}

/** Whether a profile event started within a run's window. */
export function withinRun(event: unknown, window: [number, number]): boolean {
  const ts = (event as ProfileEvent | null)?.ts;
  return typeof ts === 'number' && ts >= window[0] && ts <= window[1];
}

/** Microseconds per profiled node within one run's window. */
export function nodeTimes(events: readonly unknown[], window: [number, number]): Map<string, number> {
  const times = new Map<string, number>();
  for (const e of events as ProfileEvent[]) {
    if (e?.cat !== 'Node' || typeof e.name !== 'string' || !e.name.endsWith(KERNEL) || typeof e.dur !== 'number' || !withinRun(e, window)) continue;
    const node = profiledNode(e.name);
    times.set(node, (times.get(node) ?? 0) + e.dur);
  }
  return times;
}

/** Every layer and residual add of the network in order (an add after its block's layers), by name; an anonymous layer used twice once. */
function layerNames(network: Network): string[] {
  const names = [...new Set(flattenLayers(network).map((l) => l.name))];
  for (const node of allNodes(network.children)) {
    if (node.kind !== 'add' || !node.name || names.includes(node.name)) continue;
    let after = names.length;
    while (after > 0 && !names[after - 1]!.startsWith(`${node.name}.`)) after--;
    names.splice(after === 0 ? names.length : after, 0, node.name);
  }
  return names;
}

/** The layer a graph node lowers: its name, without the compiler's `_N` for a repeated name, or its longest dotted prefix that is a layer. */
function owningLayer(node: string, layers: ReadonlySet<string>): string | undefined {
  const unrepeated = node.replace(/_\d+$/, '');
  if (layers.has(node)) return node;
  if (layers.has(unrepeated)) return unrepeated;
  for (let name = unrepeated; name.includes('.'); ) {
    name = name.slice(0, name.lastIndexOf('.'));
    if (layers.has(name)) return name;
  }
  return undefined;
}

/** Ops that onnxruntime fuses into the node that produces their input (never the start of a fused group). */
const FUSES_INTO_PRODUCER = new Set(['BatchNormalization', 'Relu', 'LeakyRelu', 'Clip', 'Sigmoid', 'Add', 'Identity']);

/**
 * Graph nodes that did not run, each mapped to the profiled node it was fused into: the profiled node of
 * its fusion group (a producer and the single consumers of its output that fuse into it), nearest first.
 */
function fusionTargets(graph: readonly GraphNode[], profiled: ReadonlySet<string>): Map<string, string> {
  const consumers = new Map<string, GraphNode[]>();
  for (const node of graph) for (const input of node.inputs) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  const producer = new Map<string, GraphNode>();
  for (const node of graph) for (const output of node.outputs) producer.set(output, node);
  const neighbours = new Map<string, string[]>(graph.map((n) => [n.name, []]));
  for (const node of graph) {
    if (!FUSES_INTO_PRODUCER.has(node.opType)) continue;
    for (const input of node.inputs) {
      const from = producer.get(input);
      if (from && consumers.get(input)?.length === 1) {
        neighbours.get(node.name)!.push(from.name);
        neighbours.get(from.name)!.push(node.name);
      }
    }
  }
  const targets = new Map<string, string>();
  for (const node of graph) {
    if (profiled.has(node.name)) continue;
    // Breadth first along the group's edges: the nearest node that ran.
    const seen = new Set([node.name]);
    let frontier = [node.name];
    while (frontier.length > 0 && !targets.has(node.name)) {
      const next: string[] = [];
      for (const name of frontier) {
        for (const other of neighbours.get(name) ?? []) {
          if (seen.has(other)) continue;
          seen.add(other);
          if (profiled.has(other)) {
            targets.set(node.name, other);
            break;
          }
          next.push(other);
        }
        if (targets.has(node.name)) break;
      }
      frontier = next;
    }
  }
  return targets;
}

/**
 * The time of each layer of `network` in one run: `times` (microseconds per profiled node, see
 * nodeTimes) over the compiled `graph`. A layer with no node in the graph (folded by the compiler)
 * is taken as fused into the layer before it.
 */
/**
 * onnxruntime names the nodes its layout transformer makes after their output value. A conv that took
 * over its batchnorm at compile time writes the batchnorm's value ('layer1.0.bn2'): its time is the
 * conv's, the node that made that value.
 */
function byNodeName(graph: readonly GraphNode[], times: ReadonlyMap<string, number>): Map<string, number> {
  const names = new Set(graph.map((n) => n.name));
  const producer = new Map(graph.flatMap((n) => n.outputs.map((o) => [o, n.name] as const)));
  const result = new Map<string, number>();
  for (const [name, us] of times) {
    const node = names.has(name) ? name : (producer.get(name) ?? name);
    result.set(node, (result.get(node) ?? 0) + us);
  }
  return result;
}

export function layerProfile(network: Network, graph: readonly GraphNode[], nodeMs: ReadonlyMap<string, number>): LayerProfile {
  const times = byNodeName(graph, nodeMs);
  const names = layerNames(network);
  const layers = new Set(names);
  const graphNames = new Set(graph.map((n) => n.name));
  const profiled = new Set([...times.keys()].filter((name) => graphNames.has(name)));
  const targets = fusionTargets(graph, profiled);
  const ownMs = new Map<string, number>();
  const fusedInto = new Map<string, string>();
  let otherMs = 0;
  for (const [node, us] of times) {
    const layer = owningLayer(node, layers);
    if (layer) ownMs.set(layer, (ownMs.get(layer) ?? 0) + us / 1000);
    else otherMs += us / 1000;
  }
  for (const node of graph) {
    const layer = owningLayer(node.name, layers);
    const target = targets.get(node.name);
    const targetLayer = target && owningLayer(target, layers);
    if (layer && targetLayer && targetLayer !== layer && !ownMs.has(layer)) fusedInto.set(layer, targetLayer);
  }
  const inGraph = new Set(graph.map((n) => owningLayer(n.name, layers)).filter((l): l is string => l !== undefined));
  const result: LayerTime[] = [];
  let previous: string | undefined;
  for (const name of names) {
    let into = fusedInto.get(name);
    if (!inGraph.has(name) && previous) into = previous;
    if (into) {
      // Follow a chain (a folded batchnorm before a fused conv) to the layer whose node ran.
      const seen = new Set([name]);
      while (fusedInto.has(into) && !seen.has(into)) {
        seen.add(into);
        into = fusedInto.get(into)!;
      }
      result.push({ name, ms: ownMs.get(into) ?? 0, fusedInto: into });
    } else {
      result.push({ name, ms: ownMs.get(name) ?? 0 });
    }
    if (ownMs.has(name)) previous = name;
    else if (into) previous = into;
  }
  return { layers: result, otherMs };
}
