"""Seeded reference weights shared by the oracle scripts: non-trivial norm parameters and statistics (so
BatchNorm folding mistakes show) and the <name>.safetensors / <name>.io.safetensors pair the tests read.
"""

import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'engine', 'torch', 'python'))
import safetensors_file  # noqa: E402

BATCH_NORMS = (nn.BatchNorm2d, nn.BatchNorm3d)


def norm_value(field, count, generator):
    """The seeded value of one norm tensor (`weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`)."""
    if field == 'num_batches_tracked':
        return torch.tensor(int(torch.randint(1, 1000, (1,), generator=generator)), dtype=torch.int64)
    if field in ('weight', 'running_var'):
        return torch.rand(count, generator=generator) * 0.5 + 0.75
    return torch.randn(count, generator=generator) * 0.1


def randomise_norms(model, generator, kinds=BATCH_NORMS):
    """Seeded affine parameters and running statistics for every module of `kinds`."""
    for module in model.modules():
        if not isinstance(module, kinds):
            continue
        fields = (['weight', 'bias'] if module.affine else []) + (['running_mean', 'running_var', 'num_batches_tracked'] if module.track_running_stats else [])
        with torch.no_grad():
            for field in fields:
                getattr(module, field).copy_(norm_value(field, module.num_features, generator))


def save_reference(out, name, state, image, logits):
    safetensors_file.save_file(state, os.path.join(out, f'{name}.safetensors'))
    safetensors_file.save_file({'input': image, 'logits': logits}, os.path.join(out, f'{name}.io.safetensors'))


def write_reference(out, name, build, shape, seed, norms=BATCH_NORMS):
    """Builds the module with torch seeded, randomises its norms, runs a seeded normal input in eval mode."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = build().eval()
    randomise_norms(model, generator, norms)
    image = torch.randn(shape, generator=generator)
    with torch.no_grad():
        logits = model(image)
    save_reference(out, name, model.state_dict(), image, logits)
