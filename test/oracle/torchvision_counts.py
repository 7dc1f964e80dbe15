"""Ask torchvision for the parameter and MAC counts of reference models, to check the language core against.

Prints JSON {MODEL: {"params", "macs", "input", "layers": [...], "reference"}} where
- params is sum(p.numel() for p in model.parameters());
- macs are counted by forward hooks during one forward pass: a Conv2d (Conv3d) costs
  output.numel() × in_channels/groups × kh × kw (× kt), a Linear in_features × out_features per output row;
- layers lists every leaf module that ran, in the order of its first call, with its own params and MACs.
  torchvision calls one `relu` module several times per block; it appears once, with its last output shape;
- reference is what torchvision itself publishes in the default weights' meta (`num_params`, `_ops`),
  null where it publishes nothing.
"""

import argparse
import json
import math
import os
import sys

import torch
from torch import nn
from torchvision import models

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_models  # noqa: E402
from leaf_outputs import leaf_outputs  # noqa: E402

LEAF_TYPES = (nn.Conv2d, nn.Conv3d, nn.BatchNorm2d, nn.BatchNorm3d, nn.ReLU, nn.MaxPool2d, nn.MaxPool3d,
              nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d, nn.Linear)


def module_macs(module, output):
    if isinstance(module, (nn.Conv2d, nn.Conv3d)):
        return output.numel() * (module.in_channels // module.groups) * math.prod(module.kernel_size)
    if isinstance(module, nn.Linear):
        return (output.numel() // module.out_features) * module.in_features * module.out_features
    return 0


def count(model, shape):
    leaves = [(name, module) for name, module in model.named_modules() if isinstance(module, LEAF_TYPES)]
    layers = [{
        'name': name,
        'type': type(module).__name__,
        'outputShape': list(output.shape),
        'params': sum(p.numel() for p in module.parameters(recurse=False)),
        # A reused module (relu) is counted once; only conv and linear have MACs and none is reused.
        'macs': module_macs(module, output),
    } for name, (module, output) in leaf_outputs(model, shape, leaves).items()]
    return {
        'params': sum(p.numel() for p in model.parameters()),
        'macs': sum(layer['macs'] for layer in layers),
        'input': list(shape),
        'layers': layers,
    }


def torchvision_reference(name):
    """torchvision's published figures for the model's default weights, or None."""
    if name not in reference_models.TORCHVISION_NAMES + reference_models.VIDEO_NAMES:
        return None
    weights = models.get_model_weights(name).DEFAULT
    meta = weights.meta
    return {
        'weights': str(weights),
        'num_params': meta.get('num_params'),
        # `_ops` (GFLOPS, counted as MACs) arrived in torchvision 0.15; 0.14 has none.
        'ops': meta.get('_ops'),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('models', nargs='+', metavar='MODEL', choices=reference_models.NAMES)
    parser.add_argument('--indent', type=int, default=None, help='pretty-print the JSON')
    args = parser.parse_args()

    torch.set_grad_enabled(False)
    result = {}
    for name in args.models:
        counts = count(reference_models.build(name), reference_models.input_shape(name))
        counts['reference'] = torchvision_reference(name)
        result[name] = counts
    print(json.dumps(result, indent=args.indent))


if __name__ == '__main__':
    main()
