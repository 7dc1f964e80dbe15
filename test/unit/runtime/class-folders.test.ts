// Which class each sub-folder of a labelled folder holds (engine/runtime/class-folders.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classFolders } from '../../../engine/runtime/class-folders';

const fashion = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

test('sub-folders named by label, case, spaces and punctuation aside, or by class index', () => {
  assert.deepEqual(classFolders('d', ['3', 'Ankle_boot', 'bag', 't-shirt top'], 10, fashion), {
    names: ['3', 'Ankle_boot', 'bag', 't-shirt top'],
    targets: [3, 9, 8, 0],
    rule: 'named',
  });
  assert.deepEqual(classFolders('d', ['0', '7', '10'], 11, undefined), { names: ['0', '7', '10'], targets: [0, 7, 10], rule: 'named' });
  // A label that is a number wins over the index it spells.
  assert.deepEqual(classFolders('d', ['1'], 2, ['1', '0']), { names: ['1'], targets: [0], rule: 'named' });
});

test("one sub-folder per class with other names: torchvision's ImageFolder order", () => {
  const wnids = ['n01440764', 'n01443537', 'n01484850'];
  assert.deepEqual(classFolders('d', wnids, 3, ['tench', 'goldfish', 'great white shark']), { names: wnids, targets: [0, 1, 2], rule: 'sorted' });
  assert.deepEqual(classFolders('d', ['a', 'b'], 2, undefined), { names: ['a', 'b'], targets: [0, 1], rule: 'sorted' });
});

test('sub-folders that are not classes are refused, naming them and the accepted layouts', () => {
  assert.equal(
    classFolders('/tmp/x', ['home', 'repo'], 10, fashion),
    '/tmp/x: 2 of its 2 sub-folders name no class of the network: home, repo. A labelled folder has a sub-folder per class named by ' +
      'its label (T-shirt/top, Trouser, Pullover, Dress, Coat, … (10 in all); case, spaces and punctuation aside) or by its class index ' +
      "(0 to 9), or exactly 10 sub-folders whose sorted order is the class order (torchvision's ImageFolder), or files named <anything>_<class index>.<ext>",
  );
  assert.match(String(classFolders('d', ['home', 'repo'], 10, undefined)), /name no class of the network: home, repo\. .* named by its class index \(0 to 9\)/);
  // Some named, some not: the ones that are not are named, even when the count equals the classes.
  assert.match(String(classFolders('d', ['Bag', 'Trouser', 'x', '10', ...'abcdef'], 10, fashion)), /^d: 8 of its 10 sub-folders name no class of the network: x, 10, a, b, c, … \(8 in all\)\./);
  assert.match(String(classFolders('d', ['crane', 'tench'], 3, ['crane', 'tench', 'Crane'])), /1 of its 2 sub-folders name no class of the network: crane \(labels 0 and 2\)\./);
});
