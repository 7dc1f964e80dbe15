#!/usr/bin/python3
"""The torch side of test/unit/torch/export.test.ts: modules written by `resnet-studio export --format pytorch`.

  exported_module.py describe MODEL.py...
      One JSON line per file: {"params": N, "state": [[key, shape, dtype], ...]} in state_dict order.
  exported_module.py run MODEL.py WEIGHTS.safetensors INPUT.safetensors OUT.safetensors [MODEL.py ...]
      Loads the weights strictly, runs the module in eval mode on INPUT's `input` and writes `logits`.

Run with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14).
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'engine', 'torch', 'python'))
import exported_model  # noqa: E402
import safetensors_file  # noqa: E402


def describe(path):
    model = exported_model.build(path)
    state = [[key, list(tensor.shape), str(tensor.dtype).replace('torch.', '')] for key, tensor in model.state_dict().items()]
    return {'params': sum(p.numel() for p in model.parameters()), 'state': state}


def run(model_path, weights, inputs, out):
    model = exported_model.build(model_path).eval()
    model.load_state_dict(safetensors_file.load_file(weights), strict=True)
    with torch.no_grad():
        logits = model(safetensors_file.load_file(inputs)['input'])
    safetensors_file.save_file({'logits': logits.contiguous()}, out)


def main(argv):
    torch.set_num_threads(2)
    if len(argv) >= 2 and argv[0] == 'describe':
        for path in argv[1:]:
            print(json.dumps(describe(path)), flush=True)
    elif len(argv) >= 5 and argv[0] == 'run' and (len(argv) - 1) % 4 == 0:
        for i in range(1, len(argv), 4):
            run(*argv[i:i + 4])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
