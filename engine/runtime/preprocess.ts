// Image → network input tensor, bit-exact with torchvision 0.14 on a PIL image:
//   Image.open(path).convert('RGB') → [Grayscale(C)] → [Resize(size, BILINEAR)] → [CenterCrop(h, w)]
//   → ToTensor() → [Normalize(mean, std)]
// in that order (the order of the `preprocess` section in the language docs). A spec without
// antialias resizes as torchvision resizes a uint8 tensor (its video preset) instead of as PIL.
import { formatDims } from '../../language/core/format';
import type { PreprocessSpec } from '../../language/core/model';
import { decodeImage, decodeImageFile, MAX_INPUT_PIXELS, type DecodedImage } from './decode';
import { resizeBilinear, type PixelImage } from './resample';
import { resizeBilinearTensor, roundHalfEven } from './resample-tensor';

export type PreprocessOptions = Omit<PreprocessSpec, 'range'>;

export interface PreprocessedImage {
  /** Float32 CHW tensor of `dims`. */
  data: Float32Array;
  dims: [1, number, number, number];
  /** The uint8 image after grayscale/resize/crop: what the network saw. Pixels are HWC, row by row. */
  seen: { width: number; height: number; channels: number; pixels: Uint8Array };
  /** Size of the decoded file (as stored: EXIF orientation is not applied, as in torchvision). */
  original: { width: number; height: number };
  timings: { decodeMs: number; preprocessMs: number };
}

export class PreprocessError extends Error {
  override name = 'PreprocessError';
}

/** torchvision's ImageNet recipe: Resize(256), CenterCrop(224), ToTensor, Normalize(ImageNet mean/std). */
export const imagenetPreprocess: PreprocessOptions = {
  resize: 256,
  centerCrop: [224, 224],
  grayscale: false,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

/** Largest image any resize may produce or pass through, in pixels. */
export const MAX_RESIZED_PIXELS = MAX_INPUT_PIXELS;

/** The network input of an image network, [C, H, W]; anything else is refused with a message. */
type Chw = readonly number[];

/** `tensor`: where to write the tensor when it has the right length (a buffer reused between images). */
export async function preprocessImageFile(
  path: string,
  spec: PreprocessOptions,
  input: Chw,
  tensor?: Float32Array,
): Promise<PreprocessedImage> {
  return preprocessWith(() => decodeImageFile(path), spec, input, tensor);
}

export async function preprocessImage(
  bytes: Uint8Array,
  spec: PreprocessOptions,
  input: Chw,
): Promise<PreprocessedImage> {
  return preprocessWith(() => decodeImage(bytes), spec, input);
}

async function preprocessWith(
  decode: () => Promise<DecodedImage>,
  spec: PreprocessOptions,
  input: Chw,
  tensor?: Float32Array,
): Promise<PreprocessedImage> {
  // A bad spec or a shape that cannot fit fails before the (possibly slow) decode.
  checkSpec(spec, input);
  const started = performance.now();
  const image = await decode();
  const decoded = performance.now();
  const result = preprocessPixels(image, spec, input, tensor);
  const finished = performance.now();
  return {
    ...result,
    original: { width: image.width, height: image.height },
    timings: { decodeMs: decoded - started, preprocessMs: finished - decoded },
  };
}

/**
 * The synchronous part: decoded pixels (1 or 3 channels) → tensor and the image the network saw.
 * `tensor`: where to write the tensor when it has the right length.
 */
export function preprocessPixels(
  image: PixelImage,
  spec: PreprocessOptions,
  input: Chw,
  tensor?: Float32Array,
): Pick<PreprocessedImage, 'data' | 'dims' | 'seen'> {
  checkSpec(spec, input);
  if (image.channels !== 1 && image.channels !== 3) {
    throw new PreprocessError(`Expected a 1- or 3-channel image, got ${image.channels} channels`);
  }
  const channels = outputChannels(spec, input);
  let current = image;
  // The file's own grayscale needs no conversion: PIL's L → RGB → L round trip is the identity.
  if (spec.grayscale && current.channels === 3) current = rgbToLuma(current);

  if (spec.resize !== undefined) {
    const [height, width] = resizedSize(current.height, current.width, spec.resize);
    if (width * height > MAX_RESIZED_PIXELS || width * current.height > MAX_RESIZED_PIXELS) {
      throw new PreprocessError(
        `${formatResize(spec.resize)} would turn the ${current.width}x${current.height} image into ` +
          `${width}x${height}, over the ${MAX_RESIZED_PIXELS / 1e6} MP limit`,
      );
    }
    // torchvision returns the image untouched when the size already matches.
    if (width !== current.width || height !== current.height) {
      if (spec.antialias === false) current = resizeBilinearTensor(current, width, height);
      else if (spec.centerCrop) current = resizeKept(current, width, height, spec.centerCrop);
      else current = resizeBilinear(current, width, height);
    }
  }
  if (spec.centerCrop) current = centerCrop(current, spec.centerCrop[0], spec.centerCrop[1]);

  checkShape(spec, [channels, current.height, current.width], input);
  const seenPixels = current.channels === channels ? current.pixels : replicateGray(current.pixels, channels);
  const seen = { width: current.width, height: current.height, channels, pixels: seenPixels };
  return { data: toTensor(seen, spec, tensor), dims: [1, channels, current.height, current.width], seen };
}

/** torchvision 0.14 `_compute_resized_output_size` for a single size (shorter side) or [h, w]; returns [h, w]. */
export function resizedSize(height: number, width: number, resize: number | [number, number]): [number, number] {
  if (Array.isArray(resize)) return [resize[0], resize[1]];
  const [short, long] = width <= height ? [width, height] : [height, width];
  // Python: int(requested_new_short * long / short), a float division truncated toward zero.
  const newLong = Math.trunc((resize * long) / short);
  return width <= height ? [newLong, resize] : [resize, newLong];
}


/**
 * Where torchvision's center_crop places the crop on the image: its top-left corner in the image's
 * pixels, negative where it pads (with zeros, left/top getting the smaller half) because the crop is
 * larger than the image; otherwise at int(round((size - crop) / 2.0)).
 */
export function cropOrigin(height: number, width: number, cropHeight: number, cropWidth: number): { top: number; left: number } {
  const padTop = cropHeight > height ? Math.floor((cropHeight - height) / 2) : 0;
  const padLeft = cropWidth > width ? Math.floor((cropWidth - width) / 2) : 0;
  const paddedHeight = Math.max(height, cropHeight);
  const paddedWidth = Math.max(width, cropWidth);
  return {
    top: roundHalfEven((paddedHeight - cropHeight) / 2) - padTop,
    left: roundHalfEven((paddedWidth - cropWidth) / 2) - padLeft,
  };
}

/** torchvision's center_crop (see cropOrigin). */
export function centerCrop(image: PixelImage, cropHeight: number, cropWidth: number): PixelImage {
  const { width, height, channels, pixels } = image;
  if (cropWidth === width && cropHeight === height) return image;
  const { top, left } = cropOrigin(height, width, cropHeight, cropWidth);

  const output = new Uint8Array(cropWidth * cropHeight * channels);
  const firstColumn = Math.max(0, -left);
  const lastColumn = Math.min(cropWidth, width - left);
  if (lastColumn > firstColumn) {
    for (let row = 0; row < cropHeight; row++) {
      const sourceRow = row + top;
      if (sourceRow < 0 || sourceRow >= height) continue;
      const from = (sourceRow * width + left + firstColumn) * channels;
      const to = (sourceRow * width + left + lastColumn) * channels;
      output.set(pixels.subarray(from, to), (row * cropWidth + firstColumn) * channels);
    }
  }
  return { width: cropWidth, height: cropHeight, channels, pixels: output };
}

/**
 * The resize to width × height of only the part the center crop that follows keeps (all of it along a
 * side where the crop pads): the crop then takes all of the result, or pads it as it would have padded
 * the whole resized image.
 */
function resizeKept(image: PixelImage, width: number, height: number, [cropHeight, cropWidth]: [number, number]): PixelImage {
  const { top, left } = cropOrigin(height, width, cropHeight, cropWidth);
  const keptTop = Math.max(0, top);
  const keptLeft = Math.max(0, left);
  return resizeBilinear(image, width, height, 'fastest', {
    top: keptTop,
    left: keptLeft,
    height: Math.min(height, top + cropHeight) - keptTop,
    width: Math.min(width, left + cropWidth) - keptLeft,
  });
}

/** PIL's convert('L') from RGB: ITU-R 601-2 luma in 16-bit fixed point (Convert.c, L24). */
export function rgbToLuma(image: PixelImage): PixelImage {
  const { width, height, pixels } = image;
  const luma = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < luma.length; i++, p += 3) {
    luma[i] = (pixels[p] * 19595 + pixels[p + 1] * 38470 + pixels[p + 2] * 7471 + 0x8000) >> 16;
  }
  return { width, height, channels: 1, pixels: luma };
}

function replicateGray(gray: Uint8Array, channels: number): Uint8Array {
  const output = new Uint8Array(gray.length * channels);
  for (let i = 0, o = 0; i < gray.length; i++) for (let c = 0; c < channels; c++) output[o++] = gray[i];
  return output;
}

/**
 * ToTensor then Normalize, in torch's float32 arithmetic: x = v / 255, then (x - mean) / std, each
 * operation rounded to float32 (a double result of two float32 operands rounds correctly). Only 256
 * inputs exist per channel, so each channel is a table lookup; HWC pixels become CHW planes in one pass.
 */
function toTensor(image: PixelImage, spec: PreprocessOptions, into?: Float32Array): Float32Array {
  const { width, height, channels, pixels } = image;
  const plane = width * height;
  const data = into?.length === channels * plane ? into : new Float32Array(channels * plane);
  const table = new Float32Array(256 * channels);
  const normalize = spec.mean.length > 0;
  for (let c = 0; c < channels; c++) {
    const mean = Math.fround(normalize ? spec.mean[spec.mean.length === 1 ? 0 : c] : 0);
    const std = Math.fround(normalize ? spec.std[spec.std.length === 1 ? 0 : c] : 1);
    for (let v = 0; v < 256; v++) {
      const x = Math.fround(v / 255);
      table[c * 256 + v] = normalize ? Math.fround(Math.fround(x - mean) / std) : x;
    }
  }
  if (channels === 3) {
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      data[i] = table[pixels[p]];
      data[plane + i] = table[256 + pixels[p + 1]];
      data[2 * plane + i] = table[512 + pixels[p + 2]];
    }
    return data;
  }
  for (let c = 0; c < channels; c++) {
    for (let i = 0, p = c; i < plane; i++, p += channels) data[c * plane + i] = table[c * 256 + pixels[p]];
  }
  return data;
}

function outputChannels(spec: PreprocessOptions, input: Chw): number {
  return spec.grayscale ? input[0] : 3;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** Validates the spec and the network input, and fails early when the output shape is known not to fit. */
function checkSpec(spec: PreprocessOptions, input: Chw): void {
  if (Array.isArray(input) && input.length === 4) {
    throw new PreprocessError(`The network takes a clip (C×T×H×W ${formatDims(input)}): give it a folder of frames, an animated GIF or WebP, or a video, not one image`);
  }
  if (!Array.isArray(input) || input.length !== 3 || !input.every(isPositiveInteger)) {
    throw new PreprocessError(`The network input must be [C, H, W] of positive integers, got ${JSON.stringify(input)}`);
  }
  const { resize, centerCrop: crop } = spec;
  if (resize !== undefined) {
    const valid = Array.isArray(resize)
      ? resize.length === 2 && resize.every(isPositiveInteger)
      : isPositiveInteger(resize);
    if (!valid) {
      throw new PreprocessError(
        `resize needs a positive whole number (the shorter side) or [height, width], got ${JSON.stringify(resize)}`,
      );
    }
  }
  if (crop !== undefined && !(Array.isArray(crop) && crop.length === 2 && crop.every(isPositiveInteger))) {
    throw new PreprocessError(`center_crop needs [height, width] of positive whole numbers, got ${JSON.stringify(crop)}`);
  }
  for (const [what, size] of [
    ['center_crop', crop],
    ['resize', Array.isArray(resize) ? resize : undefined],
  ] as const) {
    if (size && size[0] * size[1] > MAX_RESIZED_PIXELS) {
      throw new PreprocessError(
        `${what}(${size[0]}, ${size[1]}) would make a ${(size[0] * size[1]) / 1e6} MP image, over the ` +
          `${MAX_RESIZED_PIXELS / 1e6} MP limit`,
      );
    }
  }
  if (spec.grayscale && input[0] !== 1 && input[0] !== 3) {
    throw new PreprocessError(
      `grayscale gives 1 or 3 channels, but the network input is ${formatDims(input)} (${input[0]} channels)`,
    );
  }
  checkNormalize(spec, outputChannels(spec, input));
  const channels = outputChannels(spec, input);
  const knownSize = crop ?? (Array.isArray(resize) ? resize : undefined);
  if (channels !== input[0] || (knownSize && (knownSize[0] !== input[1] || knownSize[1] !== input[2]))) {
    const [height, width] = knownSize ?? [input[1], input[2]];
    checkShape(spec, [channels, height, width], input);
  }
}

function checkNormalize(spec: PreprocessOptions, channels: number): void {
  const { mean, std } = spec;
  if (!Array.isArray(mean) || !Array.isArray(std)) {
    throw new PreprocessError('normalize needs mean and std lists');
  }
  if (mean.length === 0 && std.length === 0) return;
  for (const [name, values] of [['mean', mean], ['std', std]] as const) {
    if (values.length !== 1 && values.length !== channels) {
      throw new PreprocessError(
        `normalize ${name} has ${values.length} values but the image has ${channels} channel${channels === 1 ? '' : 's'}; ` +
          `give 1 or ${channels}`,
      );
    }
    if (!values.every((value) => typeof value === 'number' && Number.isFinite(value))) {
      throw new PreprocessError(`normalize ${name} must be finite numbers, got ${JSON.stringify(values)}`);
    }
  }
  if (std.some((value) => Math.fround(value) === 0)) {
    throw new PreprocessError(`normalize std must not be zero (in float32), got ${JSON.stringify(std)}`);
  }
}

function checkShape(spec: PreprocessOptions, produced: Chw, input: Chw): void {
  if (produced[0] === input[0] && produced[1] === input[1] && produced[2] === input[2]) return;
  const advice: string[] = [];
  if (produced[0] !== input[0]) {
    advice.push(
      input[0] === 1
        ? 'add `grayscale` to the preprocess section'
        : `images give 3 channels (RGB) or, with \`grayscale\`, 1 or 3; a ${input[0]}-channel input cannot be fed from an image`,
    );
  }
  if (produced[1] !== input[1] || produced[2] !== input[2]) {
    const crop = formatCrop(input[1], input[2]);
    if (spec.centerCrop) {
      advice.push(`change \`${formatCrop(spec.centerCrop[0], spec.centerCrop[1])}\` to \`${crop}\``);
    } else if (Array.isArray(spec.resize)) {
      advice.push(`change \`${formatResize(spec.resize)}\` to \`resize(${input[1]}, ${input[2]})\` or add \`${crop}\``);
    } else if (spec.resize !== undefined) {
      advice.push(`add \`${crop}\` after \`${formatResize(spec.resize)}\``);
    } else {
      advice.push(`add \`resize(${Math.max(input[1], input[2])})\` and \`${crop}\` to the preprocess section`);
    }
  }
  throw new PreprocessError(
    `Preprocessing gives ${formatDims(produced)} but the network input is ${formatDims(input)}: ${advice.join('; ')}`,
  );
}



function formatCrop(height: number, width: number): string {
  return height === width ? `center_crop(${height})` : `center_crop(${height}, ${width})`;
}

function formatResize(resize: number | [number, number]): string {
  return Array.isArray(resize) ? `resize(${resize[0]}, ${resize[1]})` : `resize(${resize})`;
}
