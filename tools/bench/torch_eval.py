"""PyTorch's evaluation loop over a flat folder of `<name>_<class>.<ext>` images, the reference of
tools/bench/eval.mjs: PIL decode, torchvision transforms, batches of --batch through the module that
`resnet-studio export --format pytorch` wrote, with the weights of a safetensors file. Prints JSON:
seconds (the loop, model built), images, correct."""

import argparse
import json
import os
import sys
import time

import torch
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'engine', 'torch', 'python'))
from exported_model import build  # noqa: E402
from safetensors_file import load_file  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument('module')
parser.add_argument('weights')
parser.add_argument('folder')
parser.add_argument('--preprocess', required=True, help='JSON: grayscale, resize, crop [h, w], mean, std')
parser.add_argument('--batch', type=int, default=64)
parser.add_argument('--threads', type=int, required=True)
args = parser.parse_args()

torch.set_num_threads(args.threads)
spec = json.loads(args.preprocess)
steps = []
if spec.get('grayscale'):
    steps.append(transforms.Grayscale(spec['channels']))
if spec.get('resize') is not None:
    steps.append(transforms.Resize(spec['resize']))
if spec.get('crop') is not None:
    steps.append(transforms.CenterCrop(spec['crop']))
steps.append(transforms.ToTensor())
if spec.get('mean'):
    steps.append(transforms.Normalize(spec['mean'], spec['std']))
transform = transforms.Compose(steps)

model = build(args.module).eval()
model.load_state_dict(load_file(args.weights))
files = sorted(os.listdir(args.folder))
targets = [int(f.rsplit('_', 1)[1].split('.')[0]) for f in files]

correct = 0
start = time.perf_counter()
with torch.no_grad():
    for begin in range(0, len(files), args.batch):
        names = files[begin:begin + args.batch]
        x = torch.stack([transform(Image.open(os.path.join(args.folder, f)).convert('RGB')) for f in names])
        predicted = model(x).argmax(1).tolist()
        correct += sum(p == t for p, t in zip(predicted, targets[begin:begin + args.batch]))
seconds = time.perf_counter() - start
print(json.dumps({'seconds': seconds, 'images': len(files), 'correct': correct}))
