import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '../..');

/** Every bundled example network file. */
export const exampleFiles = [
  ...readdirSync(join(repoRoot, 'examples'))
    .filter((f) => f.endsWith('.resnet'))
    .map((f) => join(repoRoot, 'examples', f)),
  join(repoRoot, 'examples/fashion-mnist/resnet20.resnet'),
].sort();
