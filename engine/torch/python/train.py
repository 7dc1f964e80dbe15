"""Trains a network exported from a .resnet file: `python train.py CONFIG.json`.

engine/torch/train-runner.ts writes CONFIG.json (the exported module, the samples, the settings) and
starts this script: once, or once per process with torchrun's environment variables (RANK,
WORLD_SIZE, MASTER_ADDR, ...) for DDP (gloo on the CPU, NCCL on CUDA). Rank 0 reports progress as JSON lines on stdout ({"event": "start" | "step" |
"epoch" | "stopped" | "done" | "error", ...}), writes the weights with the .resnet keys after every
epoch (`last`, and `out` when the validation accuracy is the best so far), the state a resume needs
beside `last`, and the log. Creating `stopFile` (or SIGINT) stops every rank after the same step.
"""

import json
import math
import os
import platform
import signal
import sys
import time

# Idle OpenMP threads must sleep, not spin: on a shared 2-core machine spinning threads made training
# steps 10-30 times slower.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torchvision  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.parallel import DistributedDataParallel  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checkpoint  # noqa: E402
import data  # noqa: E402
import exported_model  # noqa: E402

RANK = int(os.environ.get('RANK', '0'))
WORLD = int(os.environ.get('WORLD_SIZE', '1'))
LOCAL_RANK = int(os.environ.get('LOCAL_RANK', '0'))


class TrainingError(Exception):
    """A problem the user can fix; its message is the whole report."""


def emit(event, **fields):
    if RANK == 0:
        print(json.dumps({'event': event, **fields}), flush=True)


def choose_device(choice):
    if choice is None:
        choice = 'cuda' if torch.cuda.is_available() else 'mps' if torch.backends.mps.is_available() else 'cpu'
    if choice == 'cuda':
        if not torch.cuda.is_available():
            raise TrainingError(f'--device cuda: this torch ({torch.__version__}) sees no CUDA device')
        if LOCAL_RANK >= torch.cuda.device_count():
            raise TrainingError(f'--nproc asks for more processes than the {torch.cuda.device_count()} CUDA device(s) here')
        torch.cuda.set_device(LOCAL_RANK)
        return torch.device('cuda', LOCAL_RANK)
    if choice == 'mps' and not torch.backends.mps.is_available():
        raise TrainingError(f'--device mps: this torch ({torch.__version__}) sees no Apple GPU')
    return torch.device(choice)


def build_model(config):
    """The exported module with a new head when the classes differ; says what it did."""
    model = exported_model.build(config['model'])
    head = config['head']
    if config['classes'] == config['networkClasses']:
        return model, None
    parent_name, _, attribute = head.rpartition('.')
    parent = model.get_submodule(parent_name)
    old = getattr(parent, attribute)
    setattr(parent, attribute, nn.Linear(old.in_features, config['classes'], bias=old.bias is not None))
    return model, {'layer': head, 'from': config['networkClasses'], 'to': config['classes']}


def freeze(model, config):
    """--freeze backbone (all but the head) or LAYER (everything up to and including it)."""
    spec = config['freeze']
    if spec is None:
        return []
    names = [name for name, _ in model.named_parameters()]
    if spec == 'backbone':
        frozen = [n for n in names if not n.startswith(config['head'] + '.')]
    else:
        last = max(i for i, n in enumerate(names) if n.startswith(spec + '.'))
        frozen = names[:last + 1]
    for name, parameter in model.named_parameters():
        if name in frozen:
            parameter.requires_grad_(False)
    return frozen


def frozen_batchnorms(model):
    """BatchNorm layers without a trainable parameter keep their running statistics."""
    return [m for m in model.modules() if isinstance(m, nn.BatchNorm2d) and not any(p.requires_grad for p in m.parameters())]


def make_optimizer(parameters, config):
    if config['optimizer'] == 'adamw':
        return torch.optim.AdamW(parameters, lr=config['lr'], weight_decay=0.05)
    return torch.optim.SGD(parameters, lr=config['lr'], momentum=0.9, nesterov=True, weight_decay=5e-4)


def make_schedule(optimizer, config, steps_per_epoch):
    total = config['epochs'] * steps_per_epoch
    if config['schedule'] == 'step':
        every = max(1, math.ceil(config['epochs'] / 3))
        factor = lambda step: 0.1 ** (step // steps_per_epoch // every)  # noqa: E731
    else:
        factor = lambda step: 0.5 * (1 + math.cos(math.pi * min(step, total) / total))  # noqa: E731
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def split(samples, config):
    train, val = samples['train'], samples.get('val')
    fraction = config['valSplit']
    if fraction is None:
        return train, val
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(config['seed'])).tolist()
    count = max(1, round(fraction * len(train)))
    if count >= len(train):
        raise TrainingError(f'--val-split {fraction} leaves no training images out of {len(train)}')
    return [train[i] for i in sorted(order[count:])], [train[i] for i in sorted(order[:count])]


def loader(dataset, epoch, indices, batch, workers, device):
    return torch.utils.data.DataLoader(dataset, batch_size=batch, sampler=data.EpochOrder(epoch, indices), num_workers=workers, pin_memory=device.type == 'cuda')


def reduce(values, device):
    """Sums a list of numbers over the ranks."""
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    if WORLD > 1:
        dist.all_reduce(tensor)
    return tensor.tolist()


def evaluate(model, dataset, batch, workers, device, autocast):
    """(loss, accuracy) on the whole set; each rank takes every WORLD-th image."""
    model.eval()
    sums = [0.0, 0.0, 0.0]
    with torch.no_grad():
        for images, targets in loader(dataset, 0, list(range(RANK, len(dataset), WORLD)), batch, workers, device):
            images, targets = images.to(device), targets.to(device)
            with autocast():
                outputs = model(images)
            sums[0] += nn.functional.cross_entropy(outputs.float(), targets, reduction='sum').item()
            sums[1] += (outputs.argmax(1) == targets).sum().item()
            sums[2] += len(targets)
    loss, correct, count = reduce(sums, device)
    return loss / count, correct / count


def versions():
    return {
        'python': platform.python_version(),
        'torch': torch.__version__,
        'torchvision': torchvision.__version__,
        'cuda': torch.version.cuda,
        'platform': platform.platform(),
    }


class Stop:
    """Set by SIGINT or by the stop file; every rank stops after the same step."""

    def __init__(self, path):
        self.path = path
        self.signalled = False
        signal.signal(signal.SIGINT, self.signal)

    def signal(self, *_):
        self.signalled = True

    def requested(self):
        return 1.0 if self.signalled or (self.path and os.path.exists(self.path)) else 0.0


def datasets(config):
    """The training and validation images, preprocessed as the network's file says."""
    with open(config['samples']) as file:
        train_samples, val_samples = split(json.load(file), config)
    spec, shape, seed = config['preprocess'], config['input'], config['seed']
    train_set = data.LabelledImages(train_samples, data.transform(spec, shape, config['augment']), seed, config['augment'] != 'none')
    val_set = data.LabelledImages(val_samples, data.transform(spec, shape, 'none'), seed, False) if val_samples else None
    seen = list(train_set[(0, 0)][0].shape)
    if seen != shape:
        raise TrainingError(f'{train_samples[0][0]}: preprocessing gives {"x".join(map(str, seen))} but the network input is '
                            f'{"x".join(map(str, shape))}; check the preprocess section')
    return train_set, val_set


def prepared_model(config):
    """The module with its starting weights (resumed, loaded where they fit, or torchvision's init) and its frozen part."""
    torch.manual_seed(config['seed'])
    model, head = build_model(config)
    if config['resume']:
        model.load_state_dict(checkpoint.load_weights(config['resume']), strict=True)
        init = {'source': config['resume'], 'resumed': True}
    elif config['init']:
        init = checkpoint.load_matching(model, config['init'])
    else:
        init = {'source': None}
    return model, head, init, freeze(model, config)


class Training:
    """One run on this rank: the epochs from where a resume left off, the checkpoints, the log."""

    def __init__(self, config):
        self.config = config
        self.device = choose_device(config['device'])
        if WORLD > 1:
            dist.init_process_group('nccl' if self.device.type == 'cuda' else 'gloo')
        if self.device.type == 'cpu':
            torch.use_deterministic_algorithms(True)
        else:
            torch.backends.cudnn.benchmark = True
        if config['amp'] and self.device.type == 'mps':
            raise TrainingError(f'--amp: torch {torch.__version__} has no mixed precision on mps')
        self.scaler = torch.cuda.amp.GradScaler(enabled=config['amp'] and self.device.type == 'cuda')
        self.train_set, self.val_set = datasets(config)
        self.model, head, init, frozen = prepared_model(config)
        self.model.to(self.device)
        torch.manual_seed(config['seed'] + RANK)
        self.net = DistributedDataParallel(self.model, device_ids=[self.device.index] if self.device.type == 'cuda' else None) if WORLD > 1 else self.model
        self.frozen_bn = frozen_batchnorms(self.model)
        self.batch = config['batch'] // WORLD
        self.sampler = torch.utils.data.DistributedSampler(self.train_set, num_replicas=WORLD, rank=RANK, shuffle=True, seed=config['seed'])
        self.steps = math.ceil(len(self.sampler) / self.batch)
        self.optimizer = make_optimizer([p for p in self.model.parameters() if p.requires_grad], config)
        self.schedule = make_schedule(self.optimizer, config, self.steps)
        self.stop = Stop(config['stopFile'])
        # Where the run stands: the epoch (0-based), the images of it done, and their loss, correct and count sums.
        self.epoch, self.done, self.sums = 0, 0, [0.0, 0.0, 0.0]
        self.log = {
            'network': config['network'],
            'settings': config['settings'],
            'seed': config['seed'],
            'versions': {**versions(), 'resnetStudio': config['version']},
            'device': str(self.device),
            'processes': WORLD,
            'threads': torch.get_num_threads(),
            'data': {'train': len(self.train_set), 'val': len(self.val_set) if self.val_set else 0, 'classes': config['classes'], 'classNames': config['classNames']},
            'init': init,
            'head': head,
            'frozen': len(frozen),
            'epochs': [],
            'steps': [],
            'best': None,
            'status': 'running',
            'resumes': [],
        }
        resumed = None
        if config['resume']:
            state = checkpoint.load_state(config['resumeState'])
            self.optimizer.load_state_dict(state['optimizer'])
            self.schedule.load_state_dict(state['schedule'])
            self.scaler.load_state_dict(state['scaler'])
            if RANK == 0:
                torch.set_rng_state(state['rng'])
            self.epoch, self.done, self.sums = state['epoch'], state['samplesDone'], state['epochSums']
            resumed = {'epoch': self.epoch + 1, 'samplesDone': self.done}
            self.log = {**state['log'], 'status': 'running', 'resumes': state['log']['resumes'] + [resumed]}
        emit('start', device=str(self.device), processes=WORLD, threads=torch.get_num_threads(), trainImages=len(self.train_set),
             valImages=self.log['data']['val'], classes=config['classes'], stepsPerEpoch=self.steps, epochs=config['epochs'],
             init=init, head=head, frozen=len(frozen), resumed=resumed, versions=self.log['versions'])

    def autocast(self):
        dtype = torch.float16 if self.device.type == 'cuda' else torch.bfloat16
        return torch.autocast(self.device.type, dtype=dtype, enabled=self.config['amp'])

    def run(self):
        started = time.time()
        while self.epoch < self.config['epochs']:
            if not self.train_epoch():
                return
        self.log['status'] = 'done'
        self.log['seconds'] = time.time() - started
        if RANK == 0:
            write_log(self.config['log'], self.log)
        emit('done', best=self.log['best'], out=self.config['out'], last=self.config['last'], log=self.config['log'])

    def train_epoch(self):
        """The rest of the current epoch; False when it stopped."""
        config, epoch = self.config, self.epoch
        self.sampler.set_epoch(epoch)
        indices = list(self.sampler)[self.done // WORLD:]
        first_step = self.done // config['batch']
        self.net.train()
        for module in self.frozen_bn:
            module.eval()
        started = time.time()
        last_report = 0.0
        lr = self.optimizer.param_groups[0]['lr']
        for step, (images, targets) in enumerate(loader(self.train_set, epoch, indices, self.batch, config['workers'], self.device), start=first_step):
            images, targets = images.to(self.device, non_blocking=True), targets.to(self.device, non_blocking=True)
            with self.autocast():
                outputs = self.net(images)
                loss = nn.functional.cross_entropy(outputs, targets)
            self.optimizer.zero_grad(set_to_none=True)
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
            lr = self.optimizer.param_groups[0]['lr']
            self.schedule.step()
            totals = [loss.item() * len(targets), (outputs.argmax(1) == targets).sum().item(), len(targets), self.stop.requested()]
            loss_sum, correct, count, stopping = reduce(totals, self.device)
            self.sums = [self.sums[0] + loss_sum, self.sums[1] + correct, self.sums[2] + count]
            self.done += int(count)
            self.log['steps'].append({'epoch': epoch + 1, 'step': step + 1, 'loss': loss_sum / count, 'accuracy': correct / count, 'lr': lr})
            now = time.time()
            if now - last_report >= 0.5 or step + 1 == self.steps or stopping:
                last_report = now
                per_step = (now - started) / (step + 1 - first_step)
                remaining = (self.steps - step - 1) + (config['epochs'] - epoch - 1) * self.steps
                emit('step', epoch=epoch + 1, step=step + 1, steps=self.steps, loss=loss_sum / count, accuracy=correct / count, lr=lr,
                     imagesPerSecond=config['batch'] / per_step, etaSeconds=remaining * per_step)
            if stopping:
                self.save('stopped')
                emit('stopped', epoch=epoch + 1, step=step + 1, last=config['last'], log=config['log'])
                return False
        seconds = time.time() - started
        record = {'epoch': epoch + 1, 'trainLoss': self.sums[0] / self.sums[2], 'trainAccuracy': self.sums[1] / self.sums[2], 'lr': lr,
                  'seconds': seconds, 'imagesPerSecond': len(indices) * WORLD / seconds}
        if self.val_set:
            record['valLoss'], record['valAccuracy'] = evaluate(self.model, self.val_set, self.batch * 2, config['workers'], self.device, self.autocast)
        # Without validation images the best weights are the last.
        best = not self.val_set or self.log['best'] is None or record['valAccuracy'] > self.log['best']['valAccuracy']
        if best:
            self.log['best'] = {'epoch': epoch + 1, 'valAccuracy': record.get('valAccuracy')}
        self.log['epochs'].append(record)
        self.epoch, self.done, self.sums = epoch + 1, 0, [0.0, 0.0, 0.0]
        self.save('running')
        if best and RANK == 0:
            checkpoint.save_weights(self.model, config['out'], self.metadata())
        emit('epoch', **record, epochs=config['epochs'], best=best)
        return True

    def metadata(self):
        return {'format': 'pt', 'network': self.config['network']}

    def save(self, status):
        """The last checkpoint: weights, the state a resume needs, the log."""
        if RANK != 0:
            return
        self.log['status'] = status
        checkpoint.save_weights(self.model, self.config['last'], self.metadata())
        checkpoint.save_state(self.config['lastState'], {
            'epoch': self.epoch, 'samplesDone': self.done, 'epochSums': self.sums, 'optimizer': self.optimizer.state_dict(),
            'schedule': self.schedule.state_dict(), 'scaler': self.scaler.state_dict(), 'rng': torch.get_rng_state(), 'log': self.log,
        })
        write_log(self.config['log'], self.log)


def write_log(path, log):
    def write(target):
        with open(target, 'w') as file:
            json.dump(log, file, indent=1)
    checkpoint.replace_file(path, write)


def main(argv):
    if len(argv) != 1:
        sys.exit(__doc__)
    with open(argv[0]) as file:
        config = json.load(file)
    try:
        Training(config).run()
    except TrainingError as error:
        if RANK == 0:
            emit('error', message=str(error))
        else:
            print(f'rank {RANK}: {error}', file=sys.stderr)
        sys.exit(1)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


if __name__ == '__main__':
    main(sys.argv[1:])
