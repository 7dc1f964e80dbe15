// `resnet-studio train FILE DATA [options]`: trains or fine-tunes the network with PyTorch
// (engine/torch/train-runner.ts) and prints its progress; Ctrl+C stops after the current step and
// keeps the last checkpoint, a second Ctrl+C ends it at once.
import { dirname, resolve } from 'node:path';
import { findPython } from '../../engine/torch/python-env';
import { planTraining } from '../../engine/torch/train-plan';
import { startTraining, type TrainEvent } from '../../engine/torch/train-runner';
import { readTrainSettings } from '../../engine/torch/train-settings';
import { describeTrainEvent, pythonLine } from '../../engine/torch/train-text';
import { parseCommand, usageError, type CommandSpec } from '../args';
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

export async function run(args: string[], io: CliIo): Promise<number> {
  const split = args.indexOf('--');
  const parsed = parseCommand(spec, split < 0 ? args : args.slice(0, split), io);
  if (typeof parsed === 'number') return parsed;
  const [file, data] = parsed.args as [string, string];
  const trainSettings = readTrainSettings(data, parsed.options, split < 0 ? [] : args.slice(split + 1));
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
  const asked = parsed.options.python;
  const python = await findPython(asked ? { asked: { path: asked, by: '--python' } } : {});
  if (typeof python === 'string') {
    io.stderr(`${python}\n`);
    return 1;
  }
  const json = parsed.options.json ?? false;
  if (json) io.stdout(`${JSON.stringify({ event: 'plan', notes: plan.notes, ...plan.paths, python })}\n`);
  else io.stdout([pythonLine(python), ...plan.notes, ''].join('\n'));

  let lastStep = 0;
  const onEvent = (event: TrainEvent) => {
    if (json) {
      io.stdout(`${JSON.stringify(event)}\n`);
      return;
    }
    // A step line every 2 s at most; the epoch lines say the rest.
    if (event.event === 'step' && Date.now() - lastStep < 2000 && event.step !== event.steps) return;
    if (event.event === 'step') lastStep = Date.now();
    const line = describeTrainEvent(event, loaded.network.name);
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
