// Checks the editor makes beyond `analyze()`: files too large to analyse while typing, and the
// `weights` / `labels` files a network names. They need the file system or the editor's limits, so
// they are not part of the pure analysis and its diagnostic catalogue; their codes are listed here and
// in docs/editor.md, numbered apart from analyze()'s.

import type { Analysis } from './analysis';
import type { Diagnostic } from './model';

/** Larger files are not analysed (about half a second of analysis per megabyte on our machines). */
export const maxAnalysedLength = 512 * 1024;

export function tooLargeDiagnostic(length: number): Diagnostic {
  return {
    code: 'RS0901',
    severity: 'error',
    message: `This file is ${formatBytes(length)}: ResNet Studio analyses .resnet files up to ${formatBytes(maxAnalysedLength)}.`,
    span: { start: 0, end: 0 },
    related: [],
    fixes: [],
  };
}

export type FileState = 'readable' | 'missing' | 'directory' | 'special' | 'loop' | 'unreadable';

/** `weights` and `labels` paths that do not name a readable file, as `state(path)` reports them. */
export function referencedFileDiagnostics(analysis: Analysis, state: (path: string) => FileState): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const network of analysis.networks) {
    for (const what of ['weights', 'labels'] as const) {
      const declaration = network[what];
      if (!declaration) continue;
      const problem = declaration.path === '' ? 'is empty' : describe(state(declaration.path));
      if (problem) found.push({ code: 'RS0902', severity: 'error', message: `The ${what} file '${declaration.path}' ${problem}.`, span: declaration.range, related: [], fixes: [] });
    }
  }
  return found;
}

function describe(state: FileState): string | undefined {
  switch (state) {
    case 'readable':
      return undefined;
    case 'missing':
      return 'does not exist (paths are relative to this file)';
    case 'directory':
      return 'is a folder, not a file';
    case 'special':
      return 'is not a regular file (a device, pipe or socket)';
    case 'loop':
      return 'cannot be read: its symbolic links form a loop';
    case 'unreadable':
      return 'cannot be read (check its permissions)';
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`;
}
