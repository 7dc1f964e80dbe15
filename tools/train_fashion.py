"""Train the bundled Fashion-MNIST model (fashion_resnet20) on CPU and write it, its labels and sample images.

Outputs, under --out (examples/fashion-mnist by default):
  resnet20.safetensors   the full state_dict (float32, num_batches_tracked int64)
  labels.txt             the 10 class names, one per line
  images/NNNN_k.png      the first two test images of each class k (NNNN = test index), 8-bit grayscale
  training.json          settings, wall time, test accuracy, and the model's answers for the shipped
                         images, computed from the PNG files through the torchvision pipeline that the
                         extension reproduces

Run with /usr/bin/python3 (Debian's torch 1.13 / torchvision 0.14). Same machine, same settings, same weights:
everything random draws from seed 0 and torch runs deterministic algorithms on a fixed number of threads.
"""

import argparse
import gzip
import json
import math
import os
import platform
import sys
import time

# Idle OpenMP threads must sleep, not spin: on a shared 2-core machine spinning threads made training
# steps 10-30 times slower (measured: 3.3 s instead of 0.37 s per batch of 128).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402
from PIL import Image  # noqa: E402
from torchvision import transforms  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'test', 'oracle'))
import reference_models  # noqa: E402
import safetensors_file  # noqa: E402

LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
MEAN = 0.2860
STD = 0.3530
SEED = 0
IMAGES_PER_CLASS = 2


def read_idx(path):
    """A numpy array from an idx file (gzip-compressed): magic 0x0000 <type 0x08=uint8> <ndim>, big-endian dims, data."""
    with gzip.open(path, 'rb') as file:
        data = file.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f'{path}: not an unsigned-byte idx file')
    ndim = data[3]
    shape = tuple(int(d) for d in np.frombuffer(data, dtype='>u4', count=ndim, offset=4))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_split(data_dir, prefix):
    images = read_idx(os.path.join(data_dir, f'{prefix}-images-idx3-ubyte.gz'))
    labels = read_idx(os.path.join(data_dir, f'{prefix}-labels-idx1-ubyte.gz'))
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


def normalize(images_uint8):
    """ToTensor then Normalize, on a batch of N×28×28 uint8 images: N×1×28×28 float32."""
    return ((images_uint8.float() / 255.0 - MEAN) / STD).unsqueeze(1)


def augment(images_uint8, generator, mode):
    """Random horizontal flip ('flip'), plus a random 28×28 crop of the image zero-padded by 2 ('flip-crop')."""
    if mode == 'none':
        return images_uint8
    count = images_uint8.shape[0]
    flip = torch.rand(count, generator=generator) < 0.5
    images = torch.where(flip[:, None, None], images_uint8.flip(2), images_uint8)
    if mode == 'flip-crop':
        padded = F.pad(images, (2, 2, 2, 2))
        offsets = torch.randint(0, 5, (count, 2), generator=generator)
        images = torch.stack([padded[i, y:y + 28, x:x + 28] for i, (y, x) in enumerate(offsets.tolist())])
    return images


def evaluate(model, images_uint8, labels, batch_size=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), batch_size):
            inputs = normalize(images_uint8[start:start + batch_size]).contiguous(memory_format=torch.channels_last)
            correct += (model(inputs).argmax(1) == labels[start:start + batch_size]).sum().item()
    return correct / len(labels)


def train(model, images, labels, args):
    generator = torch.Generator().manual_seed(SEED)
    steps_per_epoch = math.ceil(len(labels) / args.batch_size)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                                weight_decay=args.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                   steps_per_epoch=steps_per_epoch)
    history = []
    started = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(labels), generator=generator)
        loss_sum = 0.0
        correct = 0
        for step in range(steps_per_epoch):
            batch = order[step * args.batch_size:(step + 1) * args.batch_size]
            inputs = normalize(augment(images[batch], generator, args.augment))
            inputs = inputs.contiguous(memory_format=torch.channels_last)
            outputs = model(inputs)
            loss = F.cross_entropy(outputs, labels[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item() * len(batch)
            correct += (outputs.argmax(1) == labels[batch]).sum().item()
            if (step + 1) % 100 == 0:
                print(f'  epoch {epoch + 1} step {step + 1}/{steps_per_epoch} loss {loss.item():.4f} '
                      f'{time.time() - started:.0f}s', flush=True)
        history.append({
            'epoch': epoch + 1,
            'trainLoss': loss_sum / len(labels),
            'trainAccuracy': correct / len(labels),
            'elapsedSeconds': round(time.time() - started, 1),
        })
        print(f'epoch {epoch + 1}/{args.epochs}: train loss {loss_sum / len(labels):.4f} '
              f'acc {correct / len(labels):.4f}, {time.time() - started:.0f}s', flush=True)
    return history


def sample_indices(test_labels):
    """The first IMAGES_PER_CLASS test indices of each class, ordered by class."""
    return [index for k in range(len(LABELS))
            for index in (test_labels == k).nonzero().flatten()[:IMAGES_PER_CLASS].tolist()]


def write_images(directory, test_images, test_labels):
    os.makedirs(directory, exist_ok=True)
    paths = []
    for index in sample_indices(test_labels):
        path = os.path.join(directory, f'{index:04d}_{test_labels[index].item()}.png')
        Image.fromarray(test_images[index].numpy(), mode='L').save(path, optimize=True)
        paths.append((path, index))
    return paths


def classify_files(model, paths, test_images, test_labels):
    """The model's answer for each PNG, read back with PIL through the torchvision pipeline the extension mirrors."""
    pipeline = transforms.Compose([
        transforms.Grayscale(1),
        transforms.Resize(28),
        transforms.CenterCrop(28),
        transforms.ToTensor(),
        transforms.Normalize(mean=[MEAN], std=[STD]),
    ])
    model.eval()
    results = []
    for path, index in paths:
        image = Image.open(path).convert('L')
        inputs = pipeline(image).unsqueeze(0)
        # The PNG must hold the test image exactly, or the shipped answers would not be the test set's.
        if not torch.equal(inputs, normalize(test_images[index:index + 1])):
            raise RuntimeError(f'{path} does not decode to test image {index}')
        with torch.no_grad():
            logits = model(inputs)[0]
        probabilities = torch.softmax(logits, 0)
        label = test_labels[index].item()
        predicted = probabilities.argmax().item()
        results.append({
            'file': os.path.relpath(path, os.path.dirname(os.path.dirname(path))).replace(os.sep, '/'),
            'testIndex': index,
            'label': label,
            'labelName': LABELS[label],
            'predicted': predicted,
            'predictedName': LABELS[predicted],
            'probabilities': probabilities.tolist(),
            'logits': logits.tolist(),
        })
    return results


def cpu_name():
    try:
        with open('/proc/cpuinfo') as file:
            for line in file:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data', default='/usr/share/datasets/fashion-mnist', help='folder of the idx .gz files')
    parser.add_argument('--out', default=os.path.join(REPO, 'examples', 'fashion-mnist'))
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--train-subset', type=int, default=0, help='train on the first N images (0: all 60,000)')
    parser.add_argument('--batch-size', type=int, default=128)
    parser.add_argument('--lr', type=float, default=0.1, help='peak learning rate of the one-cycle schedule')
    parser.add_argument('--weight-decay', type=float, default=5e-4)
    parser.add_argument('--augment', choices=['none', 'flip', 'flip-crop'], default='flip')
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()

    started = time.time()
    load_at_start = os.getloadavg()[0]
    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)

    images, labels = load_split(args.data, 'train')
    test_images, test_labels = load_split(args.data, 't10k')
    if args.train_subset:
        images, labels = images[:args.train_subset], labels[:args.train_subset]
    print(f'train {len(labels)} images, test {len(test_labels)}; {args.epochs} epochs, batch {args.batch_size}, '
          f'augment {args.augment}, {args.threads} threads', flush=True)

    model = reference_models.build('fashion_resnet20').to(memory_format=torch.channels_last)
    history = train(model, images, labels, args)
    training_seconds = time.time() - started
    test_accuracy = evaluate(model, test_images, test_labels)
    model = model.to(memory_format=torch.contiguous_format)

    os.makedirs(args.out, exist_ok=True)
    safetensors_file.save_file(model.state_dict(), os.path.join(args.out, 'resnet20.safetensors'),
                               metadata={'format': 'pt', 'model': 'fashion_resnet20'})
    with open(os.path.join(args.out, 'labels.txt'), 'w') as file:
        file.write(''.join(f'{name}\n' for name in LABELS))
    paths = write_images(os.path.join(args.out, 'images'), test_images, test_labels)
    samples = classify_files(model, paths, test_images, test_labels)
    samples_accuracy = sum(s['label'] == s['predicted'] for s in samples) / len(samples)

    report = {
        'model': 'fashion_resnet20',
        'seed': SEED,
        'epochs': args.epochs,
        'trainImages': len(labels),
        'batchSize': args.batch_size,
        'optimizer': f'SGD momentum 0.9 nesterov, weight decay {args.weight_decay}',
        'schedule': f'OneCycleLR max_lr {args.lr}',
        'augmentation': args.augment,
        'normalize': {'mean': [MEAN], 'std': [STD]},
        'threads': args.threads,
        'trainingWallSeconds': round(training_seconds, 1),
        'wallSeconds': round(time.time() - started, 1),
        'testAccuracy': test_accuracy,
        'testImages': len(test_labels),
        'history': history,
        'samplesAccuracy': samples_accuracy,
        'samples': samples,
        'machine': {
            'cpu': cpu_name(),
            'cpuCount': os.cpu_count(),
            'loadAverageAtStart': round(load_at_start, 2),
            'ompWaitPolicy': os.environ.get('OMP_WAIT_POLICY'),
            'python': platform.python_version(),
            'torch': torch.__version__,
            'torchvision': torchvision.__version__,
        },
    }
    with open(os.path.join(args.out, 'training.json'), 'w') as file:
        json.dump(report, file, indent=2)
        file.write('\n')
    print(f'test accuracy {test_accuracy:.4f} on {len(test_labels)} images, shipped images '
          f'{samples_accuracy:.2f}, wall {report["wallSeconds"]:.0f}s; wrote {args.out}', flush=True)


if __name__ == '__main__':
    main()
