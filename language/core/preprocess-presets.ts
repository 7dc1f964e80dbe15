// The preprocessing presets (`preprocess imagenet`), and a spec in words for results and completion.
import { formatDims } from './format';
import type { preprocessPresets } from './keywords';
import type { PreprocessSpec } from './model';

export const presetSpecs: Record<(typeof preprocessPresets)[number], Omit<PreprocessSpec, 'range' | 'preset'>> = {
  imagenet: { resize: 256, centerCrop: [224, 224], grayscale: false, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  // torchvision's VideoClassification preset (r3d_18, mc3_18, r2plus1d_18): every frame resized as a
  // uint8 tensor (bilinear, no antialias) to exactly 128×171, then cropped.
  kinetics: { resize: [128, 171], antialias: false, centerCrop: [112, 112], grayscale: false, mean: [0.43216, 0.394666, 0.37645], std: [0.22803, 0.22145, 0.216989] },
};

/** The steps in words: "kinetics: resize to 128×171 (bilinear, no antialias), center crop 112×112, normalize …". */
export function preprocessText(spec: Omit<PreprocessSpec, 'range'>): string {
  const steps: string[] = [];
  if (spec.grayscale) steps.push('grayscale');
  if (typeof spec.resize === 'number') steps.push(`resize the shorter side to ${spec.resize}${spec.antialias === false ? ' (bilinear, no antialias)' : ''}`);
  else if (spec.resize) steps.push(`resize to ${formatDims(spec.resize)}${spec.antialias === false ? ' (bilinear, no antialias)' : ''}`);
  if (spec.centerCrop) steps.push(`center crop ${formatDims(spec.centerCrop)}`);
  const identity = spec.mean.every((m) => m === 0) && spec.std.every((s) => s === 1);
  steps.push(identity ? 'scale to [0, 1]' : `normalize mean ${spec.mean.join('/')} std ${spec.std.join('/')}`);
  return `${spec.preset ? `${spec.preset}: ` : ''}${steps.join(', ')}`;
}
