// Seeded random weights initialised as torchvision's ResNet constructor does: kaiming_normal_
// (mode fan_out, relu gain) for conv weights, BatchNorm weight 1 and bias 0 with fresh running
// statistics, and PyTorch's default init for linear layers and conv biases (U(±1/sqrt(fan_in))).
import type { LayerNode, Network } from '../../language/core/model';
import { allLayers } from './network-walk';
import { formatParameterCount, type LoadedWeights } from './state-dict';

export const DEFAULT_SEED = 0;

/** xoshiro128**: small, fast, and the same sequence on every platform. */
class Random {
  private s: Uint32Array;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    // splitmix32 expands the seed into the four words of state.
    let x = seed >>> 0;
    this.s = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** Uniform in [0, 1). */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result / 4294967296;
  }

  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const u = 1 - this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function fill(count: number, value: number): Float32Array {
  return new Float32Array(count).fill(value);
}

function normal(random: Random, count: number, std: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = random.normal() * std;
  return out;
}

function uniform(random: Random, count: number, bound: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (random.next() * 2 - 1) * bound;
  return out;
}

function initialiseLayer(layer: LayerNode, random: Random, tensors: Map<string, Float32Array>): void {
  for (const spec of layer.weights) {
    if (spec.dtype !== 'float32') continue;
    const count = product(spec.shape);
    const suffix = spec.key.slice(spec.key.lastIndexOf('.') + 1);
    const weightShape = layer.weights.find((w) => w.key === spec.key.replace(/bias$/, 'weight'))?.shape ?? [1, 1];
    const fanIn = product(weightShape.slice(1));
    let values: Float32Array;
    if (layer.op === 'batchnorm') {
      values = fill(count, suffix === 'weight' || suffix === 'running_var' ? 1 : 0);
    } else if (layer.op === 'linear' || suffix === 'bias') {
      values = uniform(random, count, 1 / Math.sqrt(fanIn));
    } else {
      // conv weights and the 1×1 convs of SE: [out, in/groups, k, k].
      const fanOut = (spec.shape[0] ?? 1) * product(spec.shape.slice(2));
      values = normal(random, count, Math.sqrt(2 / fanOut));
    }
    tensors.set(spec.key, values);
  }
}

export function randomWeights(network: Network, seed = DEFAULT_SEED): LoadedWeights {
  const random = new Random(seed);
  const tensors = new Map<string, Float32Array>();
  for (const layer of allLayers(network)) initialiseLayer(layer, random, tensors);
  const values = [...tensors.values()].reduce((sum, t) => sum + t.length, 0);
  return {
    source: { kind: 'random', seed },
    tensors,
    problems: [],
    ok: true,
    summary: `random weights (seed ${seed}, He init as torchvision): ${formatParameterCount(values)} values — outputs are meaningless`,
    details: '',
  };
}
