// Soak, scaled down for CI (SOAK_SCALE, default 0.1: 100 inferences, 1,000 edits, each after as many
// to warm up; `node tools/soak.mjs` runs the full size): the worker's and the language server's
// resident memory after the warm-up grows by at most 10%, every request answers, and no diagnostics
// update is missed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { formatFigures, soakInference, soakLanguageServer, soakScale } from './soak';

// RSS comes from /proc/<pid>/status: Linux, where CI runs.
const limit = { timeout: Math.max(120_000, soakScale() * 1_200_000), skip: existsSync('/proc/self/status') ? false : 'needs /proc (Linux)' };

test('inferences in one worker: memory stays flat', limit, async () => {
  const figures = await soakInference(Math.round(1000 * soakScale()));
  console.log(formatFigures(figures));
  assert.ok(figures.growthPercent <= 10, formatFigures(figures));
});

test('edits through the language server: memory stays flat, the last diagnostics match the last text', limit, async () => {
  const figures = await soakLanguageServer(Math.round(10_000 * soakScale()));
  console.log(`${formatFigures(figures)}; ${figures.checks} diagnostics checks`);
  assert.ok(figures.growthPercent <= 10, formatFigures(figures));
});
