// A training run's settings from option values as text, the way `resnet-studio train` takes them
// (the CLI's flags, the editor's training form): each value read and checked once, for both.
import { AUGMENTS, DEVICES, OPTIMIZERS, SCHEDULES, type TrainSettings } from './train-plan';

/** The options by their CLI names, unparsed (a form field left empty is undefined). */
export interface TrainOptionValues {
  val?: string;
  'val-split'?: string;
  epochs?: string;
  batch?: string;
  lr?: string;
  optimizer?: string;
  schedule?: string;
  augment?: string;
  from?: string;
  freeze?: string;
  out?: string;
  resume?: string;
  device?: string;
  amp?: boolean;
  seed?: string;
  nproc?: string;
}

export const DEFAULT_EPOCHS = 10;
export const DEFAULT_BATCH = 128;
export const defaultLr = (optimizer: TrainSettings['optimizer']) => (optimizer === 'sgd' ? 0.1 : 1e-3);

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
const READ: Partial<Record<keyof TrainOptionValues, (v: string) => string | number | Invalid>> = {
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

/** The settings, or what is wrong with them (naming the option as --name). */
export function readTrainSettings(data: string, options: TrainOptionValues, torchrun: string[] = []): TrainSettings | string {
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
    epochs: get('epochs') ?? DEFAULT_EPOCHS,
    batch: get('batch') ?? DEFAULT_BATCH,
    lr: get('lr') ?? defaultLr(optimizer),
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
