// Bundles the extension-host side of the e2e tests with esbuild: the extension host loads plain
// CommonJS, not TypeScript. host/index.ts becomes <outDir>/index.js (the `extensionTestsPath`) and
// every suite/*.test.ts becomes <outDir>/suite/<name>.test.js, which index.js hands to mocha.
// `vscode` comes from the extension host; mocha is loaded from the repo's node_modules at run time,
// so outDir must sit inside the repo. Its CommonJS build is required directly: mocha 12's entry is an
// ES module, which the Node of older VS Code extension hosts cannot require.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export async function bundleSuites({ e2eDir, outDir }) {
  const suiteDir = join(e2eDir, 'suite');
  const suites = readdirSync(suiteDir).filter((file) => file.endsWith('.test.ts')).sort();
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    alias: { mocha: 'mocha/lib/mocha.cjs' },
    external: ['vscode', 'mocha/lib/mocha.cjs'],
    sourcemap: 'inline',
    logLevel: 'warning',
  };
  await build({ ...common, entryPoints: [join(e2eDir, 'host', 'index.ts')], outfile: join(outDir, 'index.js') });
  await build({
    ...common,
    entryPoints: suites.map((file) => ({ in: join(suiteDir, file), out: basename(file, '.ts') })),
    outdir: join(outDir, 'suite'),
  });
  return { index: join(outDir, 'index.js'), suites };
}
