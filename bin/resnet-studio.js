#!/usr/bin/env node
// The CLI is the bundle dist/cli.js, which `npm run build` makes: without it, say so instead of a stack trace.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`resnet-studio: ${cli} is not built yet: run \`npm run build\` in ${root} first\n`);
  process.exit(1);
}
require(cli).runCli();
