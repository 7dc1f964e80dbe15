import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import schema from '../../../engine/onnx/onnx-schema.json';

test('onnx-schema.json is the vendored onnx.proto (regenerate with engine/onnx/generate-schema.mjs)', () => {
  const text = readFileSync(join(__dirname, '..', '..', '..', 'engine', 'onnx', 'onnx.proto'), 'utf8');
  const parsed = protobuf.parse(text, { keepCase: true }).root.toJSON();
  assert.deepEqual(JSON.parse(JSON.stringify(parsed)), schema);
});
