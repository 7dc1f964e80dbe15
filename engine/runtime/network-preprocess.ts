// What a network's images go through before it: its preprocess section, or without one the image as
// torchvision's ToTensor gives it ([0, 1], no resizing; grayscale for a 1-channel input).
import type { Network, PreprocessSpec } from '../../language/core/model';

export function networkPreprocess(network: Network): PreprocessSpec {
  if (network.preprocess) return network.preprocess;
  const channels = network.input?.[0] ?? 3;
  return { grayscale: channels === 1, mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1), range: network.range };
}
