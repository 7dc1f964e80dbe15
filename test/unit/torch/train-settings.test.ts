// The training options as text, read once for the CLI's flags and the editor's form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTrainSettings } from '../../../engine/torch/train-settings';

test('no options: the defaults docs/training.md lists', () => {
  assert.deepEqual(readTrainSettings('data', {}), {
    data: 'data', val: undefined, valSplit: undefined, epochs: 10, batch: 128, lr: 0.1, optimizer: 'sgd', schedule: 'cosine', augment: 'light',
    from: undefined, freeze: undefined, out: undefined, resume: undefined, device: undefined, amp: false, seed: 0, nproc: 1, torchrun: [],
  });
  assert.equal((readTrainSettings('data', { optimizer: 'adamw' }) as { lr: number }).lr, 0.001);
});

test('values are read as numbers and choices', () => {
  const settings = readTrainSettings('d', { 'val-split': '0.2', epochs: '3', batch: '64', lr: '3e-4', optimizer: 'adamw', schedule: 'step', augment: 'none', device: 'cpu', amp: true, seed: '7', nproc: '2', freeze: 'layer2' });
  assert.ok(typeof settings !== 'string');
  assert.deepEqual(
    [settings.valSplit, settings.epochs, settings.batch, settings.lr, settings.optimizer, settings.schedule, settings.augment, settings.device, settings.amp, settings.seed, settings.nproc, settings.freeze],
    [0.2, 3, 64, 3e-4, 'adamw', 'step', 'none', 'cpu', true, 7, 2, 'layer2'],
  );
});

test('a bad value names its option and what it must be', () => {
  const cases: [Parameters<typeof readTrainSettings>[1], string][] = [
    [{ epochs: 'ten' }, "--epochs must be a whole number of at least 1, not 'ten'"],
    [{ epochs: '0' }, "--epochs must be a whole number of at least 1, not '0'"],
    [{ batch: '1.5' }, "--batch must be a whole number of at least 1, not '1.5'"],
    [{ lr: '-1' }, "--lr must be a positive number, not '-1'"],
    [{ lr: 'Infinity' }, "--lr must be a positive number, not 'Infinity'"],
    [{ 'val-split': '1' }, "--val-split must be a fraction between 0 and 1, not '1'"],
    [{ optimizer: 'adam' }, "--optimizer must be one of sgd, adamw, not 'adam'"],
    [{ device: 'gpu' }, "--device must be one of cpu, cuda, mps, not 'gpu'"],
    [{ val: 'v', 'val-split': '0.1' }, '--val and --val-split exclude each other'],
  ];
  for (const [options, message] of cases) assert.equal(readTrainSettings('d', options), message);
  assert.equal(readTrainSettings('d', {}, ['--nnodes', '2']), 'options after -- go to torch.distributed.run: give --nproc N too');
});
