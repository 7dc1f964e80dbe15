// Networks built by hand, with every shape, attribute and weight filled in as the language core
// would. They stand in for analysed `.resnet` files until the parser lands, and they exercise
// layers (zeropad shortcut, SE, relu6, leaky_relu, dropout) that the torchvision examples do not.
import type {
  AddNode,
  BlockNode,
  LayerNode,
  ModelNode,
  Network,
  Range,
  Shape,
  ShortcutKind,
  StageNode,
  WeightSpec,
} from '../../../language/core/model';

const RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

const param = (key: string, shape: number[]): WeightSpec => ({ key, shape, kind: 'parameter', dtype: 'float32' });
const buffer = (key: string, shape: number[]): WeightSpec => ({ key, shape, kind: 'buffer', dtype: 'float32' });
const countParams = (weights: WeightSpec[]) =>
  weights.filter((w) => w.kind === 'parameter').reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);

/** Builds a sequence of nodes while tracking the current shape. */
class Builder {
  readonly nodes: ModelNode[] = [];
  constructor(public shape: Shape) {}

  private push(node: LayerNode): this {
    this.nodes.push(node);
    if (node.outputShape) this.shape = node.outputShape;
    return this;
  }

  private layer<N extends LayerNode>(fields: Omit<N, 'kind' | 'range' | 'inputShape' | 'params' | 'macs'> & { macs?: number }): N {
    return {
      kind: 'layer',
      range: RANGE,
      inputShape: this.shape,
      params: countParams(fields.weights),
      macs: 0,
      ...fields,
    } as unknown as N;
  }

  conv(name: string, out: number, kernel: number, o: { stride?: number; padding?: number; groups?: number; dilation?: number; bias?: boolean } = {}): this {
    const [n, c, h, w] = this.shape as [number, number, number, number];
    const { stride = 1, padding = 0, groups = 1, dilation = 1, bias = false } = o;
    const size = (x: number) => Math.floor((x + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
    const weights = [param(`${name}.weight`, [out, c / groups, kernel, kernel])];
    if (bias) weights.push(param(`${name}.bias`, [out]));
    const outputShape = [n, out, size(h), size(w)];
    return this.push(
      this.layer({
        name,
        op: 'conv',
        attrs: { in_channels: c, out_channels: out, kernel, stride, padding, dilation, groups, bias },
        weights,
        outputShape,
        macs: (out * (c / groups) * kernel * kernel * size(h) * size(w)),
      }),
    );
  }

  batchnorm(name: string, eps = 1e-5): this {
    const c = this.shape[1]!;
    const weights: WeightSpec[] = [
      param(`${name}.weight`, [c]),
      param(`${name}.bias`, [c]),
      buffer(`${name}.running_mean`, [c]),
      buffer(`${name}.running_var`, [c]),
      { key: `${name}.num_batches_tracked`, shape: [], kind: 'buffer', dtype: 'int64' },
    ];
    return this.push(this.layer({ name, op: 'batchnorm', attrs: { num_features: c, eps }, weights, outputShape: this.shape }));
  }

  simple(op: 'relu' | 'relu6' | 'sigmoid' | 'dropout', name = ''): this {
    const attrs = op === 'dropout' ? { p: 0.5 } : {};
    return this.push(this.layer({ name, op, attrs, weights: [], outputShape: this.shape } as never));
  }

  leakyRelu(slope: number, name = ''): this {
    return this.push(this.layer({ name, op: 'leaky_relu', attrs: { negative_slope: slope }, weights: [], outputShape: this.shape }));
  }

  maxpool(name: string, kernel: number, stride: number, padding: number, ceil = false): this {
    const [n, c, h, w] = this.shape as [number, number, number, number];
    const round = ceil ? Math.ceil : Math.floor;
    const size = (x: number) => {
      let out = round((x + 2 * padding - (kernel - 1) - 1) / stride) + 1;
      if (ceil && (out - 1) * stride >= x + padding) out--;
      return out;
    };
    return this.push(
      this.layer({
        name,
        op: 'maxpool',
        attrs: { kernel, stride, padding, dilation: 1, ceil_mode: ceil },
        weights: [],
        outputShape: [n, c, size(h), size(w)],
      }),
    );
  }

  avgpool(name: string, output = 1): this {
    const [n, c] = this.shape as [number, number];
    return this.push(this.layer({ name, op: 'avgpool', attrs: { output }, weights: [], outputShape: [n, c, output, output] }));
  }

  se(name: string, reduction = 16): this {
    const c = this.shape[1]!;
    const hidden = Math.floor(c / reduction);
    const weights = [
      param(`${name}.fc1.weight`, [hidden, c, 1, 1]),
      param(`${name}.fc1.bias`, [hidden]),
      param(`${name}.fc2.weight`, [c, hidden, 1, 1]),
      param(`${name}.fc2.bias`, [c]),
    ];
    return this.push(this.layer({ name, op: 'se', attrs: { channels: c, hidden }, weights, outputShape: this.shape }));
  }

  linear(name: string, out: number): this {
    const features = this.shape.slice(1).reduce((a, b) => a * b, 1);
    const weights = [param(`${name}.weight`, [out, features]), param(`${name}.bias`, [out])];
    return this.push(
      this.layer({
        name,
        op: 'linear',
        attrs: { in_features: features, out_features: out, bias: true },
        weights,
        outputShape: [this.shape[0]!, out],
        macs: features * out,
      }),
    );
  }

  /** The residual add of a block whose input had `blockInput` shape. */
  add(blockName: string, blockInput: Shape, written: 'shortcut' | ShortcutKind = 'shortcut'): this {
    const sameShape = blockInput.every((d, i) => d === this.shape[i]);
    const shortcut: ShortcutKind = written === 'shortcut' ? (sameShape ? 'identity' : 'projection') : written;
    const stride = Math.round(blockInput[2]! / this.shape[2]!);
    let layers: LayerNode[] = [];
    if (shortcut === 'projection') {
      const projection = new Builder(blockInput)
        .conv(`${blockName}.downsample.0`, this.shape[1]!, 1, { stride })
        .batchnorm(`${blockName}.downsample.1`);
      layers = projection.nodes as LayerNode[];
    }
    const node: AddNode = {
      kind: 'add',
      name: '',
      range: RANGE,
      inputShape: this.shape,
      outputShape: this.shape,
      params: layers.reduce((s, l) => s + l.params, 0),
      macs: 0,
      written,
      shortcut,
      shortcutInputShape: blockInput,
      stride,
      layers,
    };
    this.nodes.push(node);
    return this;
  }

  block(name: string, block: string, body: (b: Builder) => void): this {
    const inner = new Builder(this.shape);
    body(inner);
    const node: BlockNode = {
      kind: 'block',
      name,
      range: RANGE,
      inputShape: this.shape,
      outputShape: inner.shape,
      params: 0,
      macs: 0,
      block,
      args: {},
      children: inner.nodes,
    };
    this.nodes.push(node);
    this.shape = inner.shape;
    return this;
  }

  stage(name: string, block: string, count: number, body: (b: Builder, blockName: string, index: number) => void): this {
    const inputShape = this.shape;
    const start = this.nodes.length;
    for (let i = 0; i < count; i++) this.block(`${name}.${i}`, block, (b) => body(b, `${name}.${i}`, i));
    const children = this.nodes.splice(start) as BlockNode[];
    const node: StageNode = {
      kind: 'stage',
      name,
      range: RANGE,
      inputShape,
      outputShape: this.shape,
      params: 0,
      macs: 0,
      block,
      repeat: count,
      children,
    };
    this.nodes.push(node);
    return this;
  }
}

function network(name: string, input: [number, number, number], build: (b: Builder) => void): Network {
  const builder = new Builder([1, ...input]);
  build(builder);
  return {
    name,
    range: RANGE,
    nameRange: RANGE,
    input,
    children: builder.nodes,
    outputShape: builder.shape,
    params: 0,
    macs: 0,
  };
}

function basic(b: Builder, name: string, planes: number, stride: number, shortcut: 'shortcut' | ShortcutKind = 'shortcut'): void {
  const input = b.shape;
  b.conv(`${name}.conv1`, planes, 3, { stride, padding: 1 })
    .batchnorm(`${name}.bn1`)
    .simple('relu')
    .conv(`${name}.conv2`, planes, 3, { padding: 1 })
    .batchnorm(`${name}.bn2`)
    .add(name, input, shortcut)
    .simple('relu');
}

function bottleneck(b: Builder, name: string, planes: number, stride: number, groups: number, widthPerGroup: number): void {
  const input = b.shape;
  const width = Math.floor(planes * (widthPerGroup / 64)) * groups;
  b.conv(`${name}.conv1`, width, 1)
    .batchnorm(`${name}.bn1`)
    .simple('relu')
    .conv(`${name}.conv2`, width, 3, { stride, groups, padding: 1 })
    .batchnorm(`${name}.bn2`)
    .simple('relu')
    .conv(`${name}.conv3`, planes * 4, 1)
    .batchnorm(`${name}.bn3`)
    .add(name, input)
    .simple('relu');
}

const TORCHVISION: Record<string, { block: 'basic' | 'bottleneck'; layers: number[]; groups?: number; width?: number }> = {
  resnet18: { block: 'basic', layers: [2, 2, 2, 2] },
  resnet34: { block: 'basic', layers: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
  resnet101: { block: 'bottleneck', layers: [3, 4, 23, 3] },
  resnet152: { block: 'bottleneck', layers: [3, 8, 36, 3] },
  resnext50_32x4d: { block: 'bottleneck', layers: [3, 4, 6, 3], groups: 32, width: 4 },
  resnext101_32x8d: { block: 'bottleneck', layers: [3, 4, 23, 3], groups: 32, width: 8 },
  resnext101_64x4d: { block: 'bottleneck', layers: [3, 4, 23, 3], groups: 64, width: 4 },
  wide_resnet50_2: { block: 'bottleneck', layers: [3, 4, 6, 3], width: 128 },
  wide_resnet101_2: { block: 'bottleneck', layers: [3, 4, 23, 3], width: 128 },
};

export const TORCHVISION_NAMES = Object.keys(TORCHVISION);

/** torchvision.models.<name>(weights=None) as a Network. */
export function torchvisionNetwork(name: string): Network {
  const spec = TORCHVISION[name];
  if (!spec) throw new Error(`unknown torchvision network ${name}`);
  return network(name, [3, 224, 224], (b) => {
    b.conv('conv1', 64, 7, { stride: 2, padding: 3 }).batchnorm('bn1').simple('relu', 'relu').maxpool('maxpool', 3, 2, 1);
    spec.layers.forEach((count, i) => {
      const planes = 64 * 2 ** i;
      b.stage(`layer${i + 1}`, spec.block, count, (inner, blockName, index) => {
        const stride = index === 0 && i > 0 ? 2 : 1;
        if (spec.block === 'basic') basic(inner, blockName, planes, stride);
        else bottleneck(inner, blockName, planes, stride, spec.groups ?? 1, spec.width ?? 64);
      });
    });
    b.avgpool('avgpool').linear('fc', 1000);
  });
}

/** test/oracle/reference_models.py's fashion_resnet20: 1×28×28, stem without maxpool, 3 stages at 16/32/64. */
export function fashionResnet20(): Network {
  return network('fashion_resnet20', [1, 28, 28], (b) => {
    b.conv('conv1', 16, 3, { padding: 1 }).batchnorm('bn1').simple('relu', 'relu');
    [16, 32, 64].forEach((planes, i) =>
      b.stage(`layer${i + 1}`, 'basic', 3, (inner, blockName, index) => basic(inner, blockName, planes, index === 0 && i > 0 ? 2 : 1)),
    );
    b.avgpool('avgpool').linear('fc', 10);
  });
}

/**
 * test/oracle/reference_logits.py's `zeropad_mix`: a small CIFAR-style net with option-A shortcuts and
 * the layers torchvision's ResNets do not use (SE, relu6, leaky_relu, dropout, a ceil-mode maxpool,
 * a conv with bias and dilation, adaptive avgpool to 2×2, flatten).
 */
export function zeropadMix(): Network {
  return network('zeropad_mix', [3, 36, 36], (b) => {
    b.conv('conv1', 16, 3, { padding: 1, bias: true }).batchnorm('bn1', 1e-3).simple('relu6', 'act');
    b.maxpool('pool', 3, 2, 1, true);
    b.block('block1', 'basic', (inner) => basic(inner, 'block1', 16, 1, 'zeropad'));
    b.block('block2', 'basic', (inner) => basic(inner, 'block2', 32, 2, 'zeropad'));
    b.conv('dilated', 32, 3, { padding: 2, dilation: 2 }).leakyRelu(0.1, 'leaky').se('se', 4);
    b.simple('dropout', 'drop').avgpool('avgpool', 2);
    b.nodes.push({
      kind: 'layer',
      name: 'flatten',
      range: RANGE,
      inputShape: b.shape,
      outputShape: [1, b.shape.slice(1).reduce((x, y) => x * y, 1)],
      params: 0,
      macs: 0,
      op: 'flatten',
      attrs: {},
      weights: [],
    });
    b.shape = [1, b.shape.slice(1).reduce((x, y) => x * y, 1)];
    b.linear('fc', 7).simple('sigmoid', 'out');
  });
}

export function handBuiltNetwork(name: string): Network {
  if (name === 'fashion_resnet20') return fashionResnet20();
  if (name === 'zeropad_mix') return zeropadMix();
  return torchvisionNetwork(name);
}
