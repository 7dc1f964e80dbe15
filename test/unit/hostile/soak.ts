// Soak runs, shared by the scaled-down test (soak.test.ts, in CI) and the full-size script
// (tools/soak.mjs): many inferences in one worker process, many edits through one language server
// process. Each first runs as many operations as it measures, to warm up (V8's heap and the
// allocators grow to their working size: the worker's RSS rises by about 30 MiB over its first 1,000
// inferences, then by about 1% a thousand; SOAK_TRACE=1 prints it as it goes), then reports the
// process's resident memory (VmRSS from /proc/<pid>/status) after the warm-up and at the end.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../language/core/analysis';
import type { Position } from '../../../language/core/positions';
import { InferenceClient } from '../../../engine/runtime/client';
import { TestServer } from '../../lsp/server';
import { repoRoot } from '../examples';
import { exampleNetwork } from '../onnx/example-networks';
import { seeded } from './catalogue';

const V8_YOUNG_GENERATION = '--min-semi-space-size=16';

/** SOAK_SCALE: 1 is the full run (1,000 inferences, 10,000 edits); CI runs 0.1. */
export const soakScale = (): number => Number(process.env.SOAK_SCALE ?? 0.1);

export interface SoakFigures {
  what: string;
  count: number;
  warmup: number;
  rssAfterWarmupKiB: number;
  rssAtEndKiB: number;
  growthPercent: number;
}

/** Resident memory of a process, in KiB. */
export function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  assert.ok(line, `no VmRSS for process ${pid}`);
  return Number(/(\d+)/.exec(line)![1]);
}

function figures(what: string, count: number, warmup: number, before: number, after: number): SoakFigures {
  return { what, count, warmup, rssAfterWarmupKiB: before, rssAtEndKiB: after, growthPercent: ((after - before) / before) * 100 };
}

export function formatFigures(f: SoakFigures): string {
  const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
  return `soak ${f.what}: ${f.count} measured after ${f.warmup} to warm up; RSS after warm-up ${mib(f.rssAfterWarmupKiB)}, at the end ${mib(f.rssAtEndKiB)}, growth ${f.growthPercent.toFixed(1)}%`;
}

/** `count` inference requests after as many to warm up, one image each (the Fashion-MNIST test images in turn), in one worker. */
export async function soakInference(count: number): Promise<SoakFigures> {
  const example = join(repoRoot, 'examples/fashion-mnist');
  const images = readdirSync(join(example, 'images')).sort().map((f) => join(example, 'images', f));
  const network = exampleNetwork('fashion_resnet20');
  const weights = { kind: 'file' as const, path: join(example, 'resnet20.safetensors') };
  const client = new InferenceClient({ workerPath: join(repoRoot, 'engine/runtime/worker.ts'), execArgv: [V8_YOUNG_GENERATION, '--import', 'tsx'] });
  const warmup = count;
  try {
    let pid: number | undefined;
    let before = 0;
    for (let i = 0; i < warmup + count; i++) {
      const image = images[i % images.length]!;
      const result = await client.infer({ network, weights, ep: 'cpu', inputs: [{ kind: 'image', path: image }] });
      const logits = result.results[0]!.logits;
      assert.ok(logits && logits.length === 10, `inference ${i} on ${image}: ${result.results[0]!.error ?? 'no logits'}`);
      pid ??= client.workerPid;
      assert.equal(client.workerPid, pid, 'one worker for the whole run');
      if (i === warmup - 1) before = rssKiB(pid!);
      if (process.env.SOAK_TRACE && (i + 1) % Math.max(1, Math.round(count / 10)) === 0) console.log(`inference ${i + 1}: RSS ${rssKiB(pid!)} KiB`);
    }
    return figures('inference', count, warmup, before, rssKiB(pid!));
  } finally {
    await client.dispose();
  }
}

/**
 * `count` edits through the real language server after as many to warm up: a character typed at a
 * seeded random place, then deleted, and so on; the last edit leaves one typed. Every 100 edits
 * (the server analyses the newest text after a pause, so this is also what paces it), and at the
 * end, the diagnostics published for the newest version must equal `analyze` of the newest text.
 */
export async function soakLanguageServer(count: number): Promise<SoakFigures & { checks: number }> {
  const base = readFileSync(join(repoRoot, 'examples/resnet152.resnet'), 'utf8');
  // V8 grows its young generation under allocation pressure over the first few thousand edits (RSS
  // then levels off; SOAK_TRACE=1 prints it): starting it at full size leaves only what is retained.
  const server = await TestServer.start({}, [V8_YOUNG_GENERATION, '--import', 'tsx', join(repoRoot, 'language/server/main.ts')]);
  const uri = 'untitled:soak.resnet';
  const random = seeded(20261127);
  const typed = ['x', '(', ')', '{', '}', ' ', '\n', '1', '#', '=', ',', 'é'];
  const warmup = count;
  const total = warmup + count;
  const checkEvery = Math.max(1, Math.min(100, Math.round(count / 10)));
  let text = base;
  let version = 1;
  let checks = 0;
  let before = 0;
  const positionAt = (offset: number) => {
    const lines = text.slice(0, offset).split('\n');
    return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
  };
  const at = (p: Position) => `${p.line}:${p.character}`;
  const check = async () => {
    const published = await server.diagnosticsFor(uri, (p) => p.version === version, 60_000);
    const analysis = analyze(text);
    const expected = analysis.diagnostics.map((d) => `${at(analysis.lines.position(d.span.start))} ${d.code} ${d.message}`);
    const actual = published.diagnostics.map((d) => `${at(d.range.start)} ${String(d.code)} ${d.message}`);
    assert.deepEqual(actual, expected, `the diagnostics of version ${version} are those of its text`);
    server.forget(uri);
    checks++;
  };
  try {
    server.open(uri, text);
    await check();
    let pending: number | undefined;
    for (let i = 1; i <= total; i++) {
      if (pending === undefined || i === total) {
        const at = Math.floor(random() * (text.length + 1));
        const char = typed[Math.floor(random() * typed.length)]!;
        const where = positionAt(at);
        version = server.change(uri, char, { start: where, end: where });
        text = text.slice(0, at) + char + text.slice(at);
        pending = at;
      } else {
        const range = { start: positionAt(pending), end: positionAt(pending + 1) };
        version = server.change(uri, '', range);
        text = text.slice(0, pending) + text.slice(pending + 1);
        pending = undefined;
      }
      if (i % checkEvery === 0 || i === total) await check();
      if (process.env.SOAK_TRACE && i % (checkEvery * 10) === 0) console.log(`edit ${i}: RSS ${rssKiB(server.process.pid!)} KiB`);
      if (i === warmup) before = rssKiB(server.process.pid!);
    }
    return { ...figures('language server', count, warmup, before, rssKiB(server.process.pid!)), checks };
  } finally {
    await server.stop();
  }
}
