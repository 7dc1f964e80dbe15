// The op table: every layer op the language knows, each defined once in its own file.

import type { LayerOp } from '../model';
import { dropout, leaky_relu, relu, relu6, sigmoid } from './activations';
import { avgpool } from './avgpool';
import { batchnorm } from './batchnorm';
import { conv } from './conv';
import { flatten } from './flatten';
import { linear } from './linear';
import { maxpool } from './maxpool';
import type { OpDefinition } from './op';
import { se } from './se';

export const ops: { [Op in LayerOp]: OpDefinition<Op> } = { conv, batchnorm, relu, relu6, sigmoid, leaky_relu, dropout, maxpool, avgpool, flatten, linear, se };

export const layerOps = Object.keys(ops) as LayerOp[];

export function isLayerOp(name: string): name is LayerOp {
  return Object.prototype.hasOwnProperty.call(ops, name);
}

export { dims, maxChannels, type ArgValues, type ParamSpec, type RuleProblem } from './op';
