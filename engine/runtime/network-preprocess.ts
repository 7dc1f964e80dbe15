// What a network's images go through before it: its preprocess section, or without one the image as
// torchvision's ToTensor gives it ([0, 1], no resizing; grayscale for a 1-channel input).
import { formatDims } from '../../language/core/format';
import type { Network, PreprocessSpec } from '../../language/core/model';

export function networkPreprocess(network: Network): PreprocessSpec {
  if (network.preprocess) return network.preprocess;
  const channels = network.input?.[0] ?? 3;
  return { grayscale: channels === 1, mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1), range: network.range };
}

/** The steps in words, for results: "kinetics: resize to 128×171 (bilinear, no antialias), center crop 112×112, normalize …". */
export function preprocessText(spec: PreprocessSpec): string {
  const steps: string[] = [];
  if (spec.grayscale) steps.push('grayscale');
  if (typeof spec.resize === 'number') steps.push(`resize the shorter side to ${spec.resize}${spec.antialias === false ? ' (bilinear, no antialias)' : ''}`);
  else if (spec.resize) steps.push(`resize to ${formatDims(spec.resize)}${spec.antialias === false ? ' (bilinear, no antialias)' : ''}`);
  if (spec.centerCrop) steps.push(`center crop ${formatDims(spec.centerCrop)}`);
  const identity = spec.mean.every((m) => m === 0) && spec.std.every((s) => s === 1);
  steps.push(identity ? 'scale to [0, 1]' : `normalize mean ${spec.mean.join('/')} std ${spec.std.join('/')}`);
  return `${spec.preset ? `${spec.preset}: ` : ''}${steps.join(', ')}`;
}
