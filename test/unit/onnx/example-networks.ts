// Networks analysed from the example files, the way every user of the engine gets them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../language/core/analysis';
import type { Network } from '../../../language/core/model';

export const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

/** The ten torchvision ResNets, each in examples/<name>.resnet. */
export const TORCHVISION_NAMES = [
  'resnet18',
  'resnet34',
  'resnet50',
  'resnet101',
  'resnet152',
  'resnext50_32x4d',
  'resnext101_32x8d',
  'resnext101_64x4d',
  'wide_resnet50_2',
  'wide_resnet101_2',
];

/** test/unit/onnx/zeropad_mix.resnet: the layers no example exercises against torch weights. */
export const ZEROPAD_MIX = join(__dirname, 'zeropad_mix.resnet');

/** The example file that defines a network of that name. */
export function exampleFile(name: string): string {
  if (name === 'fashion_resnet20') return join(EXAMPLES, 'fashion-mnist', 'resnet20.resnet');
  if (name === 'zeropad_mix') return ZEROPAD_MIX;
  return join(EXAMPLES, `${name}.resnet`);
}

/** Every network of a file; a file with errors is a broken test fixture, so it throws. */
export function analyzeFile(file: string): Network[] {
  const analysis = analyze(readFileSync(file, 'utf8'));
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`${file}: ${errors.map((e) => `${e.code} ${e.message}`).join('; ')}`);
  return analysis.networks;
}

export function exampleNetwork(name: string): Network {
  const file = exampleFile(name);
  const network = analyzeFile(file).find((n) => n.name === name);
  if (!network) throw new Error(`${file} defines no network ${name}`);
  return network;
}
