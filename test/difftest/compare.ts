// Compares one generated network: our analysis, ONNX export and PyTorch export against what torch made
// of it. Verdicts first (torch raises ⇔ we report an error), then, when both accept it, the output
// shape, params, MACs, every leaf layer's output shape, params and MACs, the state_dict keys, shapes and
// dtypes, and the logits of each lowering on torch's input with torch's weights (logits.ts): our ONNX
// export on onnxruntime, and our PyTorch export in torch (difftest_torch.py runs it with the oracle).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { analyze, type Analysis } from '../../language/core/analysis';
import type { Network } from '../../language/core/model';
import { allNodes, flattenLayers } from '../../language/core/walk';
import { compileToOnnx } from '../../engine/onnx/build';
import { expectedWeights } from '../../engine/onnx/network-walk';
import { exportPytorch } from '../../engine/torch/export';
import type { Case } from './generate';
import { judgeLogits } from './logits';
import { readTensors, runTorchFloat64, type TorchResult } from './torch-oracle';

/** The differences of one kind listed before the rest are counted. */
const LISTED = 6;

export type Verdict = 'both ran' | 'both rejected' | 'disagree';

/**
 * What disagreed: the verdict, our analysis (shapes, counts, layers, state_dict), or one lowering's
 * logits (it fails, or gives other logits than torch).
 */
export type DifferenceKind = 'verdict' | 'analysis' | 'onnx' | 'pytorch';

export const KIND_NAMES: Record<DifferenceKind, string> = { verdict: 'verdict', analysis: 'analysis', onnx: 'ONNX export', pytorch: 'PyTorch export' };

export interface Difference {
  kind: DifferenceKind;
  message: string;
}

/** A lowering whose logits agree only against float64: by how much (README.md). */
export interface Conditioning {
  kind: 'onnx' | 'pytorch';
  note: string;
}

export interface Comparison {
  verdict: Verdict;
  differences: Difference[];
  conditioning: Conditioning[];
  /** Our PyTorch export was run in torch and judged. */
  exportChecked: boolean;
}

/** Our side of a case, made before torch runs it: the analysis, and the PyTorch export written for the oracle to run. */
export interface Ours {
  analysis: Analysis;
  /** Why `export --format pytorch` refused a network we accept. */
  exportError?: string;
}

/**
 * Analyses a case and, when we accept it, writes our PyTorch export as `folder/<index>.py`, where
 * difftest_torch.py runs it if torch runs the network.
 */
export async function prepareCase(c: Case, folder: string): Promise<Ours> {
  const analysis = analyze(c.text);
  if (analysis.diagnostics.some((d) => d.severity === 'error')) return { analysis };
  try {
    await writeFile(join(folder, `${c.description.index}.py`), exportPytorch(analysis.networks[0]!, `seed${c.runSeed}-${c.description.index}.resnet`));
    return { analysis };
  } catch (error) {
    return { analysis, exportError: `${(error as Error).name}: ${(error as Error).message}` };
  }
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

type Judged = { differences: Difference[]; conditioning: Conditioning[] };

/** One lowering's logits against torch's, by the rule of logits.ts. */
async function judged(kind: 'onnx' | 'pytorch', actual: ArrayLike<number>, expected: Float32Array, float64: () => Promise<ArrayLike<number>>): Promise<Judged> {
  const what = KIND_NAMES[kind];
  if (actual.length !== expected.length) return { differences: [{ kind, message: `${what} output has ${actual.length} values, torch ${expected.length}` }], conditioning: [] };
  const judgement = await judgeLogits(actual, expected, float64, what);
  if (judgement.verdict === 'differ') return { differences: [{ kind, message: judgement.message }], conditioning: [] };
  return { differences: [], conditioning: judgement.verdict === 'agree in float64' ? [{ kind, note: judgement.note }] : [] };
}

async function onnxLogits(network: Network, tensors: Map<string, Float32Array>): Promise<Float32Array | string> {
  let model: Uint8Array;
  try {
    model = compileToOnnx(network, tensors);
  } catch (error) {
    return `ONNX export fails: ${(error as Error).message}`;
  }
  let session: ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 1, logSeverityLevel: 4 });
    const output = await session.run({ input: new ort.Tensor('float32', tensors.get('@input')!, [1, ...network.input!]) });
    return output.logits!.data as Float32Array;
  } catch (error) {
    return `onnxruntime fails on the export: ${(error as Error).message}`;
  } finally {
    await session?.release();
  }
}

/** The PyTorch export's logits that difftest_torch.py saved, or why there are none; undefined where it was not checked. */
function pytorchLogits(ours: Ours, torch: TorchResult, tensors: Map<string, Float32Array>): Float32Array | string | undefined {
  if (ours.exportError) return `export --format pytorch refuses it: ${ours.exportError}`;
  if (!torch.export) return undefined;
  if (torch.export.error) return `torch fails on the export: ${torch.export.error.type}: ${torch.export.error.message}`;
  return tensors.get('@export')!;
}

/**
 * Each lowering's logits against torch's. The float64 run, when one is needed (logits.ts), serves both.
 */
async function compareLogits(network: Network, ours: Ours, torch: TorchResult, folder: string, c: Case, onnx: boolean): Promise<Judged & { exportChecked: boolean }> {
  const tensors = await readTensors(folder, c.description.index);
  const expected = tensors.get('@logits')!;
  let exact: Promise<ArrayLike<number>> | undefined;
  const float64 = () => (exact ??= runTorchFloat64(c.description, folder));
  const result: Judged & { exportChecked: boolean } = { differences: [], conditioning: [], exportChecked: false };
  const lowerings: ['onnx' | 'pytorch', Float32Array | string | undefined][] = [
    ['onnx', onnx ? await onnxLogits(network, tensors) : undefined],
    ['pytorch', pytorchLogits(ours, torch, tensors)],
  ];
  for (const [kind, actual] of lowerings) {
    if (actual === undefined) continue;
    if (kind === 'pytorch') result.exportChecked = true;
    const { differences, conditioning } = typeof actual === 'string' ? { differences: [{ kind, message: actual }], conditioning: [] } : await judged(kind, actual, expected, float64);
    result.differences.push(...differences);
    result.conditioning.push(...conditioning);
  }
  return result;
}

export async function compareCase(c: Case, ours: Ours, torch: TorchResult, folder: string): Promise<Comparison> {
  const { analysis } = ours;
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  const verdict = (message: string): Comparison => ({
    verdict: 'disagree',
    differences: [{ kind: 'verdict', message }],
    conditioning: [],
    exportChecked: false,
  });
  if (torch.error) {
    if (errors.length) return { verdict: 'both rejected', differences: [], conditioning: [], exportChecked: false };
    const strict = torch.error.strict ? ' (torch itself would run it: the language is strict here)' : '';
    return verdict(`torch rejects it, we report no error: ${torch.error.type}: ${torch.error.message}${strict}`);
  }
  if (errors.length) {
    const found = errors.map((d) => `${d.code} line ${analysis.lines.position(d.span.start).line + 1}: ${d.message}`);
    return verdict(`torch runs it (output ${show(torch.output)}), we report errors: ${found.join('; ')}`);
  }
  const network = analysis.networks[0]!;
  const facts: string[] = [];
  if (show(network.outputShape) !== show(torch.output)) facts.push(`output shape ${show(network.outputShape)} (torch ${show(torch.output)})`);
  if (network.params !== BigInt(torch.params ?? -1)) facts.push(`params ${network.params} (torch ${torch.params})`);
  if (network.macs !== BigInt(torch.macs ?? -1)) facts.push(`MACs ${network.macs} (torch ${torch.macs})`);
  facts.push(...compareLayers(network, torch));
  const state = compareState(network, torch);
  facts.push(...state);
  // The ONNX compiler takes torch's tensors by our keys; the PyTorch export loads them itself, strictly.
  if (state.length) facts.push('ONNX logits not compared: the state_dicts differ');
  const differences: Difference[] = facts.map((message) => ({ kind: 'analysis', message }));
  const logits = await compareLogits(network, ours, torch, folder, c, !state.length);
  differences.push(...logits.differences);
  return { verdict: differences.length ? 'disagree' : 'both ran', differences, conditioning: logits.conditioning, exportChecked: logits.exportChecked };
}
