// Where a message points in a .resnet file, as `file:line:column` (one-based): the CLI's one place
// that turns the core's offsets into lines and columns for people.

import type { LineMap } from '../language/core/positions';
import type { Span } from '../language/core/syntax';

export function where(file: string, lines: LineMap, span: Span): string {
  const { line, character } = lines.position(span.start);
  return `${file}:${line + 1}:${character + 1}`;
}
