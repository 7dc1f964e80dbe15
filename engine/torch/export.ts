// A network as a self-contained PyTorch file (torch and torchvision only): one nn.Module class per
// distinct block body, stages and `sequential` blocks as nn.Sequential, projection shortcuts as
// `downsample` = nn.Sequential(conv, bn), and `build()`. Modules carry the .resnet names, so the module's
// state_dict keys and shapes are the file's and one safetensors file loads in both.
import type { AddNode, BlockNode, LayerNode, ModelNode, Network, StageNode } from '../../language/core/model';
import { formatShape } from '../../language/core/format';
import { merges, ops } from '../../language/core/ops';
import type { ResolvedLayer, TorchLowering } from '../../language/core/ops/op';
import { allNodes } from '../../language/core/walk';
import { CompileError } from '../onnx/build';

const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

/** `self.name`, or getattr for a name Python reserves; a dotted name (`convs.0`) indexes nn.ModuleDict containers. */
const self = (name: string) => {
  const [head, ...path] = name.split('.');
  return (PYTHON_KEYWORDS.has(head) ? `getattr(self, ${JSON.stringify(head)})` : `self.${head}`) + path.map((part) => `[${JSON.stringify(part)}]`).join('');
};
const assign = (name: string, value: string) =>
  PYTHON_KEYWORDS.has(name) ? `setattr(self, ${JSON.stringify(name)}, ${value})` : `${self(name)} = ${value}`;

/** The nn.ModuleDict containers a dotted attribute name needs (`convs` for `convs.0`) and not in `made`, outermost first. */
function containers(name: string, made: Set<string>): string[] {
  const lines: string[] = [];
  const parts = name.split('.');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('.');
    if (made.has(prefix)) continue;
    made.add(prefix);
    lines.push(assign(prefix, 'nn.ModuleDict()'));
  }
  return lines;
}

const pascal = (name: string) => name.split('_').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('') || 'Block';

const hasWeights = (node: ModelNode) => [...allNodes([node])].some((n) => n.kind === 'layer' && n.weights.length > 0);

function resolved(layer: LayerNode): ResolvedLayer<LayerNode['op']> {
  if (!layer.attrs || !layer.inputShape || !layer.outputShape) {
    throw new CompileError(`${layer.name ? `layer ${layer.name}` : `the anonymous ${layer.op} layer`} has unknown arguments or shapes; fix the errors above it first`, layer.range);
  }
  return layer as ResolvedLayer<LayerNode['op']>;
}

function lowering(layer: LayerNode): TorchLowering<LayerNode['op']> {
  return ops[layer.op].torch as TorchLowering<LayerNode['op']>;
}

/** Python for applying a layer's module (the expression `module`) to `x`, or its functional form. */
function applyLayer(layer: LayerNode, module: string | undefined, x: string): string {
  const { apply, functional } = lowering(layer);
  if (functional) return functional(x, resolved(layer));
  return apply ? apply(module!, x, resolved(layer)) : `${module}(${x})`;
}

/** The constructor of a layer's module; undefined for a functional op. */
function moduleOf(layer: LayerNode): string | undefined {
  return lowering(layer).module?.(resolved(layer));
}

/** `name` without the scope's prefix: 'layer1.0.conv1' in 'layer1.0' is 'conv1'. */
function relative(name: string, scope: string): string {
  if (!scope) return name;
  if (!name.startsWith(`${scope}.`)) throw new CompileError(`${name} is not inside ${scope}`);
  return name.slice(scope.length + 1);
}

const shapeText = formatShape;

/** One submodule of a scope: its preferred attribute name and constructor. */
interface Member {
  node: ModelNode;
  name: string;
  constructor: string;
  /** Its state_dict keys depend on the name: it must get exactly that name. */
  keyed: boolean;
}

interface Body {
  init: string[];
  forward: string[];
}

class PythonFile {
  private readonly classes: string[] = [];
  private readonly classOfBody = new Map<string, string>();
  private readonly taken = new Set(['torch', 'nn', 'torchvision', 'build', ...PYTHON_KEYWORDS]);
  readonly imports = new Set<string>();

  className(preferred: string): string {
    let name = preferred;
    for (let i = 2; this.taken.has(name); i++) name = `${preferred}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** The class of a block instance; instances whose bodies read the same share one. */
  blockClass(block: BlockNode): string {
    const body = this.body(block.children, block.name, 'block', block);
    const key = [block.block, ...body.init, ...body.forward].join('\n');
    const known = this.classOfBody.get(key);
    if (known) return known;
    const name = this.className(pascal(block.block));
    this.classOfBody.set(key, name);
    const args = Object.entries(block.args).map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : v}`);
    const doc = `Block ${block.block}(${args.join(', ')}): ${shapeText(block.inputShape)} → ${shapeText(block.outputShape)}.`;
    this.classes.push(classText(name, doc, body));
    return name;
  }

  network(network: Network): string {
    const body = this.body(network.children, '', 'network');
    body.init.push(
      "# torchvision's ResNet initialisation",
      'for m in self.modules():',
      '    if isinstance(m, (nn.Conv2d, nn.Conv3d)):',
      '        nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")',
      '    elif isinstance(m, (nn.BatchNorm2d, nn.BatchNorm3d)):',
      '        nn.init.constant_(m.weight, 1)',
      '        nn.init.constant_(m.bias, 0)',
    );
    const name = this.className(pascal(network.name));
    const doc = `Network ${network.name}: ${shapeText([1, ...(network.input ?? [])])} → ${shapeText(network.outputShape)}, ${network.params.toLocaleString('en-US')} parameters.`;
    this.classes.push(classText(name, doc, body));
    return name;
  }

  text(header: string[], networkClass: string): string {
    return [
      ...header.map((line) => `# ${line}`.trimEnd()),
      '',
      'import torch',
      'from torch import nn',
      ...[...this.imports].sort(),
      '',
      '',
      this.classes.join('\n\n'),
      '',
      'def build():',
      `    """${networkClass} with torchvision's initialisation; weights load with load_state_dict."""`,
      `    return ${networkClass}()`,
      '',
    ].join('\n');
  }

  /** __init__ and forward of a block (input `x`, values `out`) or of the network (values `x`). */
  private body(children: readonly ModelNode[], scope: string, kind: 'block' | 'network', owner?: BlockNode): Body {
    const members = children.flatMap((node) => this.member(node, scope));
    const attribute = allocate(members);
    const names = [...new Set(members.map((m) => attribute.get(m)!))];
    // Each container right before its first module, so the state_dict keeps the file's order.
    const made = new Set<string>();
    const init = names.flatMap((name) => [...containers(name, made), assign(name, members.find((m) => attribute.get(m) === name)!.constructor)]);
    const target = kind === 'block' ? 'out' : 'x';
    const forward: string[] = [];
    let value = 'x';
    // Values read by id ('input' is the block's input) live in variables named after their id.
    const values = new Map<string, string>([['input', 'x']]);
    const moduleById = new Map<string, string>();
    for (const node of children) {
      const member = members.find((m) => m.node === node);
      const module = member && self(attribute.get(member)!);
      const xs = node.inputs?.map((id) => values.get(id) ?? fail(`the value ${id} is not computed before it`, node)) ?? [value];
      const x = xs[0];
      const step = (expression: string) => {
        const variable = node.id ?? target;
        forward.push(`${variable} = ${expression}`);
        value = variable;
      };
      switch (node.kind) {
        case 'layer':
          step(applyLayer(node, module, x));
          break;
        case 'block':
          if (!node.sequential || plain(node.children)) step(`${module}(${x})`);
          else node.children.forEach((child, i) => step(child.kind === 'layer' ? applyLayer(child, `${module}[${i}]`, i === 0 ? x : value) : `${module}[${i}](${i === 0 ? x : value})`));
          break;
        case 'stage':
          if (node.numbered) {
            // torchvision's add_module("denselayer%d" % (i + 1)): one attribute per child, applied in turn.
            node.children.forEach((child, i) => {
              const m = members.find((candidate) => candidate.node === child);
              const input = i === 0 ? x : value;
              step(child.kind === 'layer' ? applyLayer(child, m && self(attribute.get(m)!), input) : `${self(attribute.get(m!)!)}(${input})`);
            });
          } else if (plain(node.children)) step(`${module}(${x})`);
          else node.children.forEach((child, i) => step(applyLayer(child as LayerNode, `${module}[${i}]`, i === 0 ? x : value)));
          break;
        case 'add':
          if (kind !== 'block') throw new CompileError('a residual add must be inside a block', node.range);
          step(`${x} + ${shortcut(node, module)}`);
          break;
        case 'merge':
          step(merges[node.op].torch(xs));
          break;
        case 'reuse': {
          const shared = moduleById.get(node.target) ?? fail(`the module ${node.name} is not defined before it`, node);
          const original = children.find((c) => c.id === node.target);
          step(original?.kind === 'layer' ? applyLayer(original, shared, x) : `${shared}(${x})`);
          break;
        }
      }
      if (node.id) {
        values.set(node.id, value);
        if (module) moduleById.set(node.id, module);
      }
    }
    const output = owner?.kind === 'block' && owner.output ? (values.get(owner.output) ?? fail(`the block output ${owner.output} is not computed`, owner)) : value;
    forward.push(`return ${output}`);
    return { init, forward };
  }

  private member(node: ModelNode, scope: string): Member[] {
    switch (node.kind) {
      case 'layer': {
        const lower = lowering(node);
        const constructor = moduleOf(node);
        if (constructor === undefined) return [];
        lower.imports?.forEach((line) => this.imports.add(line));
        return [{ node, name: node.name ? relative(node.name, scope) : node.op, constructor, keyed: node.weights.length > 0 }];
      }
      case 'merge':
      case 'reuse':
        return [];
      case 'block':
        return [{ node, name: relative(node.name, scope), constructor: this.blockModule(node), keyed: hasWeights(node) }];
      case 'stage':
        if (node.numbered) return node.children.flatMap((child) => this.member(child, scope));
        return [{ node, name: node.name ? relative(node.name, scope) : node.block, constructor: this.sequential(node), keyed: hasWeights(node) }];
      case 'add': {
        if (node.shortcut !== 'projection') return [];
        const [conv, bn] = node.layers;
        if (!conv || !bn) throw new CompileError('a projection shortcut needs its conv and batchnorm layers', node.range);
        const name = relative(conv.name, scope).replace(/\.0$/, '');
        const modules = node.layers.map((layer) => moduleOf(layer));
        return [{ node, name, constructor: `nn.Sequential(${modules.join(', ')})`, keyed: true }];
      }
    }
  }

  /** The constructor of a block instance: its class, or for a `sequential` an nn.Sequential of its members. */
  private blockModule(block: BlockNode): string {
    return block.sequential ? this.sequential(block) : `${this.blockClass(block)}()`;
  }

  /** nn.Sequential of a stage's (or a sequential block's) children; a run of equal ones as `*[X for _ in range(n)]`. */
  private sequential(stage: StageNode | BlockNode): string {
    const items = stage.children.map((child, i) => {
      if (stage.name && child.name && child.name !== `${stage.name}.${i}`) throw new CompileError(`sequential child ${child.name} is not ${stage.name}.${i}`, stage.range);
      if (child.kind === 'block') return this.blockModule(child);
      if (child.kind !== 'layer') throw new CompileError(`a ${child.kind} cannot be part of an nn.Sequential`, child.range);
      lowering(child).imports?.forEach((line) => this.imports.add(line));
      return moduleOf(child) ?? 'nn.Identity()';
    });
    const parts: string[] = [];
    for (let i = 0; i < items.length; ) {
      let run = 1;
      while (items[i + run] === items[i]) run++;
      parts.push(...(run > 2 ? [`*[${items[i]} for _ in range(${run})]`] : items.slice(i, i + run)));
      i += run;
    }
    return `nn.Sequential(${parts.join(', ')})`;
  }
}

/**
 * Attribute names: a member whose state_dict keys depend on it gets its own name; a weightless one
 * shares a module of the same name and constructor (as torchvision's blocks reuse one `relu`) or
 * takes a free `name_2`.
 */
function allocate(members: Member[]): Map<Member, string> {
  const constructorOf = new Map<string, string>();
  const attribute = new Map<Member, string>();
  for (const member of members.filter((m) => m.keyed)) {
    if (constructorOf.has(member.name)) throw new CompileError(`two modules named ${member.name} in one scope`, member.node.range);
    constructorOf.set(member.name, member.constructor);
    attribute.set(member, member.name);
  }
  for (const member of members.filter((m) => !m.keyed)) {
    let name = member.name;
    for (let i = 2; constructorOf.has(name) && constructorOf.get(name) !== member.constructor; i++) name = `${member.name}_${i}`;
    constructorOf.set(name, member.constructor);
    attribute.set(member, name);
  }
  return attribute;
}

function fail(message: string, node: ModelNode): never {
  throw new CompileError(message, node.range);
}

/** The shortcut of a residual add, applied to the block input `x`. */
function shortcut(add: AddNode, module: string | undefined): string {
  switch (add.shortcut) {
    case 'identity':
      return 'x';
    case 'projection':
      return `${module}(x)`;
    case 'zeropad': {
      // Option A: subsample by the stride, then zero channels, half before and half after.
      const stride = add.stride ?? [1, 1];
      const extra = (add.outputShape?.[1] ?? 0) - (add.shortcutInputShape?.[1] ?? 0);
      const subsampled = stride.every((s) => s === 1) ? 'x' : `x[:, :, ${stride.map((s) => `::${s}`).join(', ')}]`;
      const spatial = stride.map(() => '0, 0, ').join('');
      return extra === 0 ? subsampled : `nn.functional.pad(${subsampled}, (${spatial}${Math.floor(extra / 2)}, ${extra - Math.floor(extra / 2)}))`;
    }
    default:
      throw new CompileError('the shortcut of this residual add is unknown; fix the errors above it first', add.range);
  }
}

/** Children that nn.Sequential's forward applies as written: blocks, and layers applied as `module(x)`. */
function plain(children: readonly ModelNode[]): boolean {
  return children.every((c) => c.kind === 'block' || (c.kind === 'layer' && applyLayer(c, 'm', 'x') === 'm(x)'));
}

function classText(name: string, doc: string, body: Body): string {
  const indent = (lines: string[], depth: number) => lines.map((line) => ' '.repeat(depth) + line);
  return [
    `class ${name}(nn.Module):`,
    `    """${doc}"""`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
    ...indent(body.init, 8),
    '',
    '    def forward(self, x):',
    ...indent(body.forward, 8),
    '',
  ].join('\n');
}

/** The Python source of `network` as an nn.Module; `source` names the .resnet file in its header. */
export function exportPytorch(network: Network, source: string): string {
  if (!network.input || !network.outputShape) throw new CompileError(`the shapes of network ${network.name} are unknown; fix its errors first`, network.nameRange);
  const file = new PythonFile();
  const networkClass = file.network(network);
  return file.text(
    [
      `Network ${network.name} of ${source}, as a PyTorch module (torch and torchvision only).`,
      'Written by `resnet-studio export --format pytorch`. The state_dict keys and shapes are the',
      ".resnet file's, so its safetensors weights load with load_state_dict.",
    ],
    networkClass,
  );
}
