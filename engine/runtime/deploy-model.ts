// A compiled network made ready for a small device: BatchNorm folded into the convolutions, then
// float16 (for GPU providers) or int8 (static QDQ quantization, calibrated here by running the fp32
// model on images through the network's own preprocessing, the inference worker's code path).
// Used by `resnet-studio export --fp16 | --quantize int8`. Loads onnxruntime and sharp: CLI only.
import * as ort from 'onnxruntime-node';
import type { Network } from '../../language/core/model';
import { buildModel, type OnnxMetadata } from '../onnx/build';
import { rangeCollector, type CalibrationMethod, type RangeCollector, type TensorRange } from '../onnx/calibrate';
import { encodeModel } from '../onnx/encode';
import { toFloat16 } from '../onnx/fp16';
import type { OnnxModel } from '../onnx/onnx-model';
import { DataType } from '../onnx/proto';
import { quantize, tensorsToCalibrate, type ActivationType } from '../onnx/quantize';
import { walkImages } from './dataset';
import { networkPreprocess } from './network-preprocess';
import { preprocessImageFile } from './preprocess';

export interface CalibrationOptions {
  /** A folder of images (any depth, labels not needed), or the image files themselves. */
  images: string[];
  method: CalibrationMethod;
  activations: ActivationType;
  onProgress?: (done: number, total: number) => void;
}

export type DeployTarget = { precision: 'fp16' } | ({ precision: 'int8' } & CalibrationOptions);

/** A calibration image that cannot be read or preprocessed. */
export class CalibrationError extends Error {
  override name = 'CalibrationError';
}

/** Up to this many calibration images, spread evenly over the folder, by default. */
export const DEFAULT_CALIBRATION_IMAGES = 256;

/** `count` of the folder's images, evenly spaced in its sorted order; a message when there are none. */
export async function calibrationImages(folder: string, count = DEFAULT_CALIBRATION_IMAGES): Promise<string[] | string> {
  let images: string[];
  try {
    images = await walkImages(folder);
  } catch (error) {
    return `cannot read the calibration folder ${folder}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  if (images.length === 0) return `the calibration folder ${folder} holds no images`;
  if (images.length <= count) return images;
  return Array.from({ length: count }, (_, i) => images[Math.floor((i * images.length) / count)]!);
}

/** The images' preprocessed tensors through the fp32 model, each listed value's range. */
export async function calibrate(model: OnnxModel, network: Network, values: string[], options: CalibrationOptions): Promise<Map<string, TensorRange>> {
  const input = model.graph.input[0]!.name;
  const fetched = values.filter((v) => v !== input);
  const outputs = fetched.map((name) => ({ name, type: { tensor_type: { elem_type: DataType.FLOAT } } }));
  const augmented = { ...model, graph: { ...model.graph, output: [...model.graph.output, ...outputs] } };
  const session = await ort.InferenceSession.create(encodeModel(augmented), { logSeverityLevel: 3 });
  const collectors = new Map<string, RangeCollector>(values.map((v) => [v, rangeCollector(options.method)]));
  const spec = networkPreprocess(network);
  try {
    for (const [i, path] of options.images.entries()) {
      let prepared;
      try {
        prepared = await preprocessImageFile(path, spec, network.input!);
      } catch (error) {
        const message = (error as Error).message;
        throw new CalibrationError(`calibration image ${message.includes(path) ? message : `${path}: ${message}`}`);
      }
      collectors.get(input)?.add(prepared.data);
      const result = await session.run({ [input]: new ort.Tensor('float32', prepared.data, prepared.dims) }, fetched);
      for (const name of fetched) collectors.get(name)!.add(result[name]!.data as Float32Array);
      options.onProgress?.(i + 1, options.images.length);
    }
  } finally {
    await session.release();
  }
  return new Map([...collectors].map(([name, collector]) => [name, collector.range()]));
}

/** The model to write for `target`. Throws build.ts's CompileError when the network cannot compile. */
export async function deployModel(network: Network, weights: ReadonlyMap<string, Float32Array>, metadata: OnnxMetadata, target: DeployTarget): Promise<OnnxModel> {
  // buildModel folds each BatchNorm into its conv: the quantizer sees the weights the int8 model holds.
  const folded = buildModel(network, weights, metadata);
  if (target.precision === 'fp16') return toFloat16(folded);
  const ranges = await calibrate(folded, network, tensorsToCalibrate(folded), target);
  const quantized = quantize(folded, ranges, target.activations);
  const calibration = `${target.method}, ${target.images.length} images`;
  return { ...quantized, metadata_props: [...quantized.metadata_props, { key: 'calibration', value: calibration }] };
}

