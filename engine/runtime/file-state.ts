// What a path a network names (its `weights`, its `labels`) is on disk, for the RS0902 check that the
// language server and `check` make beside the pure analysis (language/core/file-checks.ts).
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FileState } from '../../language/core/file-checks';

/** The state of each path, relative to `folder` (the .resnet file's). */
export function fileStateIn(folder: string): (path: string) => FileState {
  return (path) => {
    const full = resolve(folder, path);
    try {
      const info = statSync(full);
      if (info.isDirectory()) return 'directory';
      if (!info.isFile()) return 'special';
      accessSync(full, constants.R_OK);
      return 'readable';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : code === 'ELOOP' ? 'loop' : 'unreadable';
    }
  };
}
