"""The reference for tools/bench/train.mjs: the training loop a PyTorch user writes by hand for the
same network, data, batch and threads as `resnet-studio train --augment none --from none`.

    python3 train_loop.py MODEL.py DATA EPOCHS BATCH WORKERS

MODEL.py is `resnet-studio export --format pytorch`; DATA holds NNNNN_<class>.png files. The images go
through the network's preprocessing (Grayscale, Resize, CenterCrop, ToTensor, Normalize), SGD with
momentum 0.9, Nesterov and weight decay 5e-4 on a cosine schedule per step, as `train` does. Prints a
JSON line per epoch: {"epoch", "seconds", "imagesPerSecond", "loss", "accuracy"}.
"""

import glob
import importlib.util
import json
import os
import sys
import time

import torch
from PIL import Image
from torch import nn
from torchvision import transforms as T


class Images(torch.utils.data.Dataset):
    def __init__(self, folder, transform):
        self.files = sorted(glob.glob(os.path.join(folder, '*.png')))
        self.targets = [int(os.path.splitext(f)[0].rsplit('_', 1)[1]) for f in self.files]
        self.transform = transform

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        with open(self.files[i], 'rb') as file:
            image = Image.open(file).convert('RGB')
        return self.transform(image), self.targets[i]


def main(model_file, folder, epochs, batch, workers):
    spec = importlib.util.spec_from_file_location('model', model_file)
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)
    torch.manual_seed(0)
    net = model.build()
    transform = T.Compose([T.Grayscale(1), T.Resize(28), T.CenterCrop(28), T.ToTensor(), T.Normalize([0.2860], [0.3530])])
    data = Images(folder, transform)
    loader = torch.utils.data.DataLoader(data, batch_size=batch, shuffle=True, num_workers=workers)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs * len(loader))
    for epoch in range(epochs):
        net.train()
        started = time.time()
        loss_sum, correct, count = 0.0, 0, 0
        for images, targets in loader:
            outputs = net(images)
            loss = nn.functional.cross_entropy(outputs, targets)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item() * len(targets)
            correct += (outputs.argmax(1) == targets).sum().item()
            count += len(targets)
        seconds = time.time() - started
        print(json.dumps({'epoch': epoch + 1, 'seconds': seconds, 'imagesPerSecond': count / seconds, 'loss': loss_sum / count,
                          'accuracy': correct / count, 'threads': torch.get_num_threads()}), flush=True)


if __name__ == '__main__':
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
