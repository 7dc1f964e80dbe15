// Generated safetensors cases (binary, so not committed). Each is a variation of one small valid
// file holding the weights of the network in tiny.resnet (fc.weight F32 [2, 2], fc.bias F32 [2]).
// Each entry's expected message is <name>.expected beside this file.
import type { Generator } from '../../unit/hostile/catalogue';
import { safetensorsBytes } from '../../unit/weights/write-safetensors';

const f32 = (...values: number[]) => new Uint8Array(new Float32Array(values).buffer);
const validHeader = {
  'fc.weight': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
  'fc.bias': { dtype: 'F32', shape: [2], data_offsets: [16, 24] },
};
const validData = f32(0.5, -0.5, 0.25, 1, 0.1, -0.1);
const valid = () => safetensorsBytes(validHeader, validData);
const withHeader = (changes: Record<string, unknown>, data: Uint8Array = validData) => safetensorsBytes({ ...validHeader, ...changes }, data);
const gigabytes4 = 2 ** 30;

export const generated: Record<string, Generator> = {
  valid: { description: 'the valid file every other case varies (the control: it loads)', make: valid },
  'zero-bytes': { description: 'an empty file', make: () => Buffer.alloc(0) },
  'five-bytes': { description: 'five bytes: less than the header length field', make: () => Buffer.from('abcde') },
  truncated: { description: 'the valid file without its last 5 bytes', make: () => valid().subarray(0, valid().length - 5) },
  'header-length-past-end': { description: 'a header length of 2^40 in a 100-byte file', make: () => safetensorsBytes(validHeader, validData, 1n << 40n) },
  'header-length-max': { description: 'a header length of 2^64 - 1', make: () => safetensorsBytes(validHeader, validData, (1n << 64n) - 1n) },
  'header-length-zero': { description: 'a header length of 0', make: () => Buffer.concat([Buffer.alloc(8), validData]) },
  'header-not-json': { description: 'a header cut off in the middle of its JSON', make: () => safetensorsBytes('{"fc.weight": {"dtype": "F32",', validData) },
  'header-not-object': { description: 'a header that is a JSON array', make: () => safetensorsBytes('[1, 2, 3]', validData) },
  'header-not-utf8': { description: 'a header with bytes that are not UTF-8', make: () => Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]) },
  'entry-not-object': { description: 'a tensor entry that is a number', make: () => withHeader({ 'fc.bias': 3 }) },
  'proto-key': { description: 'a tensor named __proto__ besides the valid ones', make: () => safetensorsBytes(JSON.stringify(validHeader).replace('{', '{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [24, 28]}, '), f32(0.5, -0.5, 0.25, 1, 0.1, -0.1, 7)) },
  'metadata-not-string': { description: '__metadata__ with a number value', make: () => withHeader({ __metadata__: { format: 3 } }) },
  'offsets-overlap': { description: 'fc.bias at bytes [8, 16], inside fc.weight', make: () => withHeader({ 'fc.bias': { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }) },
  'offsets-past-end': { description: 'fc.bias at bytes [24, 32] of 24 bytes of data', make: () => withHeader({ 'fc.bias': { dtype: 'F32', shape: [2], data_offsets: [24, 32] } }) },
  'offsets-reversed': { description: 'data_offsets [24, 16]', make: () => withHeader({ 'fc.bias': { dtype: 'F32', shape: [2], data_offsets: [24, 16] } }) },
  'offsets-missing': { description: 'an entry without data_offsets', make: () => withHeader({ 'fc.bias': { dtype: 'F32', shape: [2] } }) },
  'offsets-fractional': { description: 'data_offsets [16.5, 24]', make: () => withHeader({ 'fc.bias': { dtype: 'F32', shape: [2], data_offsets: [16.5, 24] } }) },
  'unknown-dtype': { description: 'dtype F128', make: () => withHeader({ 'fc.bias': { dtype: 'F128', shape: [2], data_offsets: [16, 24] } }) },
  'integer-dtype': { description: 'fc.bias stored as I32 (a known dtype the network cannot use)', make: () => withHeader({ 'fc.bias': { dtype: 'I32', shape: [2], data_offsets: [16, 24] } }) },
  'shape-size-mismatch': { description: 'fc.weight declared F16 [3, 3] (18 bytes) over 16 bytes', make: () => withHeader({ 'fc.weight': { dtype: 'F16', shape: [3, 3], data_offsets: [0, 16] } }) },
  'shape-negative': { description: 'a shape with -1', make: () => withHeader({ 'fc.bias': { dtype: 'F32', shape: [-1], data_offsets: [16, 24] } }) },
  'shape-overflow': { description: 'a shape of 2^40 × 2^40 (bytes beyond any safe integer)', make: () => withHeader({ 'fc.bias': { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [16, 24] } }) },
  'shape-wrong': { description: 'fc.weight of shape [4] instead of [2, 2]', make: () => withHeader({ 'fc.weight': { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }) },
  'nan-inf': { description: 'NaN and -Inf in fc.weight, +Inf in fc.bias', make: () => safetensorsBytes(validHeader, f32(NaN, -0.5, -Infinity, 1, 0.1, Infinity)) },
  'declared-4gb-in-1kb': {
    description: 'fc.weight declared as 2^30 F32 values (4 GB) in a file of about 1 KB',
    make: () => withHeader({ 'fc.weight': { dtype: 'F32', shape: [gigabytes4], data_offsets: [0, gigabytes4 * 4] } }, new Uint8Array(900)),
  },
  'onnx-model': {
    description: 'the start of an ONNX model (ir_version 8, producer "resnet-studio") named .onnx',
    ext: '.onnx',
    make: () => Buffer.concat([Buffer.from([0x08, 0x08, 0x12, 0x0d]), Buffer.from('resnet-studio'), Buffer.alloc(100)]),
  },
  'pytorch-checkpoint': { description: 'a zip (PyTorch checkpoint) named .pth', ext: '.pth', make: () => Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 1)]) },
};
