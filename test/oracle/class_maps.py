"""Reference class maps from torch, for the CAM and occlusion tests (test/unit/runtime/class-maps.test.ts).

  cam MODEL WEIGHTS IO CLASS...        a reference model (reference_models.py) with WEIGHTS loaded, run on
                                       IO's `input`; the feature map entering `avgpool` (a forward hook)
                                       times `fc.weight` of each CLASS: Σ_k w[c,k]·A_k. For a clip (a video
                                       model, input [1, C, T, H, W]) that map is T'×H'×W'; it is resized to
                                       the clip's T frames by F.interpolate (trilinear, align_corners=False)
                                       and given per frame
  occlusion NETWORK.json WEIGHTS IO GRID CLASS...
                                       the analysed network run by reference_logits.run_network, once per
                                       cell of a GRID×GRID grid (rows ⌊i·H/G⌋ to ⌊(i+1)·H/G⌋) with that
                                       cell zeroed (in every frame of a clip): p(class | input) − p(class |
                                       occluded input)

Prints {"CLASS": [[row], ...], ...} as JSON; a clip's CAM: {"CLASS": [[[row], ...] per frame], ...}.
"""

import json
import os
import sys

import torch
import torch.nn.functional as F

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
        maps = {c: torch.einsum('k,k...->...', model.fc.weight[c], features) for c in classes}
        if x.dim() == 5:
            frames = x.shape[2]
            maps = {c: F.interpolate(m[None, None], size=(frames, *m.shape[1:]), mode='trilinear', align_corners=False)[0, 0] for c, m in maps.items()}
        return {c: m.tolist() for c, m in maps.items()}


def occlusion(network_json, weights, io, grid, classes):
    with open(network_json, encoding='utf-8') as file:
        network = json.load(file)
    tensors = safetensors_file.load_file(weights)
    x = safetensors_file.load_file(io)['input']
    height, width = x.shape[-2], x.shape[-1]
    rows, columns = min(grid, height), min(grid, width)
    with torch.no_grad():
        base = torch.softmax(reference_logits.run_network(network, tensors, x), 1)[0]
        maps = {c: [[0.0] * columns for _ in range(rows)] for c in classes}
        for i in range(rows):
            for j in range(columns):
                occluded = x.clone()
                occluded[..., i * height // rows:(i + 1) * height // rows, j * width // columns:(j + 1) * width // columns] = 0
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
