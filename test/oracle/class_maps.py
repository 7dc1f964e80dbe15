"""Reference class maps from torch, for the CAM and occlusion tests (test/unit/runtime/class-maps.test.ts).

  cam MODEL WEIGHTS IO CLASS...        a reference model (reference_models.py) with WEIGHTS loaded, run on
                                       IO's `input`; the feature map entering `avgpool` (a forward hook)
                                       times `fc.weight` of each CLASS: Σ_k w[c,k]·A_k
  occlusion NETWORK.json WEIGHTS IO GRID CLASS...
                                       the analysed network run by reference_logits.run_network, once per
                                       cell of a GRID×GRID grid (rows ⌊i·H/G⌋ to ⌊(i+1)·H/G⌋) with that
                                       cell zeroed: p(class | input) − p(class | occluded input)

Prints {"CLASS": [[row], ...], ...} as JSON.
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'engine', 'torch', 'python'))
import reference_logits  # noqa: E402
import reference_models  # noqa: E402
import safetensors_file  # noqa: E402


def cam(name, weights, io, classes):
    model = reference_models.build(name).eval()
    model.load_state_dict(safetensors_file.load_file(weights))
    x = safetensors_file.load_file(io)['input']
    captured = {}

    def hook(module, inputs, output):
        captured['features'] = inputs[0]

    model.avgpool.register_forward_hook(hook)
    with torch.no_grad():
        model(x)
        features = captured['features'][0]
        return {c: torch.einsum('k,khw->hw', model.fc.weight[c], features).tolist() for c in classes}


def occlusion(network_json, weights, io, grid, classes):
    with open(network_json, encoding='utf-8') as file:
        network = json.load(file)
    tensors = safetensors_file.load_file(weights)
    x = safetensors_file.load_file(io)['input']
    height, width = x.shape[2], x.shape[3]
    rows, columns = min(grid, height), min(grid, width)
    with torch.no_grad():
        base = torch.softmax(reference_logits.run_network(network, tensors, x), 1)[0]
        maps = {c: [[0.0] * columns for _ in range(rows)] for c in classes}
        for i in range(rows):
            for j in range(columns):
                occluded = x.clone()
                occluded[:, :, i * height // rows:(i + 1) * height // rows, j * width // columns:(j + 1) * width // columns] = 0
                p = torch.softmax(reference_logits.run_network(network, tensors, occluded), 1)[0]
                for c in classes:
                    maps[c][i][j] = float(base[c] - p[c])
    return maps


def main():
    torch.set_num_threads(2)
    kind, args = sys.argv[1], sys.argv[2:]
    if kind == 'cam':
        result = cam(args[0], args[1], args[2], [int(c) for c in args[3:]])
    else:
        result = occlusion(args[0], args[1], args[2], int(args[3]), [int(c) for c in args[4:]])
    print(json.dumps({str(c): rows for c, rows in result.items()}))


if __name__ == '__main__':
    main()
