// An ONNX model exported earlier (`resnet-studio export`, fp32, --fp16 or --quantize int8) run in
// place of compiling the network (`infer|eval --model M.onnx`): the network still gives the
// preprocessing and the labels, so the model must take the network's input and give its outputs.
import { readFile } from 'node:fs/promises';
import type { Network } from '../../language/core/model';
import { INPUT_NAME, OUTPUT_NAME } from '../onnx/build';
import { fileProblem } from '../onnx/file-errors';
import { DataType, ModelProto } from '../onnx/proto';
import { EngineError } from './engine-error';
import type { GraphNode } from './profile';
import type { Precision, WeightsSummary } from '../../contracts/worker';

interface ValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: number | { toNumber(): number }; dim_param?: string }[] } } };
}
interface DecodedModel {
  graph?: { node?: { name?: string; op_type?: string; input?: string[]; output?: string[] }[]; initializer?: { data_type?: number }[]; input?: ValueInfo[]; output?: ValueInfo[] };
  metadata_props?: { key?: string; value?: string }[];
}

export interface ExportedModel {
  bytes: Uint8Array;
  precision: Precision;
  weights: WeightsSummary;
  /** Its nodes, to map a profile back to layers. */
  graph: GraphNode[];
  /** 1 when the model was exported with a fixed batch of one (before any batch size was compiled in). */
  maxBatch?: number;
}

const QUANTIZED_OPS = new Set(['DequantizeLinear', 'QLinearConv', 'QLinearMatMul', 'ConvInteger', 'MatMulInteger']);

/** The precision the model says it has (metadata written by export), else what its ops and initializers show. */
function precisionOf(model: DecodedModel): Precision {
  const declared = model.metadata_props?.find((p) => p.key === 'precision')?.value;
  if (declared === 'int8' || declared === 'fp16' || declared === 'fp32') return declared;
  if (model.graph?.node?.some((n) => QUANTIZED_OPS.has(n.op_type ?? ''))) return 'int8';
  if (model.graph?.initializer?.some((t) => t.data_type === DataType.FLOAT16)) return 'fp16';
  return 'fp32';
}

/** Dims as text: numbers, a named (dynamic) dim by its name, an unknown one as ?. */
function dimsOf(info: ValueInfo | undefined): (number | string)[] | undefined {
  const dims = info?.type?.tensor_type?.shape?.dim;
  return dims?.map((d) => (d.dim_value !== undefined && Number(d.dim_value) > 0 ? Number(d.dim_value) : d.dim_param || '?'));
}

const shown = (dims: readonly (number | string)[]) => `[${dims.join(', ')}]`;

/** Why the model cannot stand in for the network, or undefined when its input and output fit. */
function mismatch(model: DecodedModel, network: Network, path: string): string | undefined {
  const inputs = model.graph?.input ?? [];
  if (inputs.length !== 1) return `${path} has ${inputs.length} inputs; an exported classifier has one`;
  const [inputName, outputName] = [inputs[0]!.name, model.graph?.output?.[0]?.name];
  if (inputName !== INPUT_NAME || outputName !== OUTPUT_NAME) {
    return `${path} has input '${inputName}' and output '${outputName}'; models run here have input '${INPUT_NAME}' and output '${OUTPUT_NAME}', as resnet-studio export writes them`;
  }
  const elemType = inputs[0]!.type?.tensor_type?.elem_type;
  if (elemType !== DataType.FLOAT) return `${path} takes ${elemType === DataType.FLOAT16 ? 'float16' : `element type ${elemType}`} input; the network's preprocessing gives float32`;
  const expected = [1, ...network.input!];
  const shownExpected = ['batch', ...network.input!];
  const dims = dimsOf(inputs[0]);
  const fits = dims?.length === expected.length && dims.every((d, i) => d === expected[i] || (i === 0 && typeof d === 'string'));
  if (!fits) {
    return `${path} takes input ${dims ? shown(dims) : 'of unknown shape'} but network ${network.name} takes ${shown(shownExpected)}; run a model exported from this network (resnet-studio export)`;
  }
  const outputDims = dimsOf(model.graph?.output?.[0]);
  const classes = network.outputShape?.slice(1);
  if (classes && outputDims && outputDims.slice(1).some((d, i) => typeof d === 'number' && d !== classes[i])) {
    return `${path} gives output ${shown(outputDims)} but network ${network.name} gives ${shown(network.outputShape!)}, so its labels would not fit`;
  }
  return undefined;
}

/** Reads and checks the model file; an EngineError says why it cannot run for the network. */
export async function readExportedModel(path: string, network: Network): Promise<ExportedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new EngineError('model', `cannot read the model file ${path}: ${fileProblem(error)}`);
  }
  let model: DecodedModel;
  try {
    model = ModelProto.decode(bytes) as DecodedModel;
  } catch (error) {
    throw new EngineError('model', `${path} is not an ONNX model: ${(error as Error).message}`);
  }
  const problem = mismatch(model, network, path);
  if (problem) throw new EngineError('model', problem);
  const precision = precisionOf(model);
  const summary = `exported ${precision} model ${path}`;
  const graph = (model.graph?.node ?? []).map((n) => ({ name: n.name ?? '', opType: n.op_type ?? '', inputs: n.input ?? [], outputs: n.output ?? [] }));
  const maxBatch = dimsOf(model.graph?.input?.[0])?.[0] === 1 ? { maxBatch: 1 } : {};
  return { bytes, precision, graph, ...maxBatch, weights: { random: false, summary, details: summary, problems: [] } };
}
