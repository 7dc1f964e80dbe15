// Every diagnostic the language reports: its stable code, severity and message, in one table.

import type { Diagnostic, Fix, RelatedInformation, Severity } from './model';
import type { Span } from './syntax';

const table = {
  // Syntax
  unexpected: ['RS0001', 'error', (expected: string, found: string) => `Expected ${expected}, found ${found}.`],
  unterminatedString: ['RS0002', 'error', () => 'Unterminated string: add the closing ".'],
  invalidCharacter: ['RS0003', 'error', (ch: string) => `Invalid character ${ch}.`],
  tooDeep: ['RS0004', 'error', (limit: number) => `Nesting deeper than ${limit} levels.`],
  unclosed: ['RS0005', 'error', (what: string) => `Unclosed ${what}: add '}'.`],
  // Names and arguments
  unknownCallee: ['RS0101', 'error', (name: string, hint: string) => `Unknown layer or block '${name}'.${hint}`],
  unknownParameter: ['RS0102', 'error', (name: string, callee: string, hint: string) => `'${callee}' has no parameter '${name}'.${hint}`],
  missingArgument: ['RS0103', 'error', (name: string, callee: string) => `Missing argument '${name}' for '${callee}'.`],
  duplicateArgument: ['RS0104', 'error', (name: string) => `Argument '${name}' is given twice.`],
  tooManyArguments: ['RS0105', 'error', (callee: string, count: number) => `'${callee}' takes at most ${count} positional argument${count === 1 ? '' : 's'}.`],
  duplicateName: ['RS0106', 'error', (name: string) => `Duplicate name '${name}': its weight keys would collide.`],
  unnamedWeights: ['RS0107', 'error', (callee: string) => `An unnamed '${callee}' has weights and needs a name (its weight keys start with it): write 'name ${callee}(…)'.`],
  unknownName: ['RS0108', 'error', (name: string, hint: string) => `Unknown name '${name}'.${hint}`],
  duplicateDeclaration: ['RS0109', 'error', (kind: string, name: string) => `Duplicate ${kind} '${name}'.`],
  unknownShortcut: ['RS0110', 'error', (name: string, hint: string) => `Unknown shortcut '${name}': use shortcut, identity, projection or zeropad.${hint}`],
  recursiveBlock: ['RS0111', 'error', (name: string) => `Block '${name}' calls itself.`],
  addOutsideBlock: ['RS0112', 'error', () => 'A residual add (+) belongs inside a block: it adds the block input.'],
  misplaced: ['RS0113', 'error', (what: string, where: string) => `'${what}' is not allowed in ${where}.`],
  unknownPreprocess: ['RS0114', 'error', (name: string, hint: string) => `Unknown preprocess step '${name}': use grayscale, resize, center_crop or normalize (or 'preprocess imagenet').${hint}`],
  sequentialName: ['RS0130', 'error', (name: string) => `A sequential names its members by position (0, 1, …), as nn.Sequential: remove the name '${name}'.`],
  secondAdd: ['RS0116', 'error', () => 'A block has at most one residual add (+): it adds the block input once, at the end of the main path.'],
  duplicateStatement: ['RS0115', 'error', (what: string) => `'${what}' is given twice.`],
  // Network structure
  missingInput: ['RS0201', 'error', (name: string) => `Network '${name}' has no input: add 'input CxHxW', e.g. 'input 3x224x224'.`],
  badRepeat: ['RS0202', 'error', (count: number) => `Repeat count must be at least 1, got ${count}.`],
  tooLarge: ['RS0203', 'error', (limit: number) => `The network expands to more than ${limit} layers.`],
  badInput: ['RS0204', 'error', (text: string, problem: string) => `Input must be CxHxW (or CxTxHxW for a clip), ${problem}: '${text}'.`],
  // Values
  badValue: ['RS0301', 'error', (what: string, detail: string) => `${what}: ${detail}`],
  notInteger: ['RS0302', 'error', (what: string, value: string) => `${what} must be a whole number, got ${value}.`],
  divisionByZero: ['RS0303', 'error', () => 'Division by zero.'],
  outOfRange: ['RS0304', 'error', (what: string, value: string, limit: string) => `${what} is ${value}, beyond the limit of ${limit}.`],
  // Blocks
  requirement: ['RS0401', 'error', (message: string) => message],
  // Shapes
  addChannels: ['RS0501', 'error', (main: string, shortcut: string, kind: string, culprit: string) => `Residual add: the main path gives ${main} but the ${kind} shortcut carries ${shortcut}.${culprit}`],
  addSpatial: ['RS0502', 'error', (main: string, shortcut: string, kind: string, culprit: string) => `Residual add: the main path gives ${main} but the ${kind} shortcut carries ${shortcut}.${culprit}`],
  groups: ['RS0503', 'error', (groups: number, inC: number, outC: number) => `groups=${groups} must divide both input channels (${inC}) and output channels (${outC}).`],
  collapsed: ['RS0504', 'error', (op: string, input: string, output: string) => `${op} shrinks ${input} below 1×1 (${output}).`],
  strideDrops: ['RS0505', 'warning', (op: string, size: number, dropped: number, stride: number) => `${op}: with stride ${stride} the last ${dropped === 1 ? 'row/column' : dropped + ' rows/columns'} of the odd size ${size} ${dropped === 1 ? 'is' : 'are'} never read.`],
  linearInput: ['RS0506', 'error', (detail: string) => detail],
  zeropad: ['RS0507', 'error', (detail: string) => detail],
  channels: ['RS0508', 'error', (detail: string) => detail],
  catSpatial: ['RS0511', 'error', (detail: string) => detail],
  splitNotDividing: ['RS0512', 'error', (detail: string) => detail],
  broadcast: ['RS0513', 'error', (detail: string) => detail],
  sharedShape: ['RS0514', 'error', (module: string, here: string, first: string, cause: string) => `'${module}' is one module applied to ${first} where it is written and to ${here} here: a shared module takes one shape (its weights are made for it).${cause}`],
  tensorExpression: ['RS0515', 'error', (detail: string) => detail],
  axes: ['RS0520', 'error', (detail: string) => detail],
  rank: ['RS0521', 'error', (detail: string) => detail],
  clipWindow: ['RS0522', 'error', (op: string, axis: string, size: number, kernel: number) => `${op} on a clip: ${axis} is ${size}, smaller than the kernel (${kernel}); torch's avg_pool3d needs every axis at least the kernel, before padding.`],
  paddingOnly: ['RS0510', 'warning', (axis: string, index: number) => `maxpool: output ${axis} ${index} is pooled from padding only, where PyTorch gives −inf: reduce the padding or the dilation, or turn off ceil mode.`],
} as const;

type Table = typeof table;
export type ProblemKind = keyof Table;
type MessageArgs<K extends ProblemKind> = Table[K][2] extends (...args: infer A) => string ? A : never;

export function problem<K extends ProblemKind>(
  kind: K,
  span: Span,
  args: MessageArgs<K>,
  extra: { related?: RelatedInformation[]; fixes?: Fix[] } = {},
): Diagnostic {
  const [code, severity, format] = table[kind];
  return {
    code,
    severity,
    message: (format as (...a: unknown[]) => string)(...(args as unknown[])),
    span,
    related: extra.related ?? [],
    fixes: extra.fixes ?? [],
  };
}

/** All codes with their severity, for documentation and tests. */
export const diagnosticCodes: { kind: ProblemKind; code: string; severity: Severity }[] = Object.entries(table).map(
  ([kind, [code, severity]]) => ({ kind: kind as ProblemKind, code, severity }),
);

/** "Did you mean" by edit distance, for unknown names. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

export const didYouMean = (suggestion: string | undefined) => (suggestion ? ` Did you mean '${suggestion}'?` : '');
