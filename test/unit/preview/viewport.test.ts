// Zoom and pan arithmetic.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitAcross, fitTransform, keepInPlace, maxScale, minScale, reveal, startTransform, zoomAt } from '../../../webview/viewport';

const pane = { width: 800, height: 600 };
/** Where a diagram point lands in the pane. */
const onScreen = (view: { x: number; y: number; scale: number }, x: number, y: number) => [view.x + x * view.scale, view.y + y * view.scale];

test('fit centres the whole diagram and never enlarges past the limit', () => {
  const wide = fitTransform({ width: 1600, height: 200 }, pane);
  assert.equal(wide.scale, 0.5);
  assert.deepEqual(onScreen(wide, 0, 0), [0, 250]);
  assert.deepEqual(onScreen(wide, 1600, 200), [800, 350]);
  assert.equal(fitTransform({ width: 100, height: 100 }, pane).scale, 1);
  assert.equal(fitTransform({ width: 100, height: 100 }, pane, 2).scale, 2);
  assert.equal(fitTransform({ width: 1e9, height: 10 }, pane).scale, minScale);
});

test('zooming keeps the point under the pointer in place, within the limits', () => {
  const view = { x: 30, y: -40, scale: 0.8 };
  const zoomed = zoomAt(view, 1.5, 200, 100);
  const before = [(200 - view.x) / view.scale, (100 - view.y) / view.scale];
  assert.deepEqual(onScreen(zoomed, before[0], before[1]).map((v) => Math.round(v * 1e9) / 1e9), [200, 100]);
  assert.equal(zoomAt(view, 1000, 0, 0).scale, maxScale);
  assert.equal(zoomAt(view, 1e-9, 0, 0).scale, minScale);
});

test('reveal leaves a visible box alone and centres one that is not', () => {
  const view = { x: 0, y: 0, scale: 1 };
  assert.equal(reveal(view, { x: 10, y: 10, w: 100, h: 50 }, pane), view);
  const moved = reveal(view, { x: 2000, y: 10, w: 100, h: 50 }, pane);
  assert.deepEqual(onScreen(moved, 2050, 35), [400, 300]);
  assert.deepEqual(onScreen(reveal(view, { x: 10, y: 10, w: 100, h: 50 }, pane, true), 60, 35), [400, 300]);
});

test('the first view is actual size at the diagram start; Fit fits across, from the start; a moved box stays on screen', () => {
  const pane = { width: 800, height: 600 };
  assert.deepEqual(startTransform({ width: 400, height: 9000 }, pane, 'TB'), { scale: 1, x: 200, y: 0 });
  assert.deepEqual(startTransform({ width: 9000, height: 300 }, pane, 'LR'), { scale: 1, x: 0, y: 150 });
  assert.deepEqual(startTransform({ width: 1600, height: 9000 }, pane, 'TB'), { scale: 1, x: 0, y: 0 });
  // ResNet-152 is far deeper than wide: Fit keeps it at actual size across, to be scrolled.
  assert.equal(fitAcross({ width: 600, height: 40000 }, pane, 'TB').scale, 1);
  assert.equal(fitAcross({ width: 1600, height: 40000 }, pane, 'TB').scale, 0.5);
  // A small diagram is shown whole.
  assert.equal(fitAcross({ width: 400, height: 900 }, pane, 'TB').scale, 600 / 900);
  const view = { x: 10, y: -300, scale: 0.8 };
  const moved = keepInPlace(view, { x: 100, y: 500 }, { x: 60, y: 700 });
  assert.deepEqual([moved.x + 60 * 0.8, moved.y + 700 * 0.8], [view.x + 100 * 0.8, view.y + 500 * 0.8]);
});
