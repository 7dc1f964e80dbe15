// The differential test's check of our PyTorch export (test/difftest/README.md, item 4) catches a
// wrong module: seed 1 index 1's export as written agrees with torch, and the same export with its last
// activation left out, a weight renamed, or a forward that fails is a `PyTorch export` difference of
// its own, while the analysis and the ONNX export of the same network still agree.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareCase, prepareCase } from '../../difftest/compare';
import { generateCase, type Case } from '../../difftest/generate';
import { runTorch } from '../../difftest/torch-oracle';

/** Seed 1 index 1 again under another index (its files are named by it); its weights and input depend on its seed only. */
const copy = (c: Case, index: number): Case => ({ ...c, description: { ...c.description, index } });

test('a wrong PyTorch export is a PyTorch export difference; the analysis and ONNX export still agree', { timeout: 120_000 }, async () => {
  const folder = await mkdtemp(join(tmpdir(), 'resnet-studio-export-check-'));
  try {
    const original = generateCase(1, 1);
    const wrongs: [string, (module: string) => string, RegExp][] = [
      ['as written', (m) => m, /^$/],
      ['without its last sigmoid', (m) => m.replace('self.sigmoid = nn.Sigmoid()', 'self.sigmoid = nn.Identity()'), /^logits differ: max \|PyTorch export − torch\|/],
      ['with fc renamed head', (m) => m.replace('self.fc = ', 'self.head = ').replace('self.fc(', 'self.head('), /^torch fails on the export: RuntimeError: Error\(s\) in loading state_dict.*Missing key\(s\) in state_dict: "head\.weight"/s],
      ['with a forward that fails', (m) => m.replace('x = self.layer3(x)', 'x = self.layer3(x[:, :1])'), /^torch fails on the export: RuntimeError: .*channels/s],
    ];
    const cases = wrongs.map((_, i) => copy(original, 1000 + i));
    const ours = [];
    for (const [i, c] of cases.entries()) {
      ours.push(await prepareCase(c, folder));
      const module = join(folder, `${c.description.index}.py`);
      const text = await readFile(module, 'utf8');
      const wrong = wrongs[i]![1](text);
      assert.ok(i === 0 || wrong !== text, `${wrongs[i]![0]}: the export no longer reads as expected`);
      await writeFile(module, wrong);
    }
    const results = await runTorch(cases.map((c) => c.description), folder);
    for (const [i, c] of cases.entries()) {
      const [what, , expected] = wrongs[i]!;
      const comparison = await compareCase(c, ours[i]!, results.get(c.description.index)!, folder);
      assert.ok(comparison.exportChecked, what);
      assert.deepEqual(comparison.differences.map((d) => d.kind), i === 0 ? [] : ['pytorch'], `${what}: ${JSON.stringify(comparison.differences)}`);
      assert.match(comparison.differences[0]?.message ?? '', expected, what);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
