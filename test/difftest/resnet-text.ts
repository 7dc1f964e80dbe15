// Writes a network description as `.resnet` text. Arguments equal to the documented default
// (docs/language.md) are left out at random and the first one is written positionally at random,
// so the defaults and the argument binding are tested too.

import type { LayerOp } from '../../language/core/model';
import type { BlockDefinition, NetworkDescription, Step, Value } from './description';
import { Random } from './random';

/** Each op's arguments in order, with the documented default (undefined: required or derived). */
const PARAMS: Record<LayerOp, [string, Value | undefined][]> = {
  conv: [['out', undefined], ['kernel', 3], ['stride', 1], ['padding', 0], ['dilation', 1], ['groups', 1], ['bias', false]],
  batchnorm: [['eps', 1e-5]],
  relu: [],
  relu6: [],
  sigmoid: [],
  leaky_relu: [['slope', 0.01]],
  maxpool: [['kernel', undefined], ['stride', undefined], ['padding', 0], ['dilation', 1], ['ceil', false]],
  avgpool: [['output', 1], ['kernel', 0], ['stride', undefined], ['padding', 0]],
  flatten: [],
  linear: [['out', undefined], ['in', 0], ['bias', true]],
  dropout: [['p', 0.5]],
  se: [['reduction', 16]],
  instancenorm: [['eps', 1e-5], ['affine', true]],
  global_maxpool: [],
  channel_mean: [],
  channel_max: [],
  unflatten: [],
  slice: [['start', undefined], ['end', undefined]],
};

/** A tuple as the language writes it: `(1, 7)`, `(3,)` for one value. */
const text = (v: Value) => (Array.isArray(v) ? `(${v.join(', ')}${v.length === 1 ? ',' : ''})` : String(v));

function isDefault(op: LayerOp, param: string, value: Value, args: Record<string, Value>, fallback: Value | undefined): boolean {
  if (op === 'maxpool' && param === 'stride') return value === args.kernel;
  return fallback !== undefined && value === fallback;
}

function argList(positional: string[], keywords: string[]): string {
  const all = [...positional, ...keywords];
  return all.length ? `(${all.join(', ')})` : '';
}

function layerArgs(op: LayerOp, args: Record<string, Value>, r: Random): string {
  const positional: string[] = [];
  const keywords: string[] = [];
  PARAMS[op].forEach(([param, fallback], i) => {
    const value = args[param];
    if (value === undefined) return; // an argument the generator leaves to its documented default (avgpool's window)
    if (isDefault(op, param, value, args, fallback) && r.chance(0.7)) return;
    if (i === 0 && fallback === undefined && r.chance(0.7)) positional.push(text(value));
    else keywords.push(`${param}=${text(value)}`);
  });
  return argList(positional, keywords);
}

function callArgs(first: [string, Value] | undefined, rest: [string, Value][], r: Random): string {
  const positional = first && r.chance(0.7) ? [text(first[1])] : [];
  const keywords = [...(first && positional.length === 0 ? [first] : []), ...rest].map(([k, v]) => `${k}=${text(v)}`);
  return argList(positional, keywords);
}

function statement(step: Step, r: Random): string {
  switch (step.kind) {
    case 'layer': {
      const call = `${step.op}${layerArgs(step.op, step.args, r)}`;
      return `${step.name ? `${step.name} ` : ''}${call}${step.repeat > 1 ? ` x${step.repeat}` : ''}`;
    }
    case 'add':
      return `+ ${step.shortcut}`;
    case 'bind':
      return `${step.name} = ${step.expr}`;
    case 'sequential':
      return `${step.name} sequential(${step.items.map((item) => statement(item, r)).join(', ')})`;
    case 'prelude': {
      const rest: [string, Value][] = [];
      if (step.groups !== 1) rest.push(['groups', step.groups]);
      if (step.width_per_group !== 64) rest.push(['width_per_group', step.width_per_group]);
      if (step.dilation !== 1) rest.push(['dilation', step.dilation]);
      return stage(step.name, step.block, callArgs(['planes', step.planes], rest, r), step.stride, step.blocks, r);
    }
    case 'custom': {
      const [first, ...rest] = Object.entries(step.args);
      return stage(step.name, step.block, callArgs(first, rest, r), step.stride, step.blocks, r);
    }
  }
}

/** `name block(args) xN stride=s`, or one call with the stride among its arguments. */
function stage(name: string, block: string, args: string, stride: Value | null, blocks: number | null, r: Random): string {
  const strided = stride !== null && (stride !== 1 || r.chance(0.3));
  if (blocks !== null) return `${name} ${block}${args} x${blocks}${strided ? ` stride=${text(stride)}` : ''}`;
  if (!strided) return `${name} ${block}${args}`;
  return `${name} ${block}${args ? `${args.slice(0, -1)}, stride=${text(stride)})` : `(stride=${text(stride)})`}`;
}

function blockText(name: string, block: BlockDefinition, r: Random): string {
  const params = block.params.map((p) => (p in block.defaults ? `${p}=${block.defaults[p]}` : p)).join(', ');
  const lines = [`block ${name}(${params}) {`];
  if (block.expansion !== null) lines.push(`  expansion ${block.expansion}`);
  for (const step of block.body) lines.push(`  ${statement(step, r)}`);
  lines.push('}');
  return lines.join('\n');
}

export function resnetText(network: NetworkDescription): string {
  const r = new Random(network.seed ^ 0x5bd1e995);
  const lines = [`network n${network.index} {`, `  input ${network.input.join('x')}`];
  for (const step of network.body) lines.push(`  ${statement(step, r)}`);
  lines.push('}');
  const blocks = Object.entries(network.blocks).map(([name, block]) => blockText(name, block, r));
  return [lines.join('\n'), ...blocks].join('\n\n') + '\n';
}
