// The op table: every layer op the language knows, each defined once in its own file.

import type { LayerOp, MergeOp } from '../model';
import { dropout, leaky_relu, relu, relu6, sigmoid } from './activations';
import { avgpool } from './avgpool';
import { batchnorm } from './batchnorm';
import { conv } from './conv';
import { flatten } from './flatten';
import { linear } from './linear';
import { maxpool } from './maxpool';
import type { MergeDefinition, OpDefinition } from './op';
import { se } from './se';
import { instancenorm } from './instancenorm';
import { global_maxpool } from './global_maxpool';
import { channel_mean } from './channel_mean';
import { channel_max } from './channel_max';
import { unflatten } from './unflatten';
import { slice } from './slice';
import { cat } from './cat';
import { add } from './add';
import { mul } from './mul';

export const ops: { [Op in LayerOp]: OpDefinition<Op> } = {
  conv,
  batchnorm,
  relu,
  relu6,
  sigmoid,
  leaky_relu,
  dropout,
  maxpool,
  avgpool,
  flatten,
  linear,
  se,
  instancenorm,
  global_maxpool,
  channel_mean,
  channel_max,
  unflatten,
  slice,
};

/** The ops that combine several values: `cat(a, b)`, `a + b`, `a * b`. */
export const merges: Record<MergeOp, MergeDefinition> = { cat, add, mul };

export const layerOps = Object.keys(ops) as LayerOp[];

export function isLayerOp(name: string): name is LayerOp {
  return Object.prototype.hasOwnProperty.call(ops, name);
}

export { dims, maxChannels, type ArgValues, type ParamSpec, type RuleProblem } from './op';
