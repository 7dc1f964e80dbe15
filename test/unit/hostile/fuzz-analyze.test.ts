// Mutation fuzzing of the parser and analyzer: the examples, cut, spliced and sprinkled with
// troublesome pieces. `analyze` must return diagnostics with real positions and messages, never throw, and a file without
// errors must have every shape known.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { allNodes } from '../../../language/core/walk';
import { exampleFiles } from '../examples';
import { fuzz, fuzzSeconds } from './fuzz';

const corpus = exampleFiles.map((f) => readFileSync(f, 'utf8'));
const pieces = ['(', ')', '{', '}', '[', ']', '+ ', 'x3', '=', ',', '\n', '"', '#', '//', 'network ', 'block ', 'input ', '1e9', '0', '-1', 'identity', 'basic(', 'conv(', 'stride=2', '\u0000', '\r'];

test('mutation fuzzing of the parser and analyzer', { timeout: (fuzzSeconds() + 60) * 1000 }, async () => {
  await fuzz('analyze', (run) => {
    let text = run.pick(corpus);
    for (let m = 1 + run.below(8); m > 0; m--) {
      const at = run.below(text.length);
      const kind = run.random();
      if (kind < 0.3) text = text.slice(0, at) + text.slice(at + 1 + run.below(20));
      else if (kind < 0.6) text = text.slice(0, at) + run.pick(pieces) + text.slice(at);
      else if (kind < 0.8) {
        const other = run.pick(corpus);
        const from = run.below(other.length);
        text = text.slice(0, at) + other.slice(from, from + run.below(200)) + text.slice(at);
      } else text = text.slice(0, at) + String.fromCharCode(run.below(0x3000)) + text.slice(at + 1);
    }
    let result;
    try {
      result = analyze(text);
    } catch (error) {
      throw new Error(`analyze threw ${(error as Error).stack}\n--- input ---\n${text}`);
    }
    for (const d of result.diagnostics) assert.ok(0 <= d.span.start && d.span.start <= d.span.end && d.span.end <= text.length && d.message.length > 0, `a diagnostic outside the text or without a message\n--- input ---\n${text}`);
    if (result.diagnostics.some((d) => d.severity === 'error')) return 'with errors';
    // A file that checks clean has every shape known, so it exports.
    for (const network of result.networks) {
      for (const node of allNodes(network.children)) assert.ok(node.outputShape, `${node.name || node.kind} has no shape in a file without errors\n--- input ---\n${text}`);
    }
    return 'without errors';
  });
});
