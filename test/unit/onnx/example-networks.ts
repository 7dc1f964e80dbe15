// Networks analysed from the example files, the way every user of the engine gets them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../language/core/analysis';
import type { Network } from '../../../language/core/model';

export const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

/** The example file that defines a network of that name. */
export function exampleFile(name: string): string {
  if (name === 'fashion_resnet20') return join(EXAMPLES, 'fashion-mnist', 'resnet20.resnet');
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
