// The class of a single image when its name says it, by the rules of a labelled folder
// (engine/runtime/dataset.ts, class-folders.ts): a file name ending in _<class index>, or a folder
// named by a class's label or index. Shown beside the prediction of a single image.
import { basename, dirname } from 'node:path';
import { classesNamed } from './class-folders';
import { suffixClass } from './dataset';

export interface TrueClass {
  index: number;
  from: 'file name' | 'folder name';
}

export function trueClass(path: string, classes: number, labels: readonly string[] | undefined): TrueClass | undefined {
  const suffix = suffixClass(basename(path));
  if (suffix !== undefined && suffix < classes) return { index: suffix, from: 'file name' };
  const byFolder = classesNamed(classes, labels)(basename(dirname(path)));
  return byFolder.length === 1 ? { index: byFolder[0]!, from: 'folder name' } : undefined;
}
