// Path cases: each builds a small workspace folder (valid weights, a real image)
// and names the paths a request uses; `between` runs after the check before a run (the file is
// readable) and before the worker loads it. Each entry's expected message is <name>.expected here.
import { mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface PathCase {
  description: string;
  /** Creates what the case needs in `dir` (which holds weights.safetensors for tiny.resnet, fashion.safetensors and image.png for the Fashion-MNIST example) and names the paths. */
  setup(dir: string): { weights: string; image?: string };
  /** After the check, before the load: the file changes under us. */
  between?(dir: string): void;
}

export const generated: Record<string, PathCase> = {
  'weights-directory': {
    description: '`weights` names a directory',
    setup: (dir) => (mkdirSync(join(dir, 'folder.safetensors')), { weights: join(dir, 'folder.safetensors') }),
  },
  'weights-missing': { description: '`weights` names a file that does not exist', setup: (dir) => ({ weights: join(dir, 'missing.safetensors') }) },
  'weights-symlink': {
    description: '`weights` names a symlink to the valid file (followed: it runs)',
    setup: (dir) => (symlinkSync(join(dir, 'weights.safetensors'), join(dir, 'link.safetensors')), { weights: join(dir, 'link.safetensors') }),
  },
  'weights-symlink-dangling': {
    description: '`weights` names a symlink whose target does not exist',
    setup: (dir) => (symlinkSync(join(dir, 'gone.safetensors'), join(dir, 'dangling.safetensors')), { weights: join(dir, 'dangling.safetensors') }),
  },
  'weights-symlink-loop': {
    description: '`weights` names a symlink to itself',
    setup: (dir) => (symlinkSync(join(dir, 'loop.safetensors'), join(dir, 'loop.safetensors')), { weights: join(dir, 'loop.safetensors') }),
  },
  'weights-device': { description: '`weights` names /dev/zero, a device that reads as endless zero bytes', setup: () => ({ weights: '/dev/zero' }) },
  'weights-outside-workspace': {
    description: '`weights` names a file outside the workspace folder (../): runs, since inference runs only in a trusted workspace',
    setup: (dir) => {
      mkdirSync(join(dir, 'workspace'));
      return { weights: join(dir, 'workspace', '..', 'weights.safetensors') };
    },
  },
  'weights-disappears': {
    description: 'the weights file is deleted between the check and the load',
    setup: (dir) => ({ weights: join(dir, 'weights.safetensors') }),
    between: (dir) => rmSync(join(dir, 'weights.safetensors')),
  },
  'weights-becomes-directory': {
    description: 'the weights file is replaced by a directory between the check and the load',
    setup: (dir) => ({ weights: join(dir, 'weights.safetensors') }),
    between: (dir) => (rmSync(join(dir, 'weights.safetensors')), mkdirSync(join(dir, 'weights.safetensors'))),
  },
  'image-directory': {
    description: 'the image is a directory named .png',
    setup: (dir) => (mkdirSync(join(dir, 'photos.png')), { weights: join(dir, 'fashion.safetensors'), image: join(dir, 'photos.png') }),
  },
  'image-missing': { description: 'the image does not exist', setup: (dir) => ({ weights: join(dir, 'fashion.safetensors'), image: join(dir, 'missing.png') }) },
  'image-symlink': {
    description: 'the image is a symlink to a real image (followed: it runs)',
    setup: (dir) => (symlinkSync(join(dir, 'image.png'), join(dir, 'link.png')), { weights: join(dir, 'fashion.safetensors'), image: join(dir, 'link.png') }),
  },
  'image-disappears': {
    description: 'the image is moved away between the check and the load',
    setup: (dir) => ({ weights: join(dir, 'fashion.safetensors'), image: join(dir, 'image.png') }),
    between: (dir) => renameSync(join(dir, 'image.png'), join(dir, 'elsewhere.png')),
  },
};
