// The differential test against PyTorch, bounded for CI: 300 seeded random networks (about a
// minute on two cores) must agree with torch on every verdict, shape, count, key and logit; clips with
// blocks of named values among them.
// `npm run difftest -- --count N --seed S` runs the long version (test/difftest/README.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDisagreement, runDifftest, summary } from '../../difftest/run';

test('300 random networks agree with torch and torchvision', { timeout: 600_000 }, async () => {
  const result = await runDifftest({ seed: 1, start: 0, count: 300 });
  console.log(summary(result));
  assert.ok(result.verdicts['both ran'] > 150 && result.verdicts['both rejected'] > 20, `the generator lost its mix: ${summary(result)}`);
  assert.ok(result.clips.dataflowRan > 5, `too few clips with dataflow stages ran: ${summary(result)}`);
  assert.equal(result.disagreements.length, 0, `${summary(result)}\n\n${result.disagreements.map(formatDisagreement).join('\n\n')}`);
});
