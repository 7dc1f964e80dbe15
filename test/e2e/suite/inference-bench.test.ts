/// <reference types="mocha" />
// Not a test: the measuring half of tools/bench/inference.mjs, which runs it through the e2e harness
// with RESNET_BENCH_OUT set (the suite is empty otherwise). It times, inside the real VS Code, a warm
// "Run again" from the command to the result painted in the results view, and folder-evaluation
// throughput interleaved with the CLI's `eval` on the same folder, and writes the figures as JSON.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EvalOutcome, ImageRunOutcome } from '../../../extension/inference';
import { openFile, ourExtension, waitForActivation, workspaceRoot } from '../host/workspace';

const out = process.env.RESNET_BENCH_OUT;
const MODEL = 'fashion-mnist/resnet20.resnet';
const IMAGES = 'fashion-mnist/images';
const RUN_AGAIN_REPEATS = Number(process.env.RESNET_BENCH_REPEATS ?? 30);
const FOLDER_COPIES = Number(process.env.RESNET_BENCH_COPIES ?? 50);
const EVAL_ROUNDS = Number(process.env.RESNET_BENCH_ROUNDS ?? 5);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

if (out) {
  suite('inference benchmark', function () {
    this.timeout(600_000);
    const figures: Record<string, unknown> = {};
    let folder = '';

    suiteSetup(async () => {
      await openFile(MODEL);
      await waitForActivation();
      await vscode.workspace.getConfiguration('resnetStudio').update('executionProvider', 'cpu', vscode.ConfigurationTarget.Global);
      // The shipped images many times over (names keep their _<class> suffix), so the throughput is
      // measured over more than a handful of batches.
      folder = mkdtempSync(join(tmpdir(), 'resnet-bench-images-'));
      const source = join(workspaceRoot().fsPath, IMAGES);
      const images = readdirSync(source).filter((f) => f.endsWith('.png'));
      for (let copy = 0; copy < FOLDER_COPIES; copy++) {
        for (const image of images) copyFileSync(join(source, image), join(folder, `c${String(copy).padStart(3, '0')}-${image}`));
      }
    });

    suiteTeardown(async () => {
      rmSync(folder, { recursive: true, force: true });
      await vscode.workspace.getConfiguration('resnetStudio').update('executionProvider', undefined, vscode.ConfigurationTarget.Global);
      figures.loadAverage = loadavg();
      figures.cpus = cpus().length;
      writeFileSync(out, JSON.stringify(figures, null, 2));
    });

    test('warm "Run again": command to rendered result', async () => {
      const image = vscode.Uri.joinPath(workspaceRoot(), IMAGES, '0000_9.png');
      const cold = performance.now();
      const first = await vscode.commands.executeCommand<ImageRunOutcome>('resnetStudio.runInferenceOnImage', image);
      figures.coldRunMs = performance.now() - cold;
      figures.coldCached = first?.cached;
      const times: number[] = [];
      for (let i = 0; i < RUN_AGAIN_REPEATS; i++) {
        const start = performance.now();
        const outcome = await vscode.commands.executeCommand<ImageRunOutcome>('resnetStudio.runAgain');
        times.push(performance.now() - start);
        if (!outcome?.cached) throw new Error('run again did not reuse the session');
      }
      figures.runAgainMs = { repeats: times.length, median: median(times), p90: quantile(times, 0.9), min: Math.min(...times), max: Math.max(...times) };
    });

    test('folder evaluation throughput: extension vs CLI, interleaved', async () => {
      const repo = ourExtension().extensionPath;
      const model = join(workspaceRoot().fsPath, MODEL);
      const extension: number[] = [];
      const cli: number[] = [];
      let total = 0;
      const runExtension = async () => {
        const outcome = await vscode.commands.executeCommand<EvalOutcome>('resnetStudio.evaluateFolder', vscode.Uri.file(folder), vscode.Uri.file(model));
        if (outcome?.state !== 'done') throw new Error(`the evaluation ended ${outcome?.state}`);
        extension.push(outcome.imagesPerSecond);
        total = outcome.total;
      };
      const runCli = () => {
        const json = execFileSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'eval', model, folder, '--ep', 'cpu', '--json'], {
          encoding: 'utf8',
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        });
        cli.push((JSON.parse(json) as { imagesPerSecond: number }).imagesPerSecond);
      };
      // Alternating which goes first, so a load spike from the shared machine hits both alike.
      for (let round = 0; round < EVAL_ROUNDS; round++) {
        if (round % 2 === 0) {
          await runExtension();
          runCli();
        } else {
          runCli();
          await runExtension();
        }
      }
      const ratios = extension.map((e, i) => e / cli[i]!);
      figures.folder = { images: total, rounds: EVAL_ROUNDS, extensionImagesPerSecond: extension, cliImagesPerSecond: cli, ratioOfMedians: median(extension) / median(cli), medianRatio: median(ratios) };
    });
  });
}
