import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import schema from '../../../language/onnx/onnx-schema.json';

test('onnx-schema.json is the vendored onnx.proto (regenerate with language/onnx/generate-schema.mjs)', () => {
  const text = readFileSync(join(__dirname, '..', '..', '..', 'language', 'onnx', 'onnx.proto'), 'utf8');
  const parsed = protobuf.parse(text, { keepCase: true }).root.toJSON();
  assert.deepEqual(JSON.parse(JSON.stringify(parsed)), schema);
});
