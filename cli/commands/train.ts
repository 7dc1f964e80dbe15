// `resnet-studio train FILE DATA [options]`: trains or fine-tunes the network with PyTorch
// (engine/torch/train-runner.ts) and prints its progress; Ctrl+C stops after the current step and
// keeps the last checkpoint, a second Ctrl+C ends it at once.
import { dirname, resolve } from 'node:path';
import { findPython } from '../../engine/torch/python-env';
import { AUGMENTS, DEVICES, OPTIMIZERS, SCHEDULES, planTraining, type TrainSettings } from '../../engine/torch/train-plan';
import { startTraining, type TrainEvent } from '../../engine/torch/train-runner';
import { parseCommand, usageError, type CommandSpec, type OptionValues } from '../args';
import { ENGINE_OPTIONS } from '../engine-options';
import type { CliIo } from '../io';
import { loadNetwork } from './infer';

export const spec = {
  name: 'train',
  args: ['FILE', 'DATA'],
  summary: 'train or fine-tune the network with PyTorch (docs/training.md); options after -- go to torch.distributed.run',
  options: {
    val: { type: 'string', value: 'DIR', help: 'validation images, in the layout and classes of DATA' },
    'val-split': { type: 'string', value: 'F', help: 'hold out the fraction F of DATA for validation instead' },
    epochs: { type: 'string', value: 'N', help: 'epochs (default 10)' },
    batch: { type: 'string', value: 'B', help: 'the global batch, split among the processes (default 128)' },
    lr: { type: 'string', value: 'X', help: 'the peak learning rate (default 0.1 with sgd, 0.001 with adamw)' },
    optimizer: { type: 'string', value: 'sgd|adamw', help: 'default sgd (momentum 0.9, Nesterov, weight decay 5e-4)' },
    schedule: { type: 'string', value: 'cosine|step', help: 'cosine to 0 (default), or x0.1 every third of the epochs' },
    augment: { type: 'string', value: 'none|light|imagenet', help: 'light (default): random crop and flip; imagenet: random resized crop and flip' },
    from: { type: 'string', value: 'W.safetensors|none', help: "the starting weights (default the network's `weights`); none: torchvision's initialisation" },
    freeze: { type: 'string', value: 'backbone|LAYER', help: 'freeze all but the head, or everything up to and including LAYER' },
    out: { type: 'string', value: 'W.safetensors', help: 'the best weights (default <network>.trained.safetensors beside FILE); beside them W.last.safetensors, W.log.json' },
    resume: { type: 'string', value: 'W.last.safetensors', help: 'continue a stopped run' },
    python: { type: 'string', value: 'PATH', help: 'the Python with torch (default the first python3 on the PATH that has it, then /usr/bin/python3)' },
    device: { type: 'string', value: 'cpu|cuda|mps', help: 'default CUDA, else Apple GPU, else the CPU' },
    amp: { type: 'boolean', help: 'mixed precision (float16 on CUDA, bfloat16 on the CPU)' },
    seed: { type: 'string', value: 'S', help: 'initialisation, order, augmentation and split (default 0)' },
    nproc: { type: 'string', value: 'N', help: 'processes, with DDP (default 1)' },
    network: ENGINE_OPTIONS.network,
    json: { type: 'boolean', help: 'one JSON event per line' },
  },
} satisfies CommandSpec;

/** What a value must be, when it is not. */
type Invalid = { invalid: string };
const integer = (min: number) => (v: string) => (/^\d+$/.test(v) && Number(v) >= min ? Number(v) : { invalid: `a whole number of at least ${min}` });
const oneOf =
  <T extends string>(choices: readonly T[]) =>
  (v: string) =>
    choices.includes(v as T) ? v : { invalid: `one of ${choices.join(', ')}` };
const fraction = (v: string) => (Number(v) > 0 && Number(v) < 1 ? Number(v) : { invalid: 'a fraction between 0 and 1' });
const positive = (v: string) => (Number(v) > 0 && Number.isFinite(Number(v)) ? Number(v) : { invalid: 'a positive number' });

/** How each option's value is read (the others are text). */
const READ: Partial<Record<keyof typeof spec.options, (v: string) => string | number | Invalid>> = {
  'val-split': fraction,
  epochs: integer(1),
  batch: integer(1),
  lr: positive,
  optimizer: oneOf(OPTIMIZERS),
  schedule: oneOf(SCHEDULES),
  augment: oneOf(AUGMENTS),
  device: oneOf(DEVICES),
  seed: integer(0),
  nproc: integer(1),
};

/** The settings, or what is wrong with them. */
function settings(data: string, options: OptionValues<typeof spec.options>, torchrun: string[]): TrainSettings | string {
  const values = new Map<string, unknown>();
  for (const [name, read] of Object.entries(READ)) {
    const raw = options[name as keyof typeof READ] as string | undefined;
    if (raw === undefined) continue;
    const value = read(raw);
    if (typeof value === 'object') return `--${name} must be ${value.invalid}, not '${raw}'`;
    values.set(name, value);
  }
  if (options.val !== undefined && options['val-split'] !== undefined) return '--val and --val-split exclude each other';
  const get = <T>(name: string) => values.get(name) as T | undefined;
  const nproc = get<number>('nproc') ?? 1;
  if (torchrun.length > 0 && nproc === 1) return 'options after -- go to torch.distributed.run: give --nproc N too';
  const optimizer = get<TrainSettings['optimizer']>('optimizer') ?? 'sgd';
  return {
    data,
    val: options.val,
    valSplit: get('val-split'),
    epochs: get('epochs') ?? 10,
    batch: get('batch') ?? 128,
    lr: get('lr') ?? (optimizer === 'sgd' ? 0.1 : 1e-3),
    optimizer,
    schedule: get('schedule') ?? 'cosine',
    augment: get('augment') ?? 'light',
    from: options.from,
    freeze: options.freeze,
    out: options.out,
    resume: options.resume,
    device: get('device'),
    amp: options.amp ?? false,
    seed: get('seed') ?? 0,
    nproc,
    torchrun,
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
  const split = args.indexOf('--');
  const parsed = parseCommand(spec, split < 0 ? args : args.slice(0, split), io);
  if (typeof parsed === 'number') return parsed;
  const [file, data] = parsed.args as [string, string];
  const trainSettings = settings(data, parsed.options, split < 0 ? [] : args.slice(split + 1));
  if (typeof trainSettings === 'string') return usageError(spec, trainSettings, io);
  // Python reads the weights; random ones stand in here so that a file without a weights line loads.
  const loaded = await loadNetwork(file, { randomWeights: true, seed: 0, network: parsed.options.network }, io);
  if (!loaded) return 1;
  const model = { name: file, folder: dirname(resolve(file)), network: loaded.network, labels: loaded.labels };
  const plan = await planTraining(model, trainSettings);
  if (typeof plan === 'string') {
    io.stderr(`${plan}\n`);
    return 1;
  }
  const python = await findPython(parsed.options.python);
  if (typeof python === 'string') {
    io.stderr(`${python}\n`);
    return 1;
  }
  const json = parsed.options.json ?? false;
  if (json) io.stdout(`${JSON.stringify({ event: 'plan', notes: plan.notes, ...plan.paths, python })}\n`);
  else io.stdout([`python: ${python.path} (torch ${python.torch}, torchvision ${python.torchvision})`, ...plan.notes, ''].join('\n'));

  let lastStep = 0;
  const onEvent = (event: TrainEvent) => {
    if (json) {
      io.stdout(`${JSON.stringify(event)}\n`);
      return;
    }
    // A step line every 2 s at most; the epoch lines say the rest.
    if (event.event === 'step' && Date.now() - lastStep < 2000 && event.step !== event.steps) return;
    if (event.event === 'step') lastStep = Date.now();
    const line = describe(event, loaded.network.name);
    if (line) io.stdout(`${line}\n`);
  };
  const training = await startTraining(plan, model, python, trainSettings, onEvent, (text) => io.stderr(text));
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
