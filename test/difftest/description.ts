// The network descriptions the generator writes and test/oracle/difftest_torch.py builds in torch.
// Plain JSON. Every layer argument is explicit (the defaults of docs/language.md filled in), so the
// torch side never relies on our defaults.

import type { LayerOp } from '../../language/core/model';

/**
 * A number or boolean, a per-axis tuple of numbers ((H, W) or (T, H, W)), or (inside a block) an
 * expression over the block's parameters, `in_channels` and `expansion`: `planes * 2`.
 */
export type Value = number | boolean | string | number[];

export type ShortcutKind = 'shortcut' | 'identity' | 'projection' | 'zeropad';

/** `name op(args)`, or `name op(args) xN` (torch: nn.Sequential `name.0 … name.N-1`). */
export interface LayerStep {
  kind: 'layer';
  /** Null: an anonymous layer (shown as `<parent>.<op>`). */
  name: string | null;
  op: LayerOp;
  args: Record<string, Value>;
  repeat: number;
}

/** `+ kind` inside a block. */
export interface AddStep {
  kind: 'add';
  shortcut: ShortcutKind;
}

/** A prelude block (torchvision's BasicBlock/Bottleneck): a stage `xN stride=s` (ResNet._make_layer) or one call (`blocks` null). */
export interface PreludeStep {
  kind: 'prelude';
  name: string;
  block: 'basic' | 'bottleneck';
  planes: Value;
  groups: Value;
  width_per_group: Value;
  dilation: Value;
  stride: Value;
  blocks: number | null;
}

/** A call of a block defined in the file: a stage (the stride goes to the first block only) or one call (`blocks` null). */
export interface CustomStep {
  kind: 'custom';
  name: string;
  block: string;
  /** The arguments every block of the stage gets (not the stride). */
  args: Record<string, Value>;
  /** The stage stride, or the call's stride; null when not given. */
  stride: Value | null;
  blocks: number | null;
}

/** `name = expr` inside a block: a named value (`out = cat(input, conv)`); the torch side evaluates the same text. */
export interface BindStep {
  kind: 'bind';
  name: string;
  expr: string;
}

/** `name sequential(a, b(args), …)`: an nn.Sequential written in place, its items `name.0`, `name.1`, … */
export interface SequentialStep {
  kind: 'sequential';
  name: string;
  /** Anonymous layers, once each. */
  items: LayerStep[];
}

export type Step = LayerStep | AddStep | PreludeStep | CustomStep | BindStep | SequentialStep;

export interface BlockDefinition {
  /** Parameters in order; the defaults of those that have one. */
  params: string[];
  defaults: Record<string, number>;
  /** The `expansion` statement, if any. */
  expansion: number | null;
  body: Step[];
}

export interface NetworkDescription {
  /** Position in the run; with the run's seed it reproduces the case. */
  index: number;
  /** Seeds torch's weights and input. */
  seed: number;
  /** What the generator meant: 'valid', or the fault it injected. */
  intent: string;
  /** [C, H, W], or [C, T, H, W] for a clip (3-D convs, batchnorms and pools in torch). */
  input: number[];
  body: Step[];
  blocks: Record<string, BlockDefinition>;
}
