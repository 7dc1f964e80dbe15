// The options of `export` that make a model for a small device (--fp16, --quantize int8 with its
// calibration), declared once and checked into the target engine/runtime/deploy-model.ts builds.
import { CALIBRATION_METHODS, type CalibrationMethod } from '../engine/onnx/calibrate';
import { ACTIVATION_TYPES, type ActivationType } from '../engine/onnx/quantize';
import { DEFAULT_CALIBRATION_IMAGES } from '../engine/runtime/deploy-model';
import type { OptionSpecs, OptionValues } from './args';

export const DEPLOY_OPTIONS = {
  fp16: { type: 'boolean', help: 'float16 weights and arithmetic, for GPU providers (float32 input and logits: a Cast at each end)' },
  quantize: { type: 'string', value: 'int8', help: 'static int8 quantization in QDQ form (per-channel int8 weights, per-tensor activations); needs --calibrate' },
  calibrate: { type: 'string', value: 'DIR', help: "images to calibrate --quantize on (any depth, no labels needed), through the network's preprocessing" },
  calibration: { type: 'string', value: 'METHOD', help: `how activation ranges are chosen: ${CALIBRATION_METHODS.join(', ')} (default minmax)` },
  'calibration-images': { type: 'string', value: 'N', help: `at most N images of DIR, evenly spread (default ${DEFAULT_CALIBRATION_IMAGES})` },
  activations: { type: 'string', value: 'TYPE', help: `the activations' type with --quantize: ${ACTIVATION_TYPES.join(', ')} (default uint8)` },
} satisfies OptionSpecs;

export type DeployChoice =
  | { precision: 'fp32' | 'fp16' }
  | { precision: 'int8'; folder: string; method: CalibrationMethod; activations: ActivationType; images: number };

/** The precision asked for and its calibration; a string says what is wrong. */
export function deployChoice(values: OptionValues<typeof DEPLOY_OPTIONS>): DeployChoice | string {
  const { fp16, quantize, calibrate, calibration, activations } = values;
  const count = values['calibration-images'];
  const calibrationFlags = ([['--calibrate', calibrate], ['--calibration', calibration], ['--calibration-images', count], ['--activations', activations]] as const).filter(([, v]) => v !== undefined);
  if (quantize === undefined) {
    if (calibrationFlags.length > 0) return `${calibrationFlags[0]![0]} applies to --quantize int8, which is not given`;
    return { precision: fp16 ? 'fp16' : 'fp32' };
  }
  if (quantize !== 'int8') return `--quantize takes int8, not '${quantize}'`;
  if (fp16) return '--fp16 and --quantize int8 exclude each other: choose one precision';
  if (calibrate === undefined) return '--quantize int8 needs --calibrate DIR: images whose activations set the int8 ranges (a few hundred like the inputs to come)';
  const method = calibration ?? 'minmax';
  if (!(CALIBRATION_METHODS as readonly string[]).includes(method)) return `--calibration must be one of ${CALIBRATION_METHODS.join(', ')}, not '${method}'`;
  const type = activations ?? 'uint8';
  if (!(ACTIVATION_TYPES as readonly string[]).includes(type)) return `--activations must be one of ${ACTIVATION_TYPES.join(', ')}, not '${type}'`;
  const images = count === undefined ? DEFAULT_CALIBRATION_IMAGES : Number(count);
  if (count !== undefined && !(/^\d+$/.test(count) && images >= 1)) return `--calibration-images needs a positive integer, not '${count}'`;
  return { precision: 'int8', folder: calibrate, method: method as CalibrationMethod, activations: type as ActivationType, images };
}
