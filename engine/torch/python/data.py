"""Labelled images as tensors, preprocessed exactly as inference preprocesses them.

engine/runtime/preprocess.ts is bit-exact with torchvision on PIL images:
  Image.open(path).convert('RGB') -> [Grayscale(C)] -> [Resize(size, BILINEAR)] -> [CenterCrop]
  -> ToTensor() -> [Normalize(mean, std)]
so training runs those transforms themselves. Augmentation replaces or follows the geometric steps;
its randomness is seeded per (seed, epoch, sample), so it is the same with any number of workers or
processes and after a resume.
"""

import torch
from PIL import Image
from torchvision import transforms as T


def load_image(path):
    # torchvision.datasets.folder.pil_loader
    with open(path, 'rb') as file:
        return Image.open(file).convert('RGB')


def geometry(spec):
    """The resize and center crop of the preprocess section."""
    steps = []
    if spec.get('resize') is not None:
        size = spec['resize']
        steps.append(T.Resize(size if isinstance(size, int) else tuple(size), T.InterpolationMode.BILINEAR))
    if spec.get('centerCrop') is not None:
        steps.append(T.CenterCrop(tuple(spec['centerCrop'])))
    return steps


def transform(spec, input_shape, augment):
    """PIL image -> the network's input tensor; `augment` is 'none', 'light' or 'imagenet'."""
    channels, height, width = input_shape
    steps = [T.Grayscale(num_output_channels=channels)] if spec['grayscale'] else []
    if augment == 'imagenet':
        steps += [T.RandomResizedCrop((height, width)), T.RandomHorizontalFlip()]
    else:
        steps += geometry(spec)
        if augment == 'light':
            steps += [T.RandomCrop((height, width), padding=max(1, min(height, width) // 8)), T.RandomHorizontalFlip()]
    steps.append(T.ToTensor())
    if spec['mean']:
        steps.append(T.Normalize(spec['mean'], spec['std']))
    return T.Compose(steps)


class LabelledImages(torch.utils.data.Dataset):
    """(path, target) samples; indexed by (epoch, i) so augmentation can be seeded per sample."""

    def __init__(self, samples, preprocess, seed, random):
        self.samples = samples
        self.preprocess = preprocess
        self.seed = seed
        self.random = random

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, key):
        epoch, index = key
        path, target = self.samples[index]
        image = load_image(path)
        if not self.random:
            return self.preprocess(image), target
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed((self.seed * 1_000_003 + epoch) * 10_000_019 + index)
            return self.preprocess(image), target


class EpochOrder(torch.utils.data.Sampler):
    """Yields (epoch, index) for the given indices, in order."""

    def __init__(self, epoch, indices):
        self.epoch = epoch
        self.indices = indices

    def __iter__(self):
        return ((self.epoch, i) for i in self.indices)

    def __len__(self):
        return len(self.indices)
