// A fixed avgpool window on a clip: torch's avg_pool3d refuses an input smaller than the kernel along
// any axis, even where the padding makes the window fit; avg_pool2d and max_pool3d do not. Our
// verdicts and shapes against torch's own, on both sides of that line.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { analyze } from '../../../language/core/analysis';
import { PYTHON } from '../dataflow/oracle';

const cases: { input: number[]; op: 'avgpool' | 'maxpool'; kernel: number[]; padding: number[] }[] = [
  { input: [2, 1, 9, 8], op: 'avgpool', kernel: [3, 3, 3], padding: [1, 1, 1] },
  { input: [2, 1, 9, 8], op: 'avgpool', kernel: [3, 1, 1], padding: [1, 0, 0] },
  { input: [2, 2, 9, 8], op: 'avgpool', kernel: [1, 3, 3], padding: [0, 1, 1] },
  { input: [2, 3, 2, 8], op: 'avgpool', kernel: [1, 3, 3], padding: [0, 1, 1] },
  { input: [2, 3, 9, 8], op: 'avgpool', kernel: [3, 3, 3], padding: [0, 0, 0] },
  { input: [2, 1, 9, 8], op: 'maxpool', kernel: [3, 3, 3], padding: [1, 1, 1] },
  { input: [2, 1, 8], op: 'avgpool', kernel: [3, 3], padding: [1, 1] },
];

const torch: (number[] | string)[] = JSON.parse(
  execFileSync(PYTHON, ['-c', `
import json, sys, torch
from torch.nn import functional as F
out = []
for c in json.loads(sys.argv[1]):
    x = torch.zeros([1] + c['input'])
    pool = {('avgpool', 5): F.avg_pool3d, ('avgpool', 4): F.avg_pool2d, ('maxpool', 5): F.max_pool3d}[(c['op'], x.dim())]
    try:
        out.append(list(pool(x, c['kernel'], 1, c['padding']).shape))
    except RuntimeError as error:
        out.append(str(error))
print(json.dumps(out))
`, JSON.stringify(cases)], { encoding: 'utf8' }),
);

test('a fixed window on a clip is refused where torch refuses it (RS0522), and sized as torch sizes it elsewhere', () => {
  cases.forEach((c, i) => {
    const tuple = (v: number[]) => `(${v.join(', ')})`;
    const text = `network n {\n  input ${c.input.join('x')}\n  pool ${c.op}(kernel=${tuple(c.kernel)}, stride=1, padding=${tuple(c.padding)})\n}\n`;
    const analysis = analyze(text);
    const expected = torch[i]!;
    const label = `${c.op} kernel ${tuple(c.kernel)} padding ${tuple(c.padding)} on ${c.input.join('×')}: torch ${JSON.stringify(expected)}`;
    if (typeof expected === 'string') {
      assert.match(expected, /smaller than kernel size/, label);
      assert.deepEqual(analysis.diagnostics.map((d) => d.code), ['RS0522'], label);
    } else {
      assert.deepEqual(analysis.diagnostics.map((d) => d.message), [], label);
      assert.deepEqual(analysis.networks[0]!.outputShape, expected, label);
    }
  });
});
