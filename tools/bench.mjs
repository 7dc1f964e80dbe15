// `npm run bench`: every benchmark in tools/bench/, one after another (they measure; none fails on
// a slow machine). `node tools/bench.mjs language` runs the ones whose name matches.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const filters = process.argv.slice(2);
const scripts = readdirSync('tools/bench')
  .filter((f) => f.endsWith('.mjs') && (filters.length === 0 || filters.some((x) => f.includes(x))))
  .sort();
let failed = false;
for (const script of scripts) {
  console.log(`\n=== ${script}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `tools/bench/${script}`], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
