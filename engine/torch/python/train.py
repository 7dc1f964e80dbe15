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


def train(config):
    device = choose_device(config['device'])
    if WORLD > 1:
        dist.init_process_group('nccl' if device.type == 'cuda' else 'gloo')
    if device.type == 'cpu':
        torch.use_deterministic_algorithms(True)
    else:
        torch.backends.cudnn.benchmark = True
    if config['amp'] and device.type == 'mps':
        raise TrainingError(f'--amp: torch {torch.__version__} has no mixed precision on mps')
    amp_dtype = torch.float16 if device.type == 'cuda' else torch.bfloat16
    autocast = lambda: torch.autocast(device.type, dtype=amp_dtype, enabled=config['amp'])  # noqa: E731
    scaler = torch.cuda.amp.GradScaler(enabled=config['amp'] and device.type == 'cuda')

    with open(config['samples']) as file:
        train_samples, val_samples = split(json.load(file), config)
    preprocess = config['preprocess']
    shape = config['input']
    train_set = data.LabelledImages(train_samples, data.transform(preprocess, shape, config['augment']), config['seed'], config['augment'] != 'none')
    val_set = val_samples and data.LabelledImages(val_samples, data.transform(preprocess, shape, 'none'), config['seed'], False)
    seen = list(train_set[(0, 0)][0].shape)
    if seen != shape:
        raise TrainingError(f'{train_samples[0][0]}: preprocessing gives {"x".join(map(str, seen))} but the network input is {"x".join(map(str, shape))}; check the preprocess section')

    torch.manual_seed(config['seed'])
    model, head = build_model(config)
    resume = config['resume']
    state = None
    if resume:
        state = checkpoint.load_state(config['resumeState'])
        model.load_state_dict(checkpoint.safetensors_file.load_file(resume), strict=True)
        init = {'source': resume, 'resumed': True}
    elif config['init']:
        init = checkpoint.load_matching(model, config['init'])
    else:
        init = {'source': None}
    frozen = freeze(model, config)
    model.to(device)
    torch.manual_seed(config['seed'] + RANK)
    net = DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None) if WORLD > 1 else model

    per_rank_batch = config['batch'] // WORLD
    sampler = torch.utils.data.DistributedSampler(train_set, num_replicas=WORLD, rank=RANK, shuffle=True, seed=config['seed'])
    steps_per_epoch = math.ceil(len(sampler) / per_rank_batch)
    optimizer = make_optimizer([p for p in model.parameters() if p.requires_grad], config)
    schedule = make_schedule(optimizer, config, steps_per_epoch)
    workers = config['workers']
    started = time.time()

    log = {
        'network': config['network'],
        'settings': config['settings'],
        'seed': config['seed'],
        'versions': {**versions(), 'resnetStudio': config['version']},
        'device': str(device),
        'processes': WORLD,
        'threads': torch.get_num_threads(),
        'data': {'train': len(train_set), 'val': len(val_set) if val_set else 0, 'classes': config['classes'], 'classNames': config['classNames']},
        'init': init,
        'head': head,
        'frozen': len(frozen),
        'epochs': [],
        'steps': [],
        'best': None,
        'status': 'running',
        'resumes': [],
    }
    first_epoch, samples_done, sums = 0, 0, [0.0, 0.0, 0.0]
    if state:
        optimizer.load_state_dict(state['optimizer'])
        schedule.load_state_dict(state['schedule'])
        scaler.load_state_dict(state['scaler'])
        if RANK == 0:
            torch.set_rng_state(state['rng'])
        first_epoch, samples_done, sums = state['epoch'], state['samplesDone'], state['epochSums']
        log = {**state['log'], 'status': 'running', 'resumes': state['log']['resumes'] + [{'epoch': first_epoch + 1, 'samplesDone': samples_done}]}
    emit('start', device=str(device), processes=WORLD, threads=torch.get_num_threads(), trainImages=len(train_set), valImages=len(val_set) if val_set else 0,
         classes=config['classes'], stepsPerEpoch=steps_per_epoch, epochs=config['epochs'], init=init, head=head, frozen=len(frozen),
         resumed={'epoch': first_epoch + 1, 'samplesDone': samples_done} if state else None, versions=log['versions'])

    stop = Stop(config['stopFile'])
    frozen_bn = frozen_batchnorms(model)
    metadata = {'format': 'pt', 'network': config['network']}

    def save(epoch, done, epoch_sums, status):
        if RANK != 0:
            return
        log['status'] = status
        checkpoint.save_weights(model, config['last'], metadata)
        checkpoint.save_state(config['lastState'], {
            'epoch': epoch, 'samplesDone': done, 'epochSums': epoch_sums, 'optimizer': optimizer.state_dict(),
            'schedule': schedule.state_dict(), 'scaler': scaler.state_dict(), 'rng': torch.get_rng_state(), 'log': log,
        })
        write_log(config['log'], log)

    for epoch in range(first_epoch, config['epochs']):
        sampler.set_epoch(epoch)
        indices = list(sampler)[samples_done // WORLD:]
        first_step = samples_done // config['batch']
        net.train()
        for module in frozen_bn:
            module.eval()
        epoch_started = time.time()
        last_report = 0.0
        lr = optimizer.param_groups[0]['lr']
        for step, (images, targets) in enumerate(loader(train_set, epoch, indices, per_rank_batch, workers, device), start=first_step):
            images, targets = images.to(device, non_blocking=True), targets.to(device, non_blocking=True)
            with autocast():
                outputs = net(images)
                loss = nn.functional.cross_entropy(outputs, targets)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            lr = optimizer.param_groups[0]['lr']
            schedule.step()
            loss_sum, correct, count, stopping = reduce([loss.item() * len(targets), (outputs.argmax(1) == targets).sum().item(), len(targets), stop.requested()], device)
            sums = [sums[0] + loss_sum, sums[1] + correct, sums[2] + count]
            samples_done += int(count)
            log['steps'].append({'epoch': epoch + 1, 'step': step + 1, 'loss': loss_sum / count, 'accuracy': correct / count, 'lr': lr})
            now = time.time()
            done_here = step + 1 - first_step
            if now - last_report >= 0.5 or step + 1 == steps_per_epoch or stopping:
                last_report = now
                per_step = (now - epoch_started) / done_here
                remaining = (steps_per_epoch - step - 1) + (config['epochs'] - epoch - 1) * steps_per_epoch
                emit('step', epoch=epoch + 1, step=step + 1, steps=steps_per_epoch, loss=loss_sum / count, accuracy=correct / count, lr=lr,
                     imagesPerSecond=done_here * config['batch'] / (now - epoch_started), etaSeconds=remaining * per_step)
            if stopping:
                save(epoch, samples_done, sums, 'stopped')
                emit('stopped', epoch=epoch + 1, step=step + 1, last=config['last'], log=config['log'])
                return
        seconds = time.time() - epoch_started
        record = {'epoch': epoch + 1, 'trainLoss': sums[0] / sums[2], 'trainAccuracy': sums[1] / sums[2], 'lr': lr, 'seconds': seconds,
                  'imagesPerSecond': (len(indices) * WORLD) / seconds}
        if val_set:
            record['valLoss'], record['valAccuracy'] = evaluate(model, val_set, per_rank_batch * 2, workers, device, autocast)
        # Without validation images the best weights are the last.
        best = not val_set or log['best'] is None or record['valAccuracy'] > log['best']['valAccuracy']
        if best:
            log['best'] = {'epoch': epoch + 1, 'valAccuracy': record.get('valAccuracy')}
        log['epochs'].append(record)
        samples_done, sums = 0, [0.0, 0.0, 0.0]
        save(epoch + 1, 0, sums, 'running')
        if best and RANK == 0:
            checkpoint.save_weights(model, config['out'], metadata)
        emit('epoch', **record, epochs=config['epochs'], best=best)
    log['status'] = 'done'
    log['seconds'] = time.time() - started
    if RANK == 0:
        write_log(config['log'], log)
    emit('done', best=log['best'], out=config['out'], last=config['last'], log=config['log'])


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
        train(config)
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
