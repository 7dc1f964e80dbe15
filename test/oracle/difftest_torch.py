#!/usr/bin/python3
"""The torch side of the differential test (test/difftest/): builds each network description written
by test/difftest/generate.ts as a torch nn.Module and reports what torch makes of it.

  difftest_torch.py CASES.json OUT_DIR [--threads N] [--float64]

CASES.json is a list of descriptions (test/difftest/description.ts). Prelude stages are built with
torchvision's own ResNet._make_layer, BasicBlock and Bottleneck; custom blocks follow the same rules
(see test/difftest/README.md). Every module is built against a probe tensor, so a network torch
cannot build and one it cannot run are the same verdict: an error. For each description this writes
OUT_DIR/<index>.safetensors (the state_dict with seeded weights and non-trivial BatchNorm statistics,
plus `@input` and `@logits`, eval mode) and one entry of OUT_DIR/results.json:
  {index, error: {type, message, strict} | null, output, params, macs,
   layers: [{name, shape, params, macs}], state: [{key, shape, dtype}], export}
Where OUT_DIR/<index>.py exists (our `export --format pytorch` of the network, written by
test/difftest/run.ts), the network that ran is checked through it too: exported_model.build, the
state_dict above loaded strictly (keys and shapes must match), eval mode, the same input; its logits
are saved as `@export`, and `export` is {error: {type, message} | null} (null where no module was given).
With --float64 it builds the cases again, loads the weights and input it saved in OUT_DIR, runs the
module in float64 (`.double()`) and writes OUT_DIR/float64.json, {index: [logits]}: what float32
rounding is measured against when our logits and torch's differ by more than the tolerance.
`layers` lists every leaf module (a reused module once, with its last output shape); MACs are counted
as torchvision does (conv: output.numel() × in/groups × kernel volume, linear: in × out). A description
whose input is [C, T, H, W] is a clip: its convs, batchnorms and pools are torch's 3-D modules, and
per-axis arguments arrive as lists ((H, W) or (T, H, W)). `strict` marks an
error that torch itself would not raise (a broadcasting residual add, an uneven zeropad): the
language rejects those on purpose.

Run with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14).
"""

import argparse
import ast
import json
import math
import os
import sys
from types import SimpleNamespace

import torch
from torch import nn
from torch.nn import functional as F
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'engine', 'torch', 'python'))
import exported_model  # noqa: E402
import safetensors_file  # noqa: E402
from reference_logits import SEModule  # noqa: E402
from seeded_weights import randomise_norms  # noqa: E402
from torchvision_counts import module_macs  # noqa: E402

PRELUDE = {'basic': BasicBlock, 'bottleneck': Bottleneck}


class StrictError(Exception):
    """Torch would run this, the language rejects it on purpose (test/difftest/README.md)."""


class Linear(nn.Linear):
    """torchvision's head: torch.flatten(x, 1) before the fully connected layer."""

    def forward(self, x):
        return super().forward(torch.flatten(x, 1))


class ZeroPad(nn.Module):
    """Option A of the ResNet paper: subsample by the stride, zero-pad the channels half on each side."""

    def __init__(self, stride, extra):
        super().__init__()
        if extra < 0 or extra % 2:
            raise StrictError(f'a zeropad shortcut adding {extra} channels cannot pad equally on both sides')
        self.stride, self.extra = stride, extra

    def forward(self, x):
        strides = self.stride if isinstance(self.stride, (list, tuple)) else [self.stride] * (x.dim() - 2)
        x = x[(slice(None), slice(None), *(slice(None, None, s) for s in strides))]
        return F.pad(x, (0, 0) * (x.dim() - 2) + (self.extra // 2, self.extra // 2))


def residual_add(out, identity):
    """torchvision's `out += identity`, without the broadcasting torch would allow."""
    if out.shape != identity.shape:
        try:
            broadcasts = torch.broadcast_shapes(out.shape, identity.shape) == out.shape
        except RuntimeError:
            broadcasts = False
        if broadcasts:
            raise StrictError(f'torch broadcasts the residual add of {list(out.shape)} and {list(identity.shape)}')
    return out.clone().add_(identity)  # in place, as torchvision's `out += identity`


OPERATORS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b, ast.FloorDiv: lambda a, b: a // b}


def value(v, env):
    """A description value: a number or boolean, or an expression over the block's parameters."""
    if isinstance(v, list):
        return tuple(v)
    if not isinstance(v, str):
        return v

    def walk(node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        raise TypeError(f'unsupported expression {v!r}')  # a generator bug: not a verdict

    return walk(ast.parse(v, mode='eval').body)


class Builder:
    """Builds modules step by step against a probe tensor and records every leaf with its display name."""

    def __init__(self):
        self.leaves = []  # (display name, module, the modules whose MACs count for it)

    def leaf(self, display, module):
        counted = [m for m in module.modules() if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.Linear))]
        self.leaves.append((display, module, counted))

    def layer(self, op, a, x):
        channels = x.shape[1]
        clip = x.dim() == 5
        if op == 'conv':
            return (nn.Conv3d if clip else nn.Conv2d)(channels, a['out'], a['kernel'], a['stride'], a['padding'], a['dilation'], a['groups'], a['bias'])
        if op == 'batchnorm':
            return (nn.BatchNorm3d if clip else nn.BatchNorm2d)(channels, eps=a['eps'])
        if op == 'maxpool':
            return (nn.MaxPool3d if clip else nn.MaxPool2d)(a['kernel'], a['stride'], a['padding'], a['dilation'], ceil_mode=a['ceil'])
        if op == 'avgpool':
            if a.get('kernel') and any(k > 0 for k in (a['kernel'] if isinstance(a['kernel'], list) else [a['kernel']])):
                return (nn.AvgPool3d if clip else nn.AvgPool2d)(tuple(a['kernel']) if isinstance(a['kernel'], list) else a['kernel'], (tuple(a['stride']) if isinstance(a['stride'], list) else a['stride']) or a['kernel'], tuple(a['padding']) if isinstance(a['padding'], list) else a['padding'])
            return (nn.AdaptiveAvgPool3d if clip else nn.AdaptiveAvgPool2d)(a['output'])
        if op == 'instancenorm':
            return (nn.InstanceNorm3d if clip else nn.InstanceNorm2d)(channels, eps=a['eps'], affine=a['affine'])
        if op == 'linear':
            return Linear(a['in'] or channels, a['out'], a['bias'])
        if op == 'se':
            return SEModule(channels, a['reduction'])
        if op == 'leaky_relu':
            return nn.LeakyReLU(a['slope'])
        if op == 'dropout':
            return nn.Dropout(a['p'])
        return {'relu': nn.ReLU, 'relu6': nn.ReLU6, 'sigmoid': nn.Sigmoid, 'flatten': lambda: nn.Flatten(1)}[op]()

    def steps(self, steps, x, env, owner, prefix, blocks, values):
        """Builds `steps` into `owner`; returns what to run in order (see `run`) and the probe's output."""
        run = []
        for step in steps:
            name = step.get('name')
            if step['kind'] == 'bind':
                x = evaluate(step['expr'], values, owner._modules, self)
                values[name] = x
                run.append(('bind', name, step['expr']))
                continue
            display = prefix + (name or step['op'])
            if step['kind'] == 'layer':
                args = {k: value(v, env) for k, v in step['args'].items()}
                if step['repeat'] > 1:
                    module = nn.Sequential()
                    for i in range(step['repeat']):
                        inner = self.layer(step['op'], args, x).eval()
                        x = inner(x)
                        module.add_module(str(i), inner)
                        self.leaf(f'{display}.{i}', inner)
                else:
                    module = self.layer(step['op'], args, x).eval()
                    x = module(x)
                    self.leaf(display, module)
            elif step['kind'] == 'sequential':  # `name sequential(a, b, …)`: nn.Sequential, items name.0, name.1, …
                module = nn.Sequential()
                for i, item in enumerate(step['items']):
                    inner = self.layer(item['op'], {k: value(v, env) for k, v in item['args'].items()}, x).eval()
                    x = inner(x)
                    module.add_module(str(i), inner)
                    self.leaf(f'{display}.{i}', inner)
            elif step['kind'] == 'prelude':
                module, x = self.prelude(step, x, env, display)
            else:
                module, x = self.custom(step, x, env, display, blocks)
            if name and name not in owner._modules:
                owner.add_module(name, module)
            elif any(True for _ in module.parameters()):
                raise ValueError(f'{display}: its weights would have no state_dict key of their own')
            if name:
                values[name] = x
            run.append(('module', name, module))
        return run, x

    def prelude(self, step, x, env, display):
        """A stage as torchvision's ResNet._make_layer builds it (one block when not repeated)."""
        holder = SimpleNamespace(inplanes=x.shape[1], groups=value(step['groups'], env), base_width=value(step['width_per_group'], env),
                                 dilation=value(step['dilation'], env), _norm_layer=nn.BatchNorm2d)
        stage = ResNet._make_layer(holder, PRELUDE[step['block']], value(step['planes'], env), step['blocks'] or 1, stride=value(step['stride'], env))
        module = (stage if step['blocks'] else stage[0]).eval()
        for name, inner in module.named_modules():
            if isinstance(inner, (nn.Conv2d, nn.BatchNorm2d, nn.ReLU)):
                self.leaf(f'{display}.{name}', inner)
        return module, module(x)

    def custom(self, step, x, env, display, blocks):
        definition = blocks[step['block']]
        args = {k: value(v, env) for k, v in step['args'].items()}
        if step['blocks'] is None:
            block = Block(self, definition, {**args, **self.stride(step, env)}, x, display + '.', blocks)
            return block, block.probe
        stage = nn.Sequential()
        for i in range(step['blocks']):
            block = Block(self, definition, {**args, **(self.stride(step, env) if i == 0 else {})}, x, f'{display}.{i}.', blocks)
            stage.add_module(str(i), block)
            x = block.probe
        return stage, x

    @staticmethod
    def stride(step, env):
        return {} if step['stride'] is None else {'stride': value(step['stride'], env)}


class Block(nn.Module):
    """A custom block: its main path, the residual add with torchvision's downsample rule, its tail."""

    def __init__(self, builder, definition, args, x, prefix, blocks):
        super().__init__()
        env = {**definition['defaults'], **args, 'in_channels': x.shape[1], 'expansion': definition['expansion'] or 1}
        body = definition['body']
        at = next((i for i, s in enumerate(body) if s['kind'] == 'add'), None)
        values = {'input': x}
        self._main, y = builder.steps(body if at is None else body[:at], x, env, self, prefix, blocks, values)
        self.added = at is not None
        self.downsample = self.zeropad = None
        if self.added:
            kind, stride, channels = body[at]['shortcut'], env.get('stride', 1), y.shape[1]
            strided = any(s != 1 for s in stride) if isinstance(stride, tuple) else stride != 1
            if kind == 'projection' or (kind == 'shortcut' and (strided or x.shape[1] != channels)):
                conv, norm = (nn.Conv3d, nn.BatchNorm3d) if x.dim() == 5 else (nn.Conv2d, nn.BatchNorm2d)
                self.downsample = nn.Sequential(conv(x.shape[1], channels, 1, stride, bias=False), norm(channels)).eval()
                builder.leaf(f'{prefix}downsample.0', self.downsample[0])
                builder.leaf(f'{prefix}downsample.1', self.downsample[1])
            elif kind == 'zeropad':
                self.zeropad = ZeroPad(stride, channels - x.shape[1])
            y = residual_add(y, self.shortcut(x))
        self._tail, self.probe = builder.steps([] if at is None else body[at + 1:], y, env, self, prefix, blocks, values)

    def shortcut(self, x):
        if self.downsample is not None:
            return self.downsample(x)
        return x if self.zeropad is None else self.zeropad(x)

    def forward(self, x):
        values = {'input': x}
        y = run(self._main, x, values, self._modules)
        if self.added:
            y = residual_add(y, self.shortcut(x))
        return run(self._tail, y, values, self._modules)


def run(items, y, values, modules):
    """Applies a block's steps: a module to the value before it, or a named value's expression."""
    for kind, name, item in items:
        y = evaluate(item, values, modules, None) if kind == 'bind' else item(y)
        if name:
            values[name] = y
    return y


def evaluate(expr, values, modules, builder):
    """A `.resnet` tensor expression (Python's syntax covers it) with torch's functions; a named module applied again shares its weights."""

    def split(x, size):
        sizes = size if isinstance(size, list) else [size] * (x.shape[1] // size)
        if sum(sizes) != x.shape[1]:
            raise StrictError(f'split of {x.shape[1]} channels into {size}: torch would make a smaller last part')
        return torch.split(x, sizes, 1)

    def avgpool(x, output=1, kernel=0, stride=None, padding=0):
        """nn.AvgPool2d/3d with a kernel, else nn.AdaptiveAvgPool2d/3d: the 3-D ones on a clip."""
        clip = x.dim() == 5
        if kernel:
            return (F.avg_pool3d if clip else F.avg_pool2d)(x, kernel, stride or kernel, padding)
        return (F.adaptive_avg_pool3d if clip else F.adaptive_avg_pool2d)(x, output)

    def chunk(x, n):
        if x.shape[1] % n:
            raise StrictError(f'chunk of {x.shape[1]} channels into {n}: torch would make unequal parts')
        return torch.chunk(x, n, 1)

    functions = {
        'cat': lambda *xs: torch.cat(xs, 1),
        'split': split,
        'chunk': chunk,
        'relu': F.relu,
        'sigmoid': torch.sigmoid,
        'flatten': lambda x: torch.flatten(x, 1),
        'unflatten': lambda x: x[:, :, None, None],
        'global_maxpool': lambda x: F.adaptive_max_pool2d(x, 1),  # nn.AdaptiveMaxPool2d: 2-D, torch refuses a clip
        'channel_mean': lambda x: torch.mean(x, 1, keepdim=True),
        'channel_max': lambda x: torch.amax(x, 1, keepdim=True),
        'avgpool': avgpool,
    }

    def walk(node):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.List):
            return [walk(item) for item in node.elts]
        if isinstance(node, ast.Tuple):  # a per-axis argument: kernel=(1, 3, 3)
            return tuple(walk(item) for item in node.elts)
        if isinstance(node, ast.Subscript):
            return walk(node.value)[walk(node.slice)]
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
            left, right = walk(node.left), walk(node.right)
            return left + right if isinstance(node.op, ast.Add) else left * right
        if isinstance(node, ast.Call):
            name = node.func.id
            args = [walk(a) for a in node.args]
            kwargs = {k.arg: walk(k.value) for k in node.keywords}
            if name in modules:
                return modules[name](*args)
            return functions[name](*args, **kwargs)
        raise TypeError(f'unsupported expression {expr!r}')  # a generator bug: not a verdict

    return walk(ast.parse(expr, mode='eval').body)


class Network(nn.Module):
    def __init__(self, builder, description):
        super().__init__()
        probe = torch.zeros([1] + description['input'])
        self._steps, _ = builder.steps(description['body'], probe, {}, self, '', description['blocks'], {})

    def forward(self, x):
        return run(self._steps, x, {}, self._modules)


def randomise(model, seed):
    """He init for convs (torchvision's), small biases, default linear init, then random BN statistics."""
    torch.manual_seed(seed)
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Conv3d)):
            nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu')
            if module.bias is not None:
                nn.init.uniform_(module.bias, -0.1, 0.1)
        elif isinstance(module, nn.Linear):
            module.reset_parameters()
    randomise_norms(model, torch.Generator().manual_seed(seed))


def run_case(description, out):
    builder = Builder()
    try:
        model = Network(builder, description).eval()
        randomise(model, description['seed'])
        image = torch.randn([1] + description['input'], generator=torch.Generator().manual_seed(description['seed'] + 1))
        seen = {}
        handles = []
        for display, module, counted in builder.leaves:
            entry = seen.setdefault(display, {'name': display, 'params': 0, 'macs': 0, 'modules': set(), 'counted': set()})
            if id(module) not in entry['modules']:
                entry['modules'].add(id(module))
                entry['params'] += sum(p.numel() for p in module.parameters())
            handles.append(module.register_forward_hook(lambda _m, _i, output, entry=entry: entry.update(shape=list(output.shape))))
            for conv in counted:
                if id(conv) not in entry['counted']:
                    entry['counted'].add(id(conv))
                    handles.append(conv.register_forward_hook(lambda m, _i, output, entry=entry: entry.update(macs=entry['macs'] + module_macs(m, output))))
        logits = model(image)
    except (StrictError, RuntimeError, ValueError, NotImplementedError) as error:
        return {'index': description['index'], 'error': {'type': type(error).__name__, 'message': str(error), 'strict': isinstance(error, StrictError)}}
    for handle in handles:
        handle.remove()
    state = model.state_dict()
    tensors = {**state, '@input': image, '@logits': logits}
    exported = os.path.join(out, f'{description["index"]}.py')
    export = None
    if os.path.exists(exported):
        try:
            tensors['@export'] = run_export(exported, state, image.clone())  # a clone: an in-place op of ours must not change the saved input
            export = {'error': None}
        except Exception as error:  # our module failing in any way is the verdict: report it, go on with the batch
            export = {'error': {'type': type(error).__name__, 'message': str(error)}}
    safetensors_file.save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(out, f'{description["index"]}.safetensors'))
    layers = [{k: e.get(k) for k in ('name', 'shape', 'params', 'macs')} for e in seen.values()]
    return {
        'index': description['index'],
        'error': None,
        'output': list(logits.shape),
        'params': sum(p.numel() for p in model.parameters()),
        'macs': sum(layer['macs'] for layer in layers),
        'layers': layers,
        'state': [{'key': k, 'shape': list(v.shape), 'dtype': str(v.dtype).removeprefix('torch.')} for k, v in state.items()],
        'export': export,
    }


def run_export(path, state, image):
    """Our PyTorch export of the network with torch's weights (a strict load), in eval mode, on torch's input."""
    model = exported_model.build(path)
    model.load_state_dict(state, strict=True)
    logits = model.eval()(image)
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f'the module returns a {type(logits).__name__}, not a tensor')
    return logits


def float64_logits(description, out):
    """The module run in float64 on the weights and input saved for it: the logits float32 rounding would give exactly."""
    model = Network(Builder(), description).eval()
    tensors = safetensors_file.load_file(os.path.join(out, f'{description["index"]}.safetensors'))
    model.load_state_dict({k: v for k, v in tensors.items() if not k.startswith('@')})
    logits = model.double()(tensors['@input'].double()).flatten().tolist()
    return [x if math.isfinite(x) else str(x).replace('inf', 'Infinity').replace('nan', 'NaN') for x in logits]  # JSON has no infinities: strings JavaScript's Number reads


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('cases')
    parser.add_argument('out')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--float64', action='store_true', help='run the cases already in OUT_DIR in float64 instead')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_grad_enabled(False)
    with open(args.cases, encoding='utf-8') as file:
        descriptions = json.load(file)
    if args.float64:
        with open(os.path.join(args.out, 'float64.json'), 'w', encoding='utf-8') as file:
            json.dump({d['index']: float64_logits(d, args.out) for d in descriptions}, file)
        return
    os.makedirs(args.out, exist_ok=True)
    results = [run_case(description, args.out) for description in descriptions]
    with open(os.path.join(args.out, 'results.json'), 'w', encoding='utf-8') as file:
        json.dump(results, file)


if __name__ == '__main__':
    main()
