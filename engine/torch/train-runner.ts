// Runs a planned training with PyTorch: exports the network as a module, starts
// engine/torch/python/train.py and reads the JSON lines rank 0 prints as events. With --nproc N it
// starts N processes with torchrun's environment (RANK, WORLD_SIZE, MASTER_ADDR, …) itself: Debian's
// torch 1.13 on Python 3.11 cannot start torchrun (its Std flag lost NONE), and one machine needs no
// rendezvous. Options for torch.distributed.run (several machines) launch it instead. Stopping asks
// every rank to stop after the same step (a stop file), which keeps the last checkpoint.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { exportPytorch } from './export';
import type { PythonEnv } from './python-env';
import type { TrainingPlan, TrainModel, TrainSettings } from './train-plan';

export type TrainEvent =
  | { event: 'start'; device: string; processes: number; threads: number; trainImages: number; valImages: number; classes: number; stepsPerEpoch: number; epochs: number;
      init: { source: string | null; loaded?: number; total?: number; skipped?: { key: string }[]; unused?: string[]; resumed?: boolean };
      head: { layer: string; from: number; to: number } | null; frozen: number; resumed: { epoch: number; samplesDone: number } | null; versions: Record<string, string | null> }
  | { event: 'step'; epoch: number; step: number; steps: number; loss: number; accuracy: number; lr: number; imagesPerSecond: number; etaSeconds: number }
  | { event: 'epoch'; epoch: number; epochs: number; trainLoss: number; trainAccuracy: number; valLoss?: number; valAccuracy?: number; lr: number; seconds: number; imagesPerSecond: number; best: boolean }
  | { event: 'stopped'; epoch: number; step: number; last: string; log: string }
  | { event: 'done'; best: { epoch: number; valAccuracy: number | null }; out: string; last: string; log: string }
  | { event: 'error'; message: string };

export type TrainOutcome = { status: 'done' | 'stopped' } | { status: 'failed'; message: string };

export interface TrainingRun {
  /** Stops after the current step; the last checkpoint is written. */
  stop(): void;
  /** Ends the processes now (the last checkpoint is the previous epoch's). */
  kill(): void;
  finished: Promise<TrainOutcome>;
}

/** The folder of train.py: engine/torch/python from source, dist/python beside the bundle. */
export const PYTHON_DIR = join(__dirname, 'python');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The processes to start: [arguments, extra environment] each; rank 0 first. */
async function launches(settings: Pick<TrainSettings, 'nproc' | 'torchrun'>, script: string, config: string): Promise<[string[], NodeJS.ProcessEnv][]> {
  const { nproc, torchrun } = settings;
  if (torchrun.length > 0) return [[['-m', 'torch.distributed.run', ...torchrun, '--nproc_per_node', String(nproc), script, config], {}]];
  if (nproc === 1) return [[[script, config], {}]];
  const port = String(await freePort());
  // As torchrun does: the cores shared among the processes unless the user chose.
  const threads = process.env.OMP_NUM_THREADS ?? String(Math.max(1, Math.floor(cpus().length / nproc)));
  return Array.from({ length: nproc }, (_, rank): [string[], NodeJS.ProcessEnv] => [
    [script, config],
    { RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(nproc), LOCAL_WORLD_SIZE: String(nproc), MASTER_ADDR: '127.0.0.1', MASTER_PORT: port, OMP_NUM_THREADS: threads },
  ]);
}

/** Runs the plan with `python`; `onEvent` sees every event, `onOutput` everything else the processes print (torch's warnings). */
export async function startTraining(
  plan: TrainingPlan,
  model: TrainModel,
  python: PythonEnv,
  settings: Pick<TrainSettings, 'nproc' | 'torchrun'>,
  onEvent: (event: TrainEvent) => void,
  onOutput: (text: string) => void,
): Promise<TrainingRun> {
  mkdirSync(dirname(plan.paths.out), { recursive: true });
  const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-train-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(folder, name), text);
    return join(folder, name);
  };
  const stopFile = join(folder, 'stop');
  const config = file('config.json', JSON.stringify({ ...plan.config, model: file('model.py', exportPytorch(model.network, model.name)), samples: file('samples.json', JSON.stringify(plan.samples)), stopFile }));
  // Each in its own process group: Ctrl+C in a terminal reaches the CLI, which stops the run in order.
  const children = (await launches(settings, join(PYTHON_DIR, 'train.py'), config)).map(([args, env]) =>
    spawn(python.path, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, detached: process.platform !== 'win32', windowsHide: true }),
  );
  let last: TrainEvent | undefined;
  let stderrTail = '';
  createInterface({ input: children[0]!.stdout! }).on('line', (line) => {
    let event: TrainEvent;
    try {
      event = JSON.parse(line) as TrainEvent;
    } catch {
      onOutput(`${line}\n`);
      return;
    }
    last = event;
    onEvent(event);
  });
  for (const child of children) {
    if (child !== children[0]) child.stdout!.on('data', (chunk: Buffer) => onOutput(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderrTail = (stderrTail + text).slice(-4000);
      onOutput(text);
    });
  }
  const signal = (child: ChildProcess, name: NodeJS.Signals) => {
    try {
      process.kill(process.platform === 'win32' ? child.pid! : -child.pid!, name);
    } catch {
      // Already gone.
    }
  };
  const kill = () => children.forEach((child) => signal(child, 'SIGTERM'));
  const exits = children.map(
    (child) =>
      new Promise<string | undefined>((done) => {
        child.on('error', (error) => done(`cannot start ${python.path}: ${error.message}`));
        child.on('close', (code, name) => {
          // A rank that fails leaves the others waiting for it: end them.
          if (code !== 0) kill();
          done(code === 0 ? undefined : (name ?? `exit code ${code}`));
        });
      }),
  );
  const finished = Promise.all(exits).then((results): TrainOutcome => {
    rmSync(folder, { recursive: true, force: true });
    if (last?.event === 'done') return { status: 'done' };
    if (last?.event === 'stopped') return { status: 'stopped' };
    if (last?.event === 'error') return { status: 'failed', message: last.message };
    const why = results.find((r) => r !== undefined) ?? 'no result';
    return { status: 'failed', message: `training ended (${why}) without finishing:\n${stderrTail.trim()}` };
  });
  return {
    stop: () => {
      if (existsSync(folder)) writeFileSync(stopFile, '');
    },
    kill,
    finished,
  };
}
