// Benchmark: the language server over stdio, as an editor talks to it (dist/server.js, built by
// `npm run build`). Measures, for examples/resnet152.resnet: didChange → publishDiagnostics, hover
// and completion round trips (medians and 90th percentiles), server start to initialize, and checks
// that the extension bundle loads no native module. Prints numbers only; it never fails on speed.
// Usage: node tools/bench/lsp.mjs [rounds]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rounds = Number(process.argv[2] ?? 300);
const server = `${root}dist/server.js`;
if (!existsSync(server)) throw new Error('dist/server.js is missing: run `npm run build` first');

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const report = (name, values, target) =>
  console.log(`${name.padEnd(40)} median ${percentile(values, 50).toFixed(2).padStart(6)} ms   p90 ${percentile(values, 90).toFixed(2).padStart(6)} ms   (target ≤ ${target} ms, n=${values.length})`);

const startedAt = performance.now();
const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
const waiting = new Map();
connection.onNotification('textDocument/publishDiagnostics', (p) => {
  const resolve = waiting.get(`${p.uri}@${p.version}`);
  if (resolve) resolve(performance.now());
});
connection.listen();
await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } } });
const initializeMs = performance.now() - startedAt;
await connection.sendNotification('initialized', {});

const uri = 'file:///bench/resnet152.resnet';
const text = readFileSync(`${root}examples/resnet152.resnet`, 'utf8');
const lines = text.split('\n');
const published = (version) => new Promise((resolve) => waiting.set(`${uri}@${version}`, resolve));

let version = 1;
let next = published(version);
await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'resnet', version, text } });
await next;

// Each change edits the classifier width (1000 ↔ 1001), so every version is a real, full analysis.
const fcLine = lines.findIndex((l) => l.includes('linear(1000)'));
const fcCharacter = lines[fcLine].indexOf('1000') + 3;
const diagnostics = [];
for (let i = 0; i < rounds; i++) {
  version++;
  next = published(version);
  const sent = performance.now();
  await connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version },
    contentChanges: [{ range: { start: { line: fcLine, character: fcCharacter }, end: { line: fcLine, character: fcCharacter + 1 } }, text: i % 2 === 0 ? '1' : '0' }],
  });
  diagnostics.push((await next) - sent);
}

const timed = async (method, params) => {
  const values = [];
  for (let i = 0; i < rounds; i++) {
    const sent = performance.now();
    const result = await connection.sendRequest(method, params(i));
    values.push(performance.now() - sent);
    if (i === 0 && (!result || (Array.isArray(result) && result.length === 0))) throw new Error(`${method} answered nothing`);
  }
  return values;
};
const layerLines = lines.map((l, i) => [l, i]).filter(([l]) => /^\s+\w+\s+\w+/.test(l) && !/^\s+(input|preprocess)/.test(l)).map(([, i]) => i);
const hovers = await timed('textDocument/hover', (i) => ({ textDocument: { uri }, position: { line: layerLines[i % layerLines.length], character: 3 } }));
// A hover sent right after a change pays for the new version's analysis itself.
const hoversAfterChange = [];
for (let i = 0; i < rounds; i++) {
  version++;
  await connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version },
    contentChanges: [{ range: { start: { line: fcLine, character: fcCharacter }, end: { line: fcLine, character: fcCharacter + 1 } }, text: i % 2 === 0 ? '1' : '0' }],
  });
  const sent = performance.now();
  await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: layerLines[i % layerLines.length], character: 3 } });
  hoversAfterChange.push(performance.now() - sent);
}
const stageLine = lines.findIndex((l) => l.includes('bottleneck(128)'));
const argumentCompletion = await timed('textDocument/completion', () => ({ textDocument: { uri }, position: { line: stageLine, character: lines[stageLine].indexOf('(') + 1 } }));
const calleeCompletion = await timed('textDocument/completion', () => ({ textDocument: { uri }, position: { line: stageLine, character: lines[stageLine].indexOf('bottleneck') } }));

await connection.sendRequest('shutdown');
await connection.sendNotification('exit');
connection.dispose();

const bundle = readFileSync(`${root}dist/extension.js`, 'utf8');
const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
const native = required.filter((m) => /onnxruntime|sharp|\.node$/.test(m));

console.log(`language server over stdio, examples/resnet152.resnet, ${rounds} rounds each; ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)}`);
console.log(`${'spawn → initialize answered'.padEnd(40)} ${initializeMs.toFixed(1)} ms`);
report('didChange → publishDiagnostics', diagnostics, 15);
report('hover (layer lines in turn)', hovers, 5);
report('hover right after a change', hoversAfterChange, 5);
report('completion (arguments of a stage call)', argumentCompletion, 10);
report('completion (callee of a stage)', calleeCompletion, 10);
console.log(`dist/extension.js: ${(bundle.length / 1024).toFixed(0)} KB; requires at activation: ${[...new Set(required)].sort().join(', ')}; native modules: ${native.length ? native.join(', ') : 'none'}`);
