// `resnet-studio train FILE DATA [options]`: trains or fine-tunes the network with PyTorch
// (engine/torch/train-runner.ts) and prints its progress; Ctrl+C stops after the current step and
// keeps the last checkpoint, a second Ctrl+C ends it at once.
import { dirname, resolve } from 'node:path';
import { findPython } from '../../engine/torch/python-env';
import { AUGMENTS, DEVICES, OPTIMIZERS, SCHEDULES, planTraining, type TrainSettings } from '../../engine/torch/train-plan';
import { startTraining, type TrainEvent } from '../../engine/torch/train-runner';
import type { CliIo } from '../io';
import { loadNetwork } from './infer';

const USAGE = `usage: resnet-studio train FILE DATA [--val DIR | --val-split F] [--epochs N] [--batch B] [--lr X]
         [--optimizer sgd|adamw] [--schedule cosine|step] [--augment none|light|imagenet]
         [--from W.safetensors|none] [--freeze backbone|LAYER] [--out W.safetensors] [--resume W.last.safetensors]
         [--python PATH] [--device cpu|cuda|mps] [--amp] [--seed S] [--nproc N [-- TORCHRUN OPTIONS]]
         [--network NAME] [--json]
`;

type Parsed = { file: string; network?: string; python?: string; json: boolean; settings: TrainSettings };

/** What a value must be, when it is not. */
type Invalid = { invalid: string };
const integer = (min: number) => (v: string) => (/^\d+$/.test(v) && Number(v) >= min ? Number(v) : { invalid: `a whole number of at least ${min}` });
const oneOf =
  <T extends string>(choices: readonly T[]) =>
  (v: string) =>
    choices.includes(v as T) ? v : { invalid: `one of ${choices.join(', ')}` };
const fraction = (v: string) => (Number(v) > 0 && Number(v) < 1 ? Number(v) : { invalid: 'a fraction between 0 and 1' });
const positive = (v: string) => (Number(v) > 0 && Number.isFinite(Number(v)) ? Number(v) : { invalid: 'a positive number' });
const text = (v: string) => v;

/** Each option with a value and how to read it. */
const VALUES: Record<string, (v: string) => string | number | Invalid> = {
  '--val': text,
  '--val-split': fraction,
  '--epochs': integer(1),
  '--batch': integer(1),
  '--lr': positive,
  '--optimizer': oneOf(OPTIMIZERS),
  '--schedule': oneOf(SCHEDULES),
  '--augment': oneOf(AUGMENTS),
  '--from': text,
  '--freeze': text,
  '--out': text,
  '--resume': text,
  '--python': text,
  '--device': oneOf(DEVICES),
  '--seed': integer(0),
  '--nproc': integer(1),
  '--network': text,
};

function parse(args: string[]): Parsed | string {
  const values = new Map<string, unknown>();
  const flags = new Set<string>();
  const positional: string[] = [];
  const split = args.indexOf('--');
  const own = split < 0 ? args : args.slice(0, split);
  for (let i = 0; i < own.length; i++) {
    const arg = own[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--amp' || flag === '--json') {
      flags.add(flag);
      continue;
    }
    const read = VALUES[flag];
    if (!read) return `unknown option ${flag}`;
    const raw = inline ?? own[++i];
    if (raw === undefined) return `${flag} needs a value`;
    const value = read(raw);
    if (typeof value === 'object') return `${flag} must be ${value.invalid}, not ${raw}`;
    values.set(flag, value);
  }
  const [file, data, ...extra] = positional;
  if (!file || !data || extra.length > 0) return 'give the .resnet FILE and the DATA folder';
  if (values.has('--val') && values.has('--val-split')) return '--val and --val-split exclude each other';
  const torchrun = split < 0 ? [] : args.slice(split + 1);
  const nproc = (values.get('--nproc') as number | undefined) ?? 1;
  if (torchrun.length > 0 && nproc === 1) return 'options after -- go to torch.distributed.run: give --nproc N too';
  const optimizer = (values.get('--optimizer') as TrainSettings['optimizer'] | undefined) ?? 'sgd';
  const get = <T>(flag: string) => values.get(flag) as T | undefined;
  return {
    file,
    network: get('--network'),
    python: get('--python'),
    json: flags.has('--json'),
    settings: {
      data,
      val: get('--val'),
      valSplit: get('--val-split'),
      epochs: get('--epochs') ?? 10,
      batch: get('--batch') ?? 128,
      lr: get('--lr') ?? (optimizer === 'sgd' ? 0.1 : 1e-3),
      optimizer,
      schedule: get('--schedule') ?? 'cosine',
      augment: get('--augment') ?? 'light',
      from: get('--from'),
      freeze: get('--freeze'),
      out: get('--out'),
      resume: get('--resume'),
      device: get('--device'),
      amp: flags.has('--amp'),
      seed: get('--seed') ?? 0,
      nproc,
      torchrun,
    },
  };
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
const clock = (seconds: number) => {
  const s = Math.round(seconds);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  return `${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(s % 60).padStart(2, '0')}`;
};

/** The text line of an event, or undefined for none. */
function describe(event: TrainEvent, network: string): string | undefined {
  switch (event.event) {
    case 'start': {
      const lines = [
        `${network}: training on ${event.device}, ${event.processes} process${event.processes > 1 ? 'es' : ''} × ${event.threads} threads; ` +
          `${event.trainImages.toLocaleString('en-US')} training images, ${event.valImages.toLocaleString('en-US')} validation, ${event.classes} classes; ` +
          `${event.stepsPerEpoch} steps per epoch, ${event.epochs} epoch${event.epochs > 1 ? 's' : ''}`,
      ];
      const init = event.init;
      if (event.resumed) lines.push(`resumed from ${init.source} in epoch ${event.resumed.epoch} after ${event.resumed.samplesDone} images`);
      else if (init.source) lines.push(`weights: ${init.source}, ${init.loaded} of ${init.total} tensors loaded`);
      for (const skipped of init.skipped ?? []) if (!event.head || !skipped.key.startsWith(`${event.head.layer}.`)) lines.push(`warning: ${skipped.key} not loaded: missing or another shape in the file`);
      if (init.unused?.length) lines.push(`warning: ${init.unused.length} tensor(s) of the file fit no layer: ${init.unused.slice(0, 5).join(', ')}${init.unused.length > 5 ? ', …' : ''}`);
      if (event.head) {
        lines.push(`new head ${event.head.layer}: ${event.head.from} → ${event.head.to} classes (the weights fit the network once its ${event.head.layer} has ${event.head.to} outputs)`);
      }
      if (event.frozen) lines.push(`frozen: ${event.frozen} parameter tensors`);
      return lines.join('\n');
    }
    case 'step':
      return `  epoch ${event.epoch} step ${event.step}/${event.steps}  loss ${event.loss.toFixed(4)}  acc ${percent(event.accuracy)}  ${Math.round(event.imagesPerSecond)} img/s  ETA ${clock(event.etaSeconds)}`;
    case 'epoch': {
      const val = event.valAccuracy === undefined ? '' : `, val loss ${event.valLoss!.toFixed(4)} acc ${percent(event.valAccuracy)}${event.best ? ' (best)' : ''}`;
      return `epoch ${event.epoch}/${event.epochs}: train loss ${event.trainLoss.toFixed(4)} acc ${percent(event.trainAccuracy)}${val}, ${event.seconds.toFixed(1)} s, ${Math.round(event.imagesPerSecond)} img/s`;
    }
    case 'stopped':
      return `stopped in epoch ${event.epoch} after step ${event.step}: the last checkpoint is ${event.last} (continue with --resume ${event.last}); log ${event.log}`;
    case 'done': {
      const best = event.best.valAccuracy === null ? `epoch ${event.best.epoch}` : `epoch ${event.best.epoch}, val accuracy ${percent(event.best.valAccuracy)}`;
      return `best (${best}): ${event.out}\nlast: ${event.last}\nlog: ${event.log}`;
    }
    case 'error':
      return undefined;
  }
}

export async function run(args: string[], io: CliIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  const parsed = parse(args);
  if (typeof parsed === 'string') {
    io.stderr(`${parsed}\n${USAGE}`);
    return 2;
  }
  // Python reads the weights; random ones stand in here so a file without a weights line loads.
  const loaded = await loadNetwork(parsed.file, { positional: [], randomWeights: true, seed: 0, ep: 'auto', top: 5, json: false, network: parsed.network }, io);
  if (!loaded) return 1;
  const model = { name: parsed.file, folder: dirname(resolve(parsed.file)), network: loaded.network };
  const plan = await planTraining(model, parsed.settings);
  if (typeof plan === 'string') {
    io.stderr(`${plan}\n`);
    return 1;
  }
  const python = await findPython(parsed.python);
  if (typeof python === 'string') {
    io.stderr(`${python}\n`);
    return 1;
  }
  if (parsed.json) io.stdout(`${JSON.stringify({ event: 'plan', notes: plan.notes, ...plan.paths, python })}\n`);
  else io.stdout([`python: ${python.path} (torch ${python.torch}, torchvision ${python.torchvision})`, ...plan.notes, ''].join('\n'));

  let lastStep = 0;
  const onEvent = (event: TrainEvent) => {
    if (parsed.json) {
      io.stdout(`${JSON.stringify(event)}\n`);
      return;
    }
    // A step line every 2 s at most; the epoch lines say the rest.
    if (event.event === 'step' && Date.now() - lastStep < 2000 && event.step !== event.steps) return;
    if (event.event === 'step') lastStep = Date.now();
    const line = describe(event, loaded.network.name);
    if (line) io.stdout(`${line}\n`);
  };
  const training = await startTraining(plan, model, python, parsed.settings, onEvent, (text) => io.stderr(text));
  let interrupts = 0;
  const interrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      io.stderr('stopping after this step (the last checkpoint is kept); Ctrl+C again to end now\n');
      training.stop();
    } else {
      training.kill();
    }
  };
  process.on('SIGINT', interrupt);
  const outcome = await training.finished.finally(() => process.off('SIGINT', interrupt));
  if (outcome.status === 'failed') {
    io.stderr(`${outcome.message}\n`);
    return 1;
  }
  return outcome.status === 'stopped' ? 130 : 0;
}
