// The options of the commands that load a network with its weights (export, infer, eval): declared once,
// and turned into checked values.
import { DEFAULT_SEED } from '../engine/onnx/random-weights';
import { EVAL_BATCH, MAX_BATCH } from '../engine/runtime/dataset';
import { EP_CHOICES, isEpChoice, type EpChoice } from '../engine/runtime/providers';
import type { OptionSpecs, OptionValues } from './args';

export const ENGINE_OPTIONS = {
  output: { type: 'string', short: 'o', value: 'FILE', required: true, help: 'the ONNX file to write' },
  weights: { type: 'string', value: 'W', help: "a safetensors file instead of the network's `weights` declaration" },
  'random-weights': { type: 'boolean', help: 'seeded random weights (He init, as torchvision) for a dry run: outputs are meaningless' },
  seed: { type: 'string', value: 'N', help: `the seed of --random-weights (default ${DEFAULT_SEED})` },
  network: { type: 'string', value: 'NAME', help: 'the network to run when the file defines several' },
  model: { type: 'string', value: 'M.onnx', help: "an exported model (export, --fp16, --quantize int8) to run instead of compiling the network, with the network's preprocessing and labels" },
  ep: { type: 'string', value: 'EP', help: `execution provider: ${EP_CHOICES.join(', ')} (default auto)` },
  top: { type: 'string', value: 'K', help: 'classes listed per image (default 5)' },
  batch: { type: 'string', value: 'B', help: `images per model run, 1 to ${MAX_BATCH} (default ${EVAL_BATCH}); each image's logits are those it gets alone` },
  json: { type: 'boolean', help: 'the result as JSON (docs/inference.md, "The result format")' },
} satisfies OptionSpecs;

type EngineOptionSpecs = typeof ENGINE_OPTIONS;

/** The named options' declarations, for a command's spec. */
export function engineOptionSpecs<K extends keyof EngineOptionSpecs>(...names: K[]): Pick<EngineOptionSpecs, K> {
  return Object.fromEntries(names.map((name) => [name, ENGINE_OPTIONS[name]])) as Pick<EngineOptionSpecs, K>;
}

export interface EngineOptions {
  output?: string;
  weights?: string;
  randomWeights: boolean;
  seed: number;
  network?: string;
  /** An exported ONNX model to run in place of the compiled network. */
  model?: string;
  ep: EpChoice;
  top: number;
  batch: number;
  json: boolean;
}

/** Checks the values and fills in the defaults; a string says what is wrong. */
export function engineOptions(values: OptionValues<EngineOptionSpecs>): EngineOptions | string {
  const integer = (flag: string, value: string | undefined, min: number, fallback: number): number | string => {
    if (value === undefined) return fallback;
    const n = Number(value);
    return /^\d+$/.test(value) && Number.isSafeInteger(n) && n >= min ? n : `${flag} needs a ${min > 0 ? 'positive' : 'non-negative'} integer, not '${value}'`;
  };
  const seed = integer('--seed', values.seed, 0, DEFAULT_SEED);
  if (typeof seed === 'string') return seed;
  const top = integer('--top', values.top, 1, 5);
  if (typeof top === 'string') return top;
  const batch = integer('--batch', values.batch, 1, EVAL_BATCH);
  if (typeof batch === 'string') return batch;
  if (batch > MAX_BATCH) return `--batch is at most ${MAX_BATCH}, not ${batch}`;
  const ep = values.ep ?? 'auto';
  if (!isEpChoice(ep)) return `--ep must be one of ${EP_CHOICES.join(', ')}, not '${ep}'`;
  if (values.weights !== undefined && values['random-weights']) return '--weights and --random-weights exclude each other';
  if (values.model !== undefined && (values.weights !== undefined || values['random-weights'])) return '--model runs the weights compiled into the model: it excludes --weights and --random-weights';
  if (values.seed !== undefined && !values['random-weights']) return '--seed is the seed of --random-weights, which is not given';
  return {
    output: values.output,
    weights: values.weights,
    randomWeights: values['random-weights'] ?? false,
    seed,
    network: values.network,
    model: values.model,
    ep,
    top,
    batch,
    json: values.json ?? false,
  };
}
