// Seeded random residual networks, each as a description for torch and as `.resnet` text.
// Most are meant to be valid (the generator keeps a rough shape to steer its choices); about one in
// five carries one deliberate fault, so the error verdicts are compared too. The shape kept here only
// steers generation: the verdicts come from our analysis and from torch.

import type { LayerOp } from '../../language/core/model';
import type { AddStep, BlockDefinition, LayerStep, NetworkDescription, ShortcutKind, Step, Value } from './description';
import { Random, caseSeed } from './random';
import { resnetText } from './resnet-text';

export interface Case {
  /** The run's seed and the case's index in it: `--seed S --start index --count 1` reproduces it. */
  runSeed: number;
  description: NetworkDescription;
  text: string;
}

const NETWORK_FAULTS = ['collapse', 'linear-spatial', 'linear-in', 'maxpool-padding', 'conv-groups', 'basic-args', 'cat-spatial', 'split-uneven', 'tuple-length', 'se-clip'] as const;
const BLOCK_FAULTS = ['identity-mismatch', 'missing-padding', 'double-stride', 'hardcoded-stride', 'zeropad-uneven', 'block-groups'] as const;
type Fault = (typeof NETWORK_FAULTS)[number] | (typeof BLOCK_FAULTS)[number];

/** The steering shape: channels and size of a feature map or clip (t null for a map; channels alone once flattened). */
interface Shape {
  c: number;
  t: number | null;
  h: number;
  w: number;
}

const window = (size: number, kernel: number, stride: number, padding: number, dilation: number, ceil = false) => {
  const span = size + 2 * padding - dilation * (kernel - 1) - 1;
  return Math.floor((ceil ? span + stride - 1 : span) / stride) + 1;
};
/** A per-axis value along axis 0 (T), 1 (H) or 2 (W) of a clip; a feature map's tuples are (H, W). */
const along = (v: Value, axis: number, clip: boolean): number => (Array.isArray(v) ? v[clip ? axis : axis - 1]! : (v as number));
type WindowArgs = Record<'kernel' | 'stride' | 'padding' | 'dilation', Value>;
const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

function conv(out: Value, kernel: Value, extra: Partial<Record<'stride' | 'padding' | 'dilation' | 'groups' | 'bias', Value>> = {}) {
  return { out, kernel, stride: 1, padding: 0, dilation: 1, groups: 1, bias: false, ...extra };
}

function layer(name: string | null, op: LayerOp, args: Record<string, Value> = {}, repeat = 1): LayerStep {
  return { kind: 'layer', name, op, args, repeat };
}

const defaults: Partial<Record<LayerOp, Record<string, Value>>> = {
  batchnorm: { eps: 1e-5 },
  leaky_relu: { slope: 0.01 },
  avgpool: { output: 1 },
  dropout: { p: 0.5 },
  se: { reduction: 16 },
};

class NetworkGenerator {
  private readonly body: Step[] = [];
  private readonly blocks: Record<string, BlockDefinition> = {};
  private readonly counters = new Map<string, number>();
  private shape: Shape;
  /** The fault still to inject, if any. */
  private fault: Fault | undefined;
  /** What torch refuses (or reads otherwise) that a valid network got by chance: its intent. */
  private refusal: string | undefined;

  constructor(private readonly r: Random) {
    const faulty = r.chance(0.2);
    this.fault = faulty ? r.pick([...NETWORK_FAULTS, ...BLOCK_FAULTS]) : undefined;
    const small = this.fault === 'collapse';
    const h = small ? r.int(3, 6) : r.int(6, 36);
    const w = r.chance(0.6) ? h : small ? r.int(3, 6) : r.int(6, 36);
    // One network in five is a clip (C×T×H×W, torch's 3-D modules); a prelude-block fault needs a map.
    const clip = this.fault === 'se-clip' || (this.fault !== 'basic-args' && r.chance(0.2));
    this.shape = { c: r.pick([1, 2, 3, 3, 3, 4]), t: clip ? r.int(small ? 2 : 3, 8) : null, h: clip ? Math.min(h, 20) : h, w: clip ? Math.min(w, 20) : w };
  }

  private get clip(): boolean {
    return this.shape.t !== null;
  }

  /** A per-axis value: mostly one number for every axis, now and then a tuple of per-axis choices. */
  private axes(choose: (axis: number) => number, tuple = 0.35): Value {
    const values = (this.clip ? [0, 1, 2] : [1, 2]).map(choose);
    return this.r.chance(tuple) ? values : values[values.length - 1]!;
  }

  /** Moves the steering shape through a window (conv or pool) with per-axis arguments. */
  private windowShape(a: WindowArgs, ceil = false): void {
    const s = this.shape;
    const clip = this.clip;
    const size = (n: number, axis: number) => window(n, along(a.kernel, axis, clip), along(a.stride, axis, clip), along(a.padding, axis, clip), along(a.dilation, axis, clip), ceil);
    if (s.t !== null) s.t = size(s.t, 0);
    s.h = size(s.h, 1);
    s.w = size(s.w, 2);
  }

  generate(index: number, seed: number): NetworkDescription {
    const fault = this.fault;
    const s = this.shape;
    const input = s.t === null ? [s.c, s.h, s.w] : [s.c, s.t, s.h, s.w];
    this.stem();
    const items = this.r.int(1, 3);
    for (let i = 0; i < items; i++) {
      const kind = this.r.next();
      // torchvision's BasicBlock and Bottleneck are 2-D: a clip gets more blocks of the file instead.
      if (kind < 0.3 && !this.clip) this.preludeStage();
      else if (kind < (this.clip ? 0.5 : 0.6)) this.customStage();
      else if (kind < 0.8) this.dataflowStage();
      else this.plainLayer();
    }
    // Give the fault its place when the random choices above gave none.
    if (this.fault === 'basic-args') this.preludeStage();
    if (this.fault === 'cat-spatial' || this.fault === 'split-uneven') this.dataflowStage();
    if ((BLOCK_FAULTS as readonly string[]).includes(this.fault ?? '')) this.customStage();
    if (this.fault === 'collapse') this.collapse();
    if (this.take('tuple-length')) this.wrongTuple();
    if (this.take('se-clip')) this.body.push(layer(this.name('se'), 'se', { reduction: 1 }));
    this.head();
    return { index, seed, intent: fault ?? this.refusal ?? 'valid', input, body: this.body, blocks: this.blocks };
  }

  private name(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${n}`;
  }

  private take(...faults: Fault[]): Fault | undefined {
    const fault = this.fault;
    if (fault && faults.includes(fault)) {
      this.fault = undefined;
      return fault;
    }
    return undefined;
  }

  private activation(name: string | null): LayerStep {
    const r = this.r;
    const op = r.pick<LayerOp>(['relu', 'relu', 'relu', 'relu6', 'leaky_relu', 'sigmoid']);
    return layer(op === 'relu' && name ? 'relu' : name, op, op === 'leaky_relu' ? { slope: r.pick([0.01, 0.1, 0.2]) } : {});
  }

  private stem(): void {
    const r = this.r;
    const s = this.shape;
    const out = r.pick([4, 6, 8, 12, 16]);
    // Per axis, as torchvision's video stems: (3, 7, 7) or (1, 7, 7) kernels, (1, 2, 2) strides; (1, 7) on a map.
    const kernels = [0, 1, 2].map((axis) => (axis === 0 ? r.pick([1, 3, 3]) : r.pick([1, 3, 3, 5, 7])));
    const same = r.chance(0.75);
    const dilation = r.chance(0.15) && kernels.every((k) => k === 3) ? 2 : 1;
    const smallest = Math.min(s.h, s.w);
    const stride = this.axes((axis) => (axis === 0 ? r.pick([1, 1, 2]) : smallest >= 12 ? r.pick([1, 2]) : 1));
    const kernel = this.axes((axis) => kernels[axis]!, this.clip ? 0.7 : 0.3);
    const padding = Array.isArray(kernel) ? kernel.map((k) => (same ? k >> 1 : r.int(0, k >> 1)) * dilation) : ((same ? (kernel as number) >> 1 : r.int(0, (kernel as number) >> 1)) * dilation);
    const groups = this.take('conv-groups') ? 5 : r.pick(divisors(gcd(s.c, out)));
    this.convLayer(this.name('conv'), conv(out, kernel, { stride: this.clip && s.t! < 3 ? 1 : stride, padding, dilation, groups, bias: r.chance(0.3) }));
    if (r.chance(0.8)) this.body.push(layer(this.name('bn'), 'batchnorm', { eps: r.pick([1e-5, 1e-5, 1e-3]) }));
    if (r.chance(0.9)) this.body.push(this.activation(r.chance(0.5) ? 'act' : null));
    if (r.chance(0.4) || this.fault === 'maxpool-padding') this.maxpool();
  }

  private convLayer(name: string, args: ReturnType<typeof conv>, repeat = 1): void {
    this.body.push(layer(name, 'conv', args, repeat));
    for (let i = 0; i < repeat; i++) this.windowShape(args);
    this.shape.c = args.out as number;
  }

  /** A tuple with one value too many or too few for the input's axes. */
  private wrongTuple(): void {
    const count = (this.clip ? 3 : 2) + this.r.pick([-1, 1]);
    const kernel = Array.from({ length: count }, () => 1);
    this.body.push(layer(this.name('conv'), 'conv', conv(this.shape.c, kernel)));
  }

  private maxpool(repeat = 1): void {
    const r = this.r;
    const s = this.shape;
    const fault = this.take('maxpool-padding');
    const big = (axis: number) => (axis === 0 ? s.t! : Math.min(s.h, s.w));
    const kernels = [0, 1, 2].map((axis) => (axis === 0 ? r.pick([1, 1, 2, 3]) : r.pick([2, 3, 3, 4])));
    const kernel = this.axes((axis) => kernels[axis]!);
    const stride = this.axes((axis) => (big(axis) >= 6 ? r.pick([1, 2, 2, big(axis) >= 9 ? 3 : 2]) : 1));
    const padding = Array.isArray(kernel) ? kernel.map((k, i) => (fault && i === kernel.length - 1 ? k : r.int(0, k >> 1))) : fault ? kernel : r.int(0, (kernel as number) >> 1);
    const dilation = this.axes((axis) => (big(axis) >= 8 && r.chance(0.25) ? r.pick([2, 3]) : 1));
    const ceil = r.chance(0.3);
    this.body.push(layer(repeat > 1 || r.chance(0.6) ? this.name('pool') : null, 'maxpool', { kernel, stride, padding, dilation, ceil }, repeat));
    for (let i = 0; i < repeat; i++) this.windowShape({ kernel, stride, padding, dilation }, ceil);
  }

  /** A layer between stages; now and then repeated (`xN`, torch's nn.Sequential). */
  private plainLayer(): void {
    const r = this.r;
    const repeat = r.chance(0.3) ? r.int(2, 3) : 1;
    const kind = r.pick(['conv', 'conv', 'maxpool', 'se', 'batchnorm', 'activation', 'dropout', 'avgpool']);
    const s = this.shape;
    if (kind === 'conv') {
      const kernel = r.pick([1, 2, 3, 3, 5]);
      const dilation = kernel > 1 && r.chance(0.2) ? 2 : 1;
      const same = (kernel % 2 === 1 || dilation % 2 === 0) && r.chance(0.75);
      const padding = same ? (dilation * (kernel - 1)) / 2 : r.int(0, kernel);
      const stride = Math.min(s.h, s.w) >= 8 && r.chance(0.3) ? 2 : 1;
      const out = r.pick([4, 8, 12, 16]);
      const groups = r.pick(divisors(gcd(s.c, out)));
      // A factored conv now and then: (1, k) on a map, (k, 1, 1) or (1, k, k) on a clip, padded to match.
      const factored = r.chance(0.3) ? (this.clip ? r.pick([[kernel, 1, 1], [1, kernel, kernel]]) : r.pick([[1, kernel], [kernel, 1]])) : null;
      const axisPadding = factored && factored.map((k) => (k === 1 ? 0 : padding));
      this.convLayer(this.name('conv'), conv(out, factored ?? kernel, { stride: factored && this.clip ? [1, stride, stride] : stride, padding: axisPadding ?? padding, dilation, groups, bias: r.chance(0.3) }), repeat);
    } else if (kind === 'maxpool') this.maxpool(repeat);
    else if (kind === 'se' && s.c >= 4 && !this.clip) this.body.push(layer(this.name('se'), 'se', { reduction: r.pick([2, 4]) }, repeat));
    else if (kind === 'batchnorm') this.body.push(layer(this.name('bn'), 'batchnorm', { eps: 1e-5 }, repeat));
    else if (kind === 'dropout') this.body.push(layer(this.name('drop'), 'dropout', { p: r.pick([0.1, 0.5]) }, repeat));
    else if (kind === 'avgpool' && Math.min(s.h, s.w) >= 4) {
      const output = this.axes((axis) => (axis === 0 ? r.pick([1, 2, 3]) : r.pick([2, 3, 4])));
      this.body.push(layer(this.name('pool'), 'avgpool', { output }));
      if (s.t !== null) s.t = along(output, 0, true);
      s.h = along(output, 1, this.clip);
      s.w = along(output, 2, this.clip);
    } else this.body.push({ ...this.activation(this.name('act')), repeat });
  }

  private preludeStage(): void {
    const r = this.r;
    const s = this.shape;
    const fault = this.take('basic-args');
    const block = fault || r.chance(0.5) ? 'basic' : 'bottleneck';
    const planes = r.pick([4, 8, 12, 16]);
    let groups = 1;
    let width = 64;
    let dilation = 1;
    if (fault) {
      [groups, width, dilation] = r.pick([[2, 64, 1], [1, 32, 1], [1, 64, 2]]);
    } else if (block === 'bottleneck') {
      groups = r.pick([1, 1, 2, 4]);
      width = r.pick([64, 64, 32, 16, 24, 40, 48, 96, 128]);
      while (planes * width < 64) width *= 2; // keeps torchvision's int(planes * width / 64) above zero
      dilation = r.chance(0.15) ? 2 : 1;
    }
    const stride = Math.min(s.h, s.w) >= 4 ? r.pick([1, 2, 2]) : 1;
    const blocks = r.chance(0.25) ? null : r.int(1, 3);
    this.body.push({ kind: 'prelude', name: this.name('layer'), block, planes, groups, width_per_group: width, dilation, stride, blocks });
    s.c = planes * (block === 'basic' ? 1 : 4);
    s.h = window(s.h, 1, stride, 0, 1);
    s.w = window(s.w, 1, stride, 0, 1);
  }

  /** A stage of a block defined in the file, by a template that torchvision's rules accept unless the fault says otherwise. */
  private customStage(): void {
    const r = this.r;
    const s = this.shape;
    const fault = this.take(...BLOCK_FAULTS);
    const keep = !fault && r.chance(0.2);
    const expansion = keep || fault === 'zeropad-uneven' ? null : r.pick([null, 1, 2, 4]);
    let planes = r.pick(fault === 'block-groups' ? [4, 8, 16] : [4, 8, 12, 16]);
    let shortcut: ShortcutKind = keep ? r.pick(['identity', 'shortcut']) : r.pick(['shortcut', 'shortcut', 'shortcut', 'projection', 'zeropad']);
    if (fault === 'zeropad-uneven') {
      shortcut = 'zeropad';
      planes = s.c + r.pick([-2, 1, 3]); // fewer channels than the input, or an odd increase
    } else if (fault === 'identity-mismatch') shortcut = 'identity';
    let stride: number = Math.min(s.h, s.w) >= 4 ? r.pick([1, 2, 2, 3]) : 1;
    if (fault === 'double-stride' || fault === 'identity-mismatch') stride = 2;
    if (fault === 'hardcoded-stride' || (keep && shortcut === 'identity')) stride = 1;
    // On a clip the stage may stride space only, as mc3_18's (1, 2, 2).
    const strides = this.clip && stride !== 1 && r.chance(0.5) ? [1, stride, stride] : null;
    const out = keep ? s.c : planes * (expansion ?? 1);
    if (shortcut === 'zeropad' && !fault && (out < s.c || (out - s.c) % 2 === 1)) shortcut = 'shortcut';
    const name = this.name('blk');
    this.blocks[name] = this.blockDefinition(keep, expansion, shortcut, fault);
    const blocks = r.chance(0.3) ? null : r.int(1, 3);
    const args: Record<string, Value> = keep ? {} : { planes };
    this.body.push({ kind: 'custom', name: this.name('stage'), block: name, args, stride: strides ?? (stride === 1 && r.chance(0.5) ? null : stride), blocks });
    s.c = out;
    this.windowShape({ kernel: 1, stride: strides ?? stride, padding: 0, dilation: 1 });
  }

  private blockDefinition(keep: boolean, expansion: number | null, shortcut: ShortcutKind, fault: Fault | undefined): BlockDefinition {
    const r = this.r;
    const out = keep ? 'in_channels' : expansion === null ? 'planes' : 'planes * expansion';
    const width = keep ? 'in_channels' : 'planes';
    const stride = fault === 'hardcoded-stride' ? 2 : 'stride';
    const style = keep ? 'keep' : r.pick(['basic', 'bottleneck', 'pool', 'preact', ...(expansion === null && !fault && !this.clip ? ['nested'] : [])]);
    const act = () => this.activation(r.chance(0.4) ? 'act' : null);
    const pad = (kernel: number, dilation: number) => (fault === 'missing-padding' && kernel === 3 && dilation === 1 ? 0 : (dilation * (kernel - 1)) / 2);
    const grouped = fault === 'block-groups' ? 3 : fault === 'zeropad-uneven' ? 1 : keep && r.chance(0.5) ? 'in_channels' : r.pick([1, 1, 2, 4]);
    const kernel = r.pick([1, 3, 3, 5]);
    const dilation = kernel > 1 && r.chance(0.2) ? 2 : 1;
    const body: Step[] = [];
    const bn = (n: number) => layer(`bn${n}`, 'batchnorm', { eps: 1e-5 });
    switch (style) {
      case 'basic':
      case 'keep':
        body.push(layer('conv1', 'conv', conv(width, 3, { stride, padding: pad(3, 1), bias: r.chance(0.2) })), bn(1), act());
        body.push(layer('conv2', 'conv', conv(out, kernel, { padding: pad(kernel, dilation), dilation, groups: grouped, stride: fault === 'double-stride' ? 'stride' : 1 })), bn(2));
        break;
      case 'bottleneck':
        body.push(layer('conv1', 'conv', conv(width, 1)), bn(1), act());
        body.push(layer('conv2', 'conv', conv(width, 3, { stride, padding: pad(3, 1), groups: grouped })), bn(2), act());
        body.push(layer('conv3', 'conv', conv(out, 1, { stride: fault === 'double-stride' ? 'stride' : 1 })), bn(3));
        break;
      case 'pool':
        body.push(layer('conv1', 'conv', conv(out, kernel, { padding: pad(kernel, dilation), dilation, groups: fault === 'block-groups' ? 3 : 1, stride: fault === 'double-stride' ? 'stride' : 1 })), bn(1), act());
        body.push(layer(r.chance(0.5) ? 'pool' : null, 'maxpool', { kernel: 3, stride, padding: fault === 'missing-padding' ? 0 : 1, dilation: 1, ceil: false }));
        break;
      case 'preact':
        body.push(bn(1), act(), layer('conv1', 'conv', conv(width, 3, { stride, padding: pad(3, 1) })));
        body.push(bn(2), act(), layer('conv2', 'conv', conv(out, kernel, { padding: pad(kernel, dilation), dilation, groups: grouped, stride: fault === 'double-stride' ? 'stride' : 1 })));
        break;
      case 'nested': // a block calling a prelude block, with its own add around it
        body.push({ kind: 'prelude', name: 'inner', block: 'basic', planes: 'planes', groups: 1, width_per_group: 64, dilation: 1, stride, blocks: null });
        break;
    }
    if (r.chance(0.25) && !this.clip) body.push(layer('se', 'se', { reduction: r.pick([2, 4]) }));
    if (r.chance(0.1)) body.push(layer(null, 'dropout', { p: 0.2 }));
    body.push({ kind: 'add', shortcut } satisfies AddStep);
    if (style !== 'preact' && r.chance(0.8)) body.push(act());
    const params = keep ? ['stride'] : ['planes', 'stride'];
    return { params, defaults: { stride: 1 }, expansion, body };
  }

  /**
   * A block of named values, as DenseNet, IBN-Net, CBAM and Res2Net write theirs: concatenation,
   * split/chunk and an index, + and * with broadcasting, channel pooling, a module applied twice.
   * On a clip the same blocks, with 3-D windows now and then factored ((1, k, k), (k, 1, 1)); the
   * choices a clip adds are drawn only for a clip, so the maps of a seed stay the networks they were.
   */
  private dataflowStage(): void {
    const r = this.r;
    const s = this.shape;
    const catFault = this.take('cat-spatial');
    const splitFault = this.take('split-uneven');
    const style = catFault ? 'dense' : splitFault ? 'ibn' : r.pick(['dense', 'ibn', 'gate', 'spatial', 'shared']);
    const body: Step[] = [];
    const bind = (name: string, expr: string) => body.push({ kind: 'bind', name, expr });
    const bn = (name: string) => layer(name, 'batchnorm', { eps: 1e-5 });
    /** A 3×3 window, or on a clip now and then a factored one, with the padding that keeps the size. */
    const window3 = (): { kernel: Value; padding: Value } => {
      const kernel = this.clip ? r.pick([3, 3, [1, 3, 3], [3, 1, 1]]) : 3;
      return { kernel, padding: Array.isArray(kernel) ? kernel.map((k) => k >> 1) : 1 };
    };
    const text = (v: Value) => (Array.isArray(v) ? `(${v.join(', ')})` : String(v));
    let out = s.c;
    switch (style) {
      case 'dense': {
        const growth = r.pick([2, 4, 8]);
        const { kernel, padding } = window3();
        body.push(bn('norm'), layer(null, 'relu'), layer('conv', 'conv', conv(growth, kernel, { padding: catFault ? 0 : padding })));
        const twice = r.chance(0.5);
        bind('out', twice ? 'cat(input, conv, relu(conv))' : 'cat(input, conv)');
        out = s.c + growth * (twice ? 2 : 1);
        break;
      }
      case 'ibn': {
        const half = s.c >> 1;
        if (s.c < 2) return this.plainLayer();
        bind('parts', splitFault ? `split(input, ${half + 1})` : r.chance(0.5) && s.c % 2 === 0 ? 'chunk(input, 2)' : `split(input, [${half}, ${s.c - half}])`);
        bind('first', 'parts[0]');
        body.push(layer('IN', 'instancenorm', { eps: 1e-5, affine: r.chance(0.7) }));
        bind('rest', 'parts[1]');
        body.push(bn('BN'));
        bind('out', 'cat(IN, BN)');
        break;
      }
      case 'gate': {
        body.push(layer('squeeze', 'conv', conv(r.pick([1, s.c]), 1, { bias: true })));
        const pooled = this.clip ? this.clipPooling() : r.chance(0.5) ? 'unflatten(flatten(global_maxpool(input)))' : 'avgpool(input)';
        bind('pooled', pooled);
        if (r.chance(0.5)) {
          // CBAM's channel MLP, of 1×1 convs, written in place and applied again to the same pooling of relu(input).
          const hidden = r.pick<Value>([1, 2, ...(s.c >= 2 ? ['in_channels // 2'] : [])]);
          const items = [layer(null, 'conv', conv(hidden, 1, { bias: true })), this.activation(null), layer(null, 'conv', conv('in_channels', 1, { bias: true }))];
          body.push({ kind: 'sequential', name: 'mlp', items });
          bind('attention', `mlp + mlp(${pooled.replace('(input', '(relu(input)')})`);
          bind('out', 'input * sigmoid(squeeze) + input * sigmoid(attention)');
        } else bind('out', 'input * sigmoid(squeeze) + input * sigmoid(pooled)');
        break;
      }
      case 'spatial': {
        bind('pooled', 'cat(channel_max(input), channel_mean(input))');
        const { kernel, padding } = window3();
        body.push(layer('spatial', 'conv', conv(1, kernel, { padding })), bn('bn'));
        bind('out', 'input * sigmoid(bn)');
        break;
      }
      case 'shared': {
        const { kernel, padding } = window3();
        body.push(layer('conv', 'conv', conv(s.c, kernel, { padding })));
        bind('twice', 'conv(relu(conv))');
        const pool = window3();
        bind('out', `avgpool(twice, kernel=${text(pool.kernel)}, stride=1, padding=${text(pool.padding)}) + input`);
        break;
      }
    }
    const name = this.name('flow');
    this.blocks[name] = { params: [], defaults: {}, expansion: null, body };
    this.body.push({ kind: 'custom', name: this.name('stage'), block: name, args: {}, stride: null, blocks: r.chance(0.3) ? null : r.int(1, 2) });
    if (style === 'dense') {
      const blocks = (this.body.at(-1) as { blocks: number | null }).blocks ?? 1;
      s.c += (out - s.c) * blocks;
    }
  }

  /**
   * The gate's pooled value on a clip: over everything, or over space per frame (T×1×1); now and then
   * what torch refuses or reads otherwise: global_maxpool is nn.AdaptiveMaxPool2d, which refuses a
   * 5-D tensor, and unflatten's C×1×1 lines its channels up with the clip's frames when broadcast.
   */
  private clipPooling(): string {
    const kind = this.r.pick(['all', 'all', 'frames', 'frames', 'maxpool', 'unflatten']);
    if (kind === 'maxpool') this.refusal ??= 'global-maxpool-clip';
    if (kind === 'unflatten') this.refusal ??= 'unflatten-clip';
    return { all: 'avgpool(input)', frames: `avgpool(input, output=(${this.shape.t}, 1, 1))`, maxpool: 'unflatten(flatten(global_maxpool(input)))', unflatten: 'unflatten(flatten(avgpool(input)))' }[kind]!;
  }

  /** More strides than the small input can take. */
  private collapse(): void {
    this.fault = undefined;
    for (let i = 0; i < 3; i++) this.convLayer(this.name('conv'), conv(8, 3, { stride: this.clip ? [1, 2, 2] : 2 }));
  }

  private head(): void {
    const r = this.r;
    const s = this.shape;
    const kind = r.next();
    if (kind < 0.2 && this.fault !== 'linear-spatial' && this.fault !== 'linear-in') return;
    const volume = s.h * s.w * (s.t ?? 1);
    if (this.take('linear-spatial')) {
      if (volume === 1) this.body.push(layer(this.name('pool'), 'avgpool', { output: 2 }));
    } else if (kind < 0.35 && s.c * volume <= 4096) {
      this.body.push(layer(r.chance(0.5) ? 'flatten' : null, 'flatten'));
      s.c *= volume;
    } else {
      const output = r.chance(0.8) ? 1 : this.axes(() => r.pick([1, 2, 3]));
      this.body.push(layer(r.chance(0.7) ? 'avgpool' : null, 'avgpool', { output }));
      const bins = [0, 1, 2].slice(this.clip ? 0 : 1).reduce((n, axis) => n * along(output, axis, this.clip), 1);
      if (bins > 1) {
        this.body.push(layer(null, 'flatten'));
        s.c *= bins;
      }
    }
    if (r.chance(0.3)) this.body.push(layer(r.chance(0.5) ? 'dropout' : null, 'dropout', { p: r.pick([0.2, 0.5]) }));
    const wrongIn = this.take('linear-in') ? s.c + 1 : 0;
    const classes = r.int(2, 10);
    if (r.chance(0.25)) {
      const hidden = r.pick([8, 16]);
      this.body.push(layer('fc1', 'linear', { out: hidden, in: wrongIn || (r.chance(0.3) ? s.c : 0), bias: r.chance(0.8) }), this.activation('act'));
      this.body.push(layer('fc2', 'linear', { out: classes, in: 0, bias: true }));
    } else this.body.push(layer('fc', 'linear', { out: classes, in: wrongIn || (r.chance(0.3) ? s.c : 0), bias: r.chance(0.8) }));
    if (r.chance(0.1)) this.body.push(layer(null, 'sigmoid'));
  }
}

/** Fills in the documented defaults of ops generated without arguments. */
function complete(steps: Step[]): Step[] {
  return steps.map((s) => (s.kind === 'layer' ? { ...s, args: { ...defaults[s.op], ...s.args } } : s.kind === 'sequential' ? { ...s, items: complete(s.items) as LayerStep[] } : s));
}

export function generateCase(runSeed: number, index: number): Case {
  const seed = caseSeed(runSeed, index);
  const description = new NetworkGenerator(new Random(seed)).generate(index, seed);
  description.body = complete(description.body);
  for (const block of Object.values(description.blocks)) block.body = complete(block.body);
  return { runSeed, description, text: resnetText(description) };
}
