// Colouring nodes by a metric: each visible node's share of the network's parameters, MACs or
// measured time (a folded group counts its layers), as one of six levels with a legend. Pure.

import type { Graph } from '../language/core/graph';
import type { Metric } from '../contracts/preview';
import type { VisibleGraph } from './fold';

/** The upper bounds of the levels below the last, as shares of the total. */
const bounds = [0.002, 0.005, 0.01, 0.02, 0.05];

export interface Legend {
  title: string;
  steps: { level: number; label: string }[];
}

const percent = (share: number) => `${+(share * 100).toFixed(1)} %`;

export const metricTitles: Record<Metric, string> = { none: 'No colouring', params: 'Share of parameters', macs: 'Share of MACs', time: 'Share of measured time' };

/** Per layer name, its measured milliseconds. */
export type LayerTimes = Map<string, number>;

/** Per graph node id, its value of the metric (undefined: the metric is not known, e.g. no inference ran). */
export function metricValues(graph: Graph, metric: Metric, times: LayerTimes | undefined): Map<string, number> | undefined {
  if (metric === 'none' || (metric === 'time' && !times)) return undefined;
  const values = new Map<string, number>();
  for (const node of graph.nodes) {
    if (node.kind === 'input' || node.kind === 'output') continue;
    const value = metric === 'params' ? node.params : metric === 'macs' ? node.macs : (times!.get(node.name) ?? 0);
    values.set(node.id, value);
  }
  return values;
}

/** Per visible node id, its level 0–5; and the legend. */
export function heatLevels(visible: VisibleGraph, metric: Metric, times: LayerTimes | undefined): { levels: Map<string, number>; legend: Legend } | undefined {
  const values = metricValues(visible.graph, metric, times);
  if (!values) return undefined;
  const shown = new Map<string, number>();
  let total = 0;
  for (const [id, value] of values) {
    const at = visible.shownAs.get(id) ?? id;
    shown.set(at, (shown.get(at) ?? 0) + value);
    total += value;
  }
  const levels = new Map<string, number>();
  for (const [id, value] of shown) {
    const share = total > 0 ? value / total : 0;
    const level = bounds.findIndex((b) => share < b);
    levels.set(id, level < 0 ? bounds.length : level);
  }
  const steps = [{ level: 0, label: `< ${percent(bounds[0])}` }];
  for (let i = 1; i < bounds.length; i++) steps.push({ level: i, label: `${percent(bounds[i - 1])} – ${percent(bounds[i])}` });
  steps.push({ level: bounds.length, label: `≥ ${percent(bounds[bounds.length - 1])}` });
  return { levels, legend: { title: metricTitles[metric], steps } };
}

/** The times of a `layerTimes` message as a map, if they are for this network. */
export function timesFor(network: string, message: { network: string; times: { name: string; ms: number }[] }): LayerTimes | undefined {
  if (message.network !== network) return undefined;
  return new Map(message.times.filter((t) => Number.isFinite(t.ms) && t.ms >= 0).map((t) => [t.name, t.ms]));
}
