// The differential test against PyTorch, long: `npm run difftest -- --count N --seed S [--start I]
// [--batch B] [--keep DIR]`. Generates N random networks from seed S (indices I … I+N-1), compares
// our analysis and ONNX export with torch on each, prints every disagreement and a summary line, and
// exits 1 when there is one; a network whose logits agree only against torch in float64 gets a line
// of its own (≈). --keep DIR writes each disagreeing case's .resnet and torch description.
import { parseArgs } from 'node:util';
import { tsImport } from 'tsx/esm/api';

const { runDifftest, summary, formatDisagreement, formatConditioned } = await tsImport('../test/difftest/run.ts', import.meta.url);

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    start: { type: 'string', default: '0' },
    batch: { type: 'string', default: '50' },
    keep: { type: 'string' },
  },
});
const number = (name) => {
  const value = Number(values[name]);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} needs a whole number, not ${values[name]}`);
  return value;
};

let shown = 0;
let noted = 0;
const count = number('count');
const result = await runDifftest({
  seed: number('seed'),
  start: number('start'),
  count,
  batch: Math.max(1, number('batch')),
  keep: values.keep,
  onBatch: (progress) => {
    for (const d of progress.disagreements.slice(shown)) console.log(`${formatDisagreement(d)}\n`);
    shown = progress.disagreements.length;
    for (const c of progress.conditioned.slice(noted)) console.log(formatConditioned(c));
    noted = progress.conditioned.length;
    if (progress.networks < count) console.error(summary(progress));
  },
});
console.log(summary(result));
process.exit(result.disagreements.length ? 1 : 0);
