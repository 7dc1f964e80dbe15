// The ONNX protobuf schema (from the vendored onnx.proto, see README.md) as protobufjs types.
import protobuf from 'protobufjs';
import schema from './onnx-schema.json';

const root = protobuf.Root.fromJSON(schema as protobuf.INamespace);

export const ModelProto = root.lookupType('onnx.ModelProto');
export const GraphProto = root.lookupType('onnx.GraphProto');
export const TensorProto = root.lookupType('onnx.TensorProto');

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10 } as const;

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const;
