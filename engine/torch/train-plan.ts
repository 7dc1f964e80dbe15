// A training run, planned: the settings checked against the network and the data (classes, a new
// head, what to freeze, where the weights come from and go), and the configuration train.py reads.
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import type { Network } from '../../language/core/model';
import { expectedWeights } from '../onnx/network-walk';
import { SafetensorsFile } from '../onnx/safetensors';
import { listDataset, type Dataset } from '../runtime/dataset';
import { networkPreprocess } from '../runtime/network-preprocess';
import { version } from '../../package.json';

export const OPTIMIZERS = ['sgd', 'adamw'] as const;
export const SCHEDULES = ['cosine', 'step'] as const;
export const AUGMENTS = ['none', 'light', 'imagenet'] as const;
export const DEVICES = ['cpu', 'cuda', 'mps'] as const;

export interface TrainSettings {
  data: string;
  val?: string;
  valSplit?: number;
  epochs: number;
  /** The global batch: each of the `nproc` processes takes batch / nproc images a step. */
  batch: number;
  lr: number;
  optimizer: (typeof OPTIMIZERS)[number];
  schedule: (typeof SCHEDULES)[number];
  augment: (typeof AUGMENTS)[number];
  /** A safetensors file, 'none' (torchvision's initialisation), or undefined: the file's `weights`. */
  from?: string;
  /** 'backbone' (all but the head) or a layer, block or stage name: everything up to and including it. */
  freeze?: string;
  out?: string;
  resume?: string;
  /** Undefined: CUDA, else Apple's GPU, else the CPU. */
  device?: (typeof DEVICES)[number];
  amp: boolean;
  seed: number;
  nproc: number;
  /** Options for torch.distributed.run (multi-node rendezvous); without them a single-node run. */
  torchrun: string[];
}

/** The .resnet side: the analysed network and the file it came from. */
export interface TrainModel {
  /** How messages name the file. */
  name: string;
  /** The file's folder: its `weights` path is relative to it. */
  folder: string;
  network: Network;
  /** Its class names (the `labels` file), which class folders may be named by. */
  labels?: string[];
}

export interface TrainingPlan {
  /** What train.py reads. */
  config: Record<string, unknown>;
  samples: { train: [string, number][]; val: [string, number][] | null };
  /** Said before the run starts: where the weights come from, no validation, … */
  notes: string[];
  paths: { out: string; last: string; log: string };
}

const withoutExtension = (path: string) => path.replace(/\.safetensors$/, '');

/**
 * The images with the network's classes when the folder names them as `eval` reads them, else with
 * its own (sorted sub-folders as torchvision's ImageFolder, or any index of flat files): a new head.
 */
async function listed(folder: string, what: string, classes: number, labels: readonly string[] | undefined): Promise<{ dataset: Dataset; own: boolean } | string> {
  const asNetwork = await listDataset(folder, classes, labels);
  if (typeof asNetwork !== 'string') return { dataset: asNetwork, own: false };
  const own = await listDataset(folder);
  if (typeof own === 'string') return `${what}: ${asNetwork}`;
  // As many folders as the network has classes, some named after its classes but not all: in sorted
  // order they would train its outputs under other names than the file gives them, with no new head.
  const names = own.classFolders?.names;
  if (names?.length === classes) {
    return `${what}: ${asNetwork}. Trained in sorted order, the network's ${classes} outputs would mean ${names.join(', ')}, which its classes are not: rename the folders`;
  }
  return { dataset: own, own: true };
}

/** Why a weights file is not a readable safetensors file (train.py would stop on it with a traceback); undefined when it is. */
async function unreadableWeights(path: string): Promise<string | undefined> {
  try {
    await (await SafetensorsFile.open(path)).close();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const pairs = (dataset: Dataset) => dataset.samples.map((s): [string, number] => [resolve(s.path), s.target]);

/** Checks the settings against the network and the data, and lays out the run; a string says why it cannot run. */
export async function planTraining(model: TrainModel, settings: TrainSettings): Promise<TrainingPlan | string> {
  const { network } = model;
  const output = network.outputShape;
  if (!network.input || output?.length !== 2) return `network ${network.name} does not end in class scores [1, classes]; only a classifier can be trained on labelled images`;
  if (network.input.length === 4) return `network ${network.name} takes clips (C×T×H×W); training reads single images and cannot train a clip network yet`;
  const networkClasses = output[1]!;
  const notes: string[] = [];

  const listing = await listed(settings.data, 'training data', networkClasses, model.labels);
  if (typeof listing === 'string') return listing;
  const train = listing.dataset;
  const folders = train.classFolders?.names;
  const classes = !listing.own ? networkClasses : (folders?.length ?? Math.max(...train.samples.map((s) => s.target + 1)));
  const classNames = listing.own ? (folders ?? null) : (model.labels ?? null);
  // Validation images have the training data's classes.
  const val = settings.val === undefined ? undefined : await listDataset(settings.val, listing.own ? undefined : classes, model.labels);
  if (typeof val === 'string') return `--val: ${val}`;
  const valFolders = val?.classFolders?.names;
  if (val && listing.own && folders && valFolders?.join('\n') !== folders.join('\n')) {
    return `--val ${settings.val}: its class folders (${valFolders?.join(', ') ?? 'none: flat files'}) must be the training data's (${folders.join(', ')})`;
  }
  if (val && val.samples.some((s) => s.target >= classes)) return `--val ${settings.val}: a class index is beyond the ${classes} classes of the training data`;
  if (!val && settings.valSplit === undefined) notes.push('no validation images (--val DIR or --val-split F): the best weights are the last');

  const weights = [...expectedWeights(network).values()];
  const head = weights.filter((w) => w.spec.kind === 'parameter').at(-1)?.layer;
  if (!head) return `network ${network.name} has no weights to train`;
  if (classes !== networkClasses && head.op !== 'linear') {
    return `the data has ${classes} classes but network ${network.name} has ${networkClasses} outputs, and its last layer with weights (${head.name}, ${head.op}) is not a linear layer that could be replaced`;
  }
  if (settings.freeze && settings.freeze !== 'backbone' && !weights.some((w) => w.spec.kind === 'parameter' && w.spec.key.startsWith(`${settings.freeze}.`))) {
    return `--freeze ${settings.freeze}: network ${network.name} has no layer, block or stage of that name with parameters (top level: ${[...new Set(weights.map((w) => w.spec.key.split('.')[0]))].join(', ')})`;
  }
  const parameters = weights.filter((w) => w.spec.kind === 'parameter');
  if (settings.freeze && settings.freeze !== 'backbone' && parameters.at(-1)!.spec.key.startsWith(`${settings.freeze}.`)) {
    return `--freeze ${settings.freeze}: it freezes every parameter of network ${network.name} (up to and including ${parameters.at(-1)!.spec.key}), so nothing would train; freeze a layer before the head, or backbone`;
  }
  if (settings.batch % settings.nproc !== 0) return `--batch ${settings.batch} is the global batch and must divide among the ${settings.nproc} processes`;

  let init: string | null = null;
  let resumeState: string | null = null;
  if (settings.resume) {
    if (settings.from !== undefined) return '--resume and --from exclude each other: a resumed run continues from its own weights';
    resumeState = `${withoutExtension(settings.resume)}.state.pt`;
    if (!existsSync(settings.resume)) return `--resume ${settings.resume}: no such file`;
    const unreadable = await unreadableWeights(settings.resume);
    if (unreadable) return `--resume: ${unreadable}`;
    if (!existsSync(resumeState)) return `--resume ${settings.resume}: ${resumeState}, the optimizer and schedule state written beside it, is missing`;
  } else if (settings.from === 'none') {
    notes.push("weights: torchvision's initialisation (--from none)");
  } else if (settings.from !== undefined) {
    init = resolve(settings.from);
  } else if (network.weights) {
    init = resolve(model.folder, network.weights.path);
  } else {
    notes.push(`weights: torchvision's initialisation (network ${network.name} declares no weights)`);
  }
  if (init && !existsSync(init)) return `weights ${init}: no such file`;
  const unreadableInit = init && (await unreadableWeights(init));
  if (unreadableInit) return `${settings.from === undefined ? `network ${network.name}'s weights` : '--from'}: ${unreadableInit}`;

  const resumedOut = settings.resume?.endsWith('.last.safetensors') ? settings.resume.replace(/\.last\.safetensors$/, '.safetensors') : undefined;
  if (settings.resume && !settings.out && !resumedOut) return `--resume ${settings.resume}: give --out W.safetensors (its name does not end in .last.safetensors)`;
  const out = resolve(settings.out ?? resumedOut ?? join(model.folder, `${network.name}.trained.safetensors`));
  if (!out.endsWith('.safetensors')) return `--out ${settings.out}: the weights file must end in .safetensors`;
  const paths = { out, last: `${withoutExtension(out)}.last.safetensors`, log: `${withoutExtension(out)}.log.json` };

  const perProcess = Math.floor(cpus().length / settings.nproc);
  const config = {
    network: network.name,
    input: network.input,
    preprocess: networkPreprocess(network),
    valSplit: val ? null : (settings.valSplit ?? null),
    classes,
    networkClasses,
    classNames,
    head: head.name,
    epochs: settings.epochs,
    batch: settings.batch,
    lr: settings.lr,
    optimizer: settings.optimizer,
    schedule: settings.schedule,
    augment: settings.augment,
    init,
    freeze: settings.freeze ?? null,
    ...paths,
    lastState: `${withoutExtension(paths.last)}.state.pt`,
    resume: settings.resume ? resolve(settings.resume) : null,
    resumeState: resumeState && resolve(resumeState),
    device: settings.device ?? null,
    amp: settings.amp,
    seed: settings.seed,
    // Data-loading processes only where cores are left over: on 2 cores they slow training down.
    workers: perProcess > 2 ? Math.min(8, perProcess - 1) : 0,
    settings: { ...settings, file: model.name },
    version,
  };
  return { config, samples: { train: pairs(train), val: val ? pairs(val) : null }, notes, paths };
}
