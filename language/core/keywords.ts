// Every reserved word of the language, once. The parser, formatter, name checks, the server's
// completion and rename, and the TextMate grammar (checked against this file by a test) read them here.

/** Words that start a declaration (`sequential` is a block whose members are named by position). */
export const declarationKeywords = ['network', 'block', 'sequential'] as const;
/** Statements only a network has. */
export const networkStatements = ['input', 'weights', 'labels', 'preprocess'] as const;
/** Statements only a block has (besides the residual add `+`). */
export const blockStatements = ['expansion', 'require'] as const;
/** Words that start a statement unless followed by `=` (then they name a constant). */
export const statementKeywords: ReadonlySet<string> = new Set([...networkStatements, ...blockStatements]);
export const wordOperators: ReadonlySet<string> = new Set(['and', 'or', 'not', 'if', 'else']);
export const booleans = ['true', 'false'] as const;
/** Names the language defines inside a block (`input`, the block's input, is also a network statement). */
export const builtinNames = ['input', 'in_channels', 'expansion'] as const;

/** Functions of a block's named values besides the ops of the table (`cat(a, b)`, `split(x, 32)`), and nn.Sequential. */
export const tensorFunctions = ['cat', 'split', 'chunk', 'sequential'] as const;

export const shortcutKinds = ['shortcut', 'identity', 'projection', 'zeropad'] as const;
export const preprocessSteps = ['grayscale', 'resize', 'center_crop', 'normalize'] as const;
export const preprocessPresets = ['imagenet', 'kinetics'] as const;

/** Words that cannot be renamed into or out of: they mean something to the language. */
export const reservedWords: ReadonlySet<string> = new Set([...declarationKeywords, ...statementKeywords, ...wordOperators, ...booleans, ...builtinNames]);
