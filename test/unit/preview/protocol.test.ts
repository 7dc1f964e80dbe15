// Messages from the webview are untrusted: only exact members of the union pass. The table of
// malformed ones is in the catalogue: test/hostile/webview/.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pngBytes, svgBytes } from '../../../extension/preview-export';
import { parsePreviewState, parseWebviewMessage } from '../../../contracts/preview';

test('well-formed webview messages pass unchanged', () => {
  const good = [
    { type: 'ready' },
    { type: 'reveal', id: 'n:layer1.0.conv1' },
    { type: 'revealProblem', index: 2 },
    { type: 'selectNetwork', name: 'resnet50' },
    { type: 'exported', format: 'svg', data: '<svg/>' },
    { type: 'exported', format: 'png', data: 'iVBORw0KGgo=' },
    { type: 'error', message: 'boom' },
    { type: 'details', id: 'n:fc' },
    { type: 'pickCompare' },
  ];
  for (const message of good) assert.deepEqual(parseWebviewMessage(message), message);
});

test('the details request and the compare pick pass; with extra keys or an empty id they are refused', () => {
  for (const bad of [{ type: 'details', id: '' }, { type: 'details' }, { type: 'details', id: 'n:fc', extra: 1 }, { type: 'pickCompare', network: 'x' }]) assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
});

test('persisted state: valid state restores, anything malformed is refused', () => {
  const state = { uri: 'file:///w/resnet50.resnet', network: 'resnet50', direction: 'TB', fold: { defaultFolded: true, overrides: { 'g:layer1': false } }, view: { x: 1, y: -2, scale: 0.5 }, showTable: true };
  assert.deepEqual(parsePreviewState(state), state);
  assert.deepEqual(parsePreviewState({ ...state, view: undefined, network: undefined }), { ...state, view: undefined, network: undefined });
  const more = { ...state, metric: 'macs', folds: { 'file:///w/a.resnet#a': { defaultFolded: false, overrides: {} } } };
  assert.deepEqual(parsePreviewState(more), more);
  for (const broken of [
    undefined,
    {},
    { ...state, uri: '' },
    { ...state, direction: 'RL' },
    { ...state, fold: { defaultFolded: 'yes', overrides: {} } },
    { ...state, fold: { defaultFolded: true, overrides: { a: 1 } } },
    { ...state, view: { x: 0, y: 0, scale: 0 } },
    { ...state, view: { x: Number.NaN, y: 0, scale: 1 } },
    { ...state, showTable: 'no' },
    { ...state, metric: 'colour' },
    { ...state, folds: { a: { defaultFolded: 1, overrides: {} } } },
    { ...state, folds: [] },
  ]) {
    assert.equal(parsePreviewState(broken), undefined, JSON.stringify(broken));
  }
});

test('exports: only an SVG document or a base64 PNG is written', () => {
  assert.ok(svgBytes('<svg xmlns="http://www.w3.org/2000/svg"></svg>'));
  assert.ok(svgBytes('<?xml version="1.0"?>\n<svg width="1"></svg>'));
  assert.equal(svgBytes('<html><svg></svg></html>'), undefined);
  assert.equal(svgBytes('<svgfoo>'), undefined);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString('base64');
  assert.deepEqual(Array.from(pngBytes(png)!.slice(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
  assert.equal(pngBytes(Buffer.from('GIF89a....').toString('base64')), undefined);
  assert.equal(pngBytes('not base64!'), undefined);
});
