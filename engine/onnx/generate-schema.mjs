// Regenerates onnx-schema.json (protobufjs's JSON form of the vendored onnx.proto) so the bundles
// and the tests load the schema as plain JSON without reading .proto files at run time:
//   node engine/onnx/generate-schema.mjs
import protobuf from 'protobufjs';
import { readFileSync, writeFileSync } from 'node:fs';

const here = new URL('.', import.meta.url);
export function schemaFromProto() {
  const text = readFileSync(new URL('onnx.proto', here), 'utf8');
  return protobuf.parse(text, { keepCase: true }).root.toJSON();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('onnx-schema.json', here), JSON.stringify(schemaFromProto()) + '\n');
}
