// Where a location in the prelude opens. VS Code's client serves the prelude read-only under the
// `resnet-prelude:` scheme and says so in its initialization options; any other client (Neovim,
// Helix, …) can only open files, so it gets the prelude written once, read-only, to the temp folder.

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { preludeUri, type InitializationOptions } from '../../contracts/server';
import { preludeText } from '../core/prelude';

let uri = preludeUri;

export function choosePreludeLocation(options: InitializationOptions | undefined): void {
  uri = options?.servesPrelude === true ? preludeUri : (preludeFile() ?? preludeUri);
}

export const preludeLocation = (): string => uri;

/** The prelude as a read-only file named after its content; undefined when it cannot be written. */
function preludeFile(): string | undefined {
  const path = join(tmpdir(), `resnet-studio-prelude-${createHash('sha256').update(preludeText).digest('hex').slice(0, 12)}.resnet`);
  try {
    if (!existsSync(path) || readFileSync(path, 'utf8') !== preludeText) {
      writeFileSync(path, preludeText);
      chmodSync(path, 0o444);
    }
    return pathToFileURL(path).href;
  } catch {
    return undefined;
  }
}
