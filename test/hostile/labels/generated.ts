// Labels-file cases: each makes a file (or names a path) in `dir`; the labels are read as the CLI and
// the extension read them (engine/runtime/labels-file.ts). Each entry's expected message is
// <name>.expected beside this file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seeded } from '../../unit/hostile/catalogue';

export interface LabelsCase {
  description: string;
  /** Creates what the case needs in `dir` and returns the path the `labels` statement names. */
  setup(dir: string): string;
}

const file = (dir: string, name: string, bytes: Buffer | string) => (writeFileSync(join(dir, name), bytes), join(dir, name));

export const generated: Record<string, LabelsCase> = {
  valid: { description: 'three class names, one a line (the control)', setup: (dir) => file(dir, 'labels.txt', 'cat\ndog\nbird\n') },
  'crlf-bom': { description: 'a UTF-8 byte-order mark, CRLF line ends, blank lines at the end', setup: (dir) => file(dir, 'labels.txt', '\uFEFFcat\r\ndog\r\nbird\r\n\r\n\r\n') },
  empty: { description: 'an empty file', setup: (dir) => file(dir, 'labels.txt', '') },
  'random-bytes': {
    description: '64 seeded random bytes (not text)',
    setup: (dir) => {
      const random = seeded(7);
      return file(dir, 'labels.txt', Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256))));
    },
  },
  huge: { description: 'a 17 MiB file (one very long line of x)', setup: (dir) => file(dir, 'labels.txt', Buffer.alloc(17 * 1024 * 1024, 'x')) },
  directory: { description: 'a directory named labels.txt', setup: (dir) => (mkdirSync(join(dir, 'labels.txt')), join(dir, 'labels.txt')) },
  missing: { description: 'a file that does not exist', setup: (dir) => join(dir, 'labels.txt') },
  'dev-zero': { description: '/dev/zero: a device that reads as endless zero bytes', setup: () => '/dev/zero' },
  fifo: { description: 'a named pipe with no writer (reading it would wait forever)', setup: (dir) => (execFileSync('mkfifo', [join(dir, 'labels.txt')]), join(dir, 'labels.txt')) },
};
