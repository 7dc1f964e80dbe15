// Compares one generated network: our analysis and ONNX export against what torch made of it.
// Verdicts first (torch raises ⇔ we report an error), then, when both accept it, the output shape,
// params, MACs, every leaf layer's output shape, params and MACs, the state_dict keys, shapes and
// dtypes, and the logits of our ONNX export on torch's input with torch's weights (logits.ts).
import * as ort from 'onnxruntime-node';
import { analyze } from '../../language/core/analysis';
import type { Network } from '../../language/core/model';
import { allNodes, flattenLayers } from '../../language/core/walk';
import { compileToOnnx } from '../../engine/onnx/build';
import { expectedWeights } from '../../engine/onnx/network-walk';
import type { Case } from './generate';
import { judgeLogits } from './logits';
import { readTensors, runTorchFloat64, type TorchResult } from './torch-oracle';

/** The differences of one kind listed before the rest are counted. */
const LISTED = 6;

export type Verdict = 'both ran' | 'both rejected' | 'disagree';

export interface Comparison {
  verdict: Verdict;
  differences: string[];
  /** For a network both ran whose logits agree only against float64: by how much (README.md). */
  conditioning?: string;
}

interface LayerFacts {
  shape: string;
  params: number;
  macs: number;
}

const show = (shape: readonly number[] | null | undefined) => (shape ? `[${shape.join(', ')}]` : '?');

function listed(what: string, items: string[]): string[] {
  if (items.length <= LISTED) return items.map((item) => `${what}: ${item}`);
  return [...items.slice(0, LISTED).map((item) => `${what}: ${item}`), `${what}: … and ${items.length - LISTED} more`];
}

function ourLayers(network: Network): Map<string, LayerFacts> {
  const layers = new Map<string, LayerFacts>();
  for (const { name, layer } of flattenLayers(network)) {
    // A function in a tensor expression (`sigmoid(gate)`) is no module in torch, so no leaf there.
    if (layer.fromExpression) continue;
    const seen = layers.get(name);
    // A name shared by weightless layers (torchvision's one reused relu) keeps the last output shape.
    layers.set(name, { shape: show(layer.outputShape), params: (seen?.params ?? 0) + Number(layer.params), macs: (seen?.macs ?? 0) + Number(layer.macs) });
  }
  // A module applied again runs its layers again: torch's hooks count every call's MACs on each leaf
  // (a sequential's too, `mlp(x)` running mlp.0, mlp.1, …).
  const once = new Map([...layers].map(([name, facts]) => [name, facts.macs]));
  for (const node of allNodes(network.children)) {
    if (node.kind !== 'reuse') continue;
    for (const [name, macs] of once) if (name === node.name || name.startsWith(`${node.name}.`)) layers.get(name)!.macs += macs;
  }
  return layers;
}

function compareLayers(network: Network, torch: TorchResult): string[] {
  const ours = ourLayers(network);
  const theirs = new Map(torch.layers!.map((l) => [l.name, { shape: show(l.shape), params: l.params, macs: l.macs }]));
  const problems: string[] = [];
  const onlyTorch = [...theirs.keys()].filter((name) => !ours.has(name));
  const onlyOurs = [...ours.keys()].filter((name) => !theirs.has(name));
  if (onlyTorch.length) problems.push(`layers only torch has: ${onlyTorch.join(', ')}`);
  if (onlyOurs.length) problems.push(`layers only we have: ${onlyOurs.join(', ')}`);
  const differing: string[] = [];
  for (const [name, mine] of ours) {
    const other = theirs.get(name);
    if (!other) continue;
    for (const key of ['shape', 'params', 'macs'] as const) {
      if (mine[key] !== other[key]) differing.push(`${name} ${key} ${mine[key]} (torch ${other[key]})`);
    }
  }
  return [...problems, ...listed('layer', differing)];
}

function compareState(network: Network, torch: TorchResult): string[] {
  const ours = expectedWeights(network);
  const theirs = new Map(torch.state!.map((s) => [s.key, s]));
  const differing: string[] = [];
  for (const [key, { spec }] of ours) {
    const other = theirs.get(key);
    if (!other) differing.push(`${key} ${show(spec.shape)} is not in torch's state_dict`);
    else if (show(spec.shape) !== show(other.shape) || spec.dtype !== other.dtype) {
      differing.push(`${key} ${spec.dtype}${show(spec.shape)} (torch ${other.dtype}${show(other.shape)})`);
    }
  }
  for (const [key, other] of theirs) if (!ours.has(key)) differing.push(`${key} ${show(other.shape)} is only in torch's state_dict`);
  return listed('state_dict', differing);
}

async function compareLogits(network: Network, folder: string, c: Case): Promise<{ differences: string[]; conditioning?: string }> {
  const tensors = await readTensors(folder, c.description.index);
  let model: Uint8Array;
  try {
    model = compileToOnnx(network, tensors);
  } catch (error) {
    return { differences: [`ONNX export fails: ${(error as Error).message}`] };
  }
  let session: ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 1, logSeverityLevel: 4 });
    const output = await session.run({ input: new ort.Tensor('float32', tensors.get('@input')!, [1, ...network.input!]) });
    const actual = output.logits!.data as Float32Array;
    const expected = tensors.get('@logits')!;
    if (actual.length !== expected.length) return { differences: [`ONNX output has ${actual.length} values, torch ${expected.length}`] };
    const judged = await judgeLogits(actual, expected, () => runTorchFloat64(c.description, folder));
    if (judged.verdict === 'differ') return { differences: [judged.message] };
    return { differences: [], conditioning: judged.verdict === 'agree in float64' ? judged.note : undefined };
  } catch (error) {
    return { differences: [`onnxruntime fails on the export: ${(error as Error).message}`] };
  } finally {
    await session?.release();
  }
}

export async function compareCase(c: Case, torch: TorchResult, folder: string): Promise<Comparison> {
  const analysis = analyze(c.text);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (torch.error) {
    if (errors.length) return { verdict: 'both rejected', differences: [] };
    const strict = torch.error.strict ? ' (torch itself would run it: the language is strict here)' : '';
    return { verdict: 'disagree', differences: [`torch rejects it, we report no error: ${torch.error.type}: ${torch.error.message}${strict}`] };
  }
  if (errors.length) {
    const found = errors.map((d) => `${d.code} line ${analysis.lines.position(d.span.start).line + 1}: ${d.message}`);
    return { verdict: 'disagree', differences: [`torch runs it (output ${show(torch.output)}), we report errors:`, ...found.map((f) => `  ${f}`)] };
  }
  const network = analysis.networks[0]!;
  const differences: string[] = [];
  if (show(network.outputShape) !== show(torch.output)) differences.push(`output shape ${show(network.outputShape)} (torch ${show(torch.output)})`);
  if (network.params !== BigInt(torch.params ?? -1)) differences.push(`params ${network.params} (torch ${torch.params})`);
  if (network.macs !== BigInt(torch.macs ?? -1)) differences.push(`MACs ${network.macs} (torch ${torch.macs})`);
  differences.push(...compareLayers(network, torch));
  const state = compareState(network, torch);
  differences.push(...state);
  if (state.length) {
    differences.push('logits not compared: the state_dicts differ');
    return { verdict: 'disagree', differences };
  }
  const logits = await compareLogits(network, folder, c);
  differences.push(...logits.differences);
  return { verdict: differences.length ? 'disagree' : 'both ran', differences, conditioning: logits.conditioning };
}
