// Serialises a ModelProto with one copy of the weights. protobufjs grows its buffer by doubling and
// shifts every nested message to prefix its length, which copies the weights several times (about
// 0.5 s for ResNet-50). Here protobufjs encodes everything except the initializers' raw_data, and
// the length-delimited fields that hold the weights are spliced in by hand into a buffer allocated
// once at its exact size. Field order inside a message does not matter on the wire.
import { GraphProto, ModelProto, TensorProto } from './proto';

type Model = { graph: { initializer: readonly { raw_data: Uint8Array }[] } };

const LENGTH_DELIMITED = 2;
const tagOf = (fieldNumber: number) => (fieldNumber << 3) | LENGTH_DELIMITED;
const GRAPH_TAG = tagOf(ModelProto.fields.graph!.id);
const INITIALIZER_TAG = tagOf(GraphProto.fields.initializer!.id);
const RAW_DATA_TAG = tagOf(TensorProto.fields.raw_data!.id);

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

class Output {
  readonly bytes: Uint8Array;
  private pos = 0;
  constructor(size: number) {
    // Not zero-filled: every byte is written, which encodeModel checks.
    this.bytes = Buffer.allocUnsafe(size);
  }
  varint(value: number): void {
    while (value >= 0x80) {
      this.bytes[this.pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    this.bytes[this.pos++] = value;
  }
  /** A length-delimited field header: tag, then the length of what follows. */
  field(tag: number, length: number): void {
    this.varint(tag);
    this.varint(length);
  }
  write(data: Uint8Array): void {
    this.bytes.set(data, this.pos);
    this.pos += data.length;
  }
  get position(): number {
    return this.pos;
  }
}

const fieldSize = (tag: number, length: number) => varintSize(tag) + varintSize(length) + length;

/**
 * Initializers whose raw data lies in `buffer` are written as references to it (ONNX external data,
 * at their byte offset in it) instead of copied: onnxruntime takes the buffer beside the model as the
 * file named `location` (its `externalData` session option).
 */
export interface ExternalWeights {
  location: string;
  buffer: ArrayBufferLike;
}

/** TensorProto.DataLocation.EXTERNAL */
const EXTERNAL = 1;

export function encodeModel(model: Model, external?: ExternalWeights): Uint8Array {
  const { graph, ...modelRest } = model;
  const { initializer, ...graphRest } = graph;
  const modelHead = ModelProto.encode(modelRest).finish();
  const graphHead = GraphProto.encode(graphRest).finish();
  const tensors = initializer.map(({ raw_data, ...rest }) => {
    if (external && raw_data.buffer === external.buffer) {
      const reference = [
        { key: 'location', value: external.location },
        { key: 'offset', value: String(raw_data.byteOffset) },
        { key: 'length', value: String(raw_data.byteLength) },
      ];
      const head = TensorProto.encode({ ...rest, data_location: EXTERNAL, external_data: reference }).finish();
      return { head, raw: undefined, size: head.length };
    }
    const head = TensorProto.encode(rest).finish();
    return { head, raw: raw_data, size: head.length + fieldSize(RAW_DATA_TAG, raw_data.length) };
  });
  const graphSize = graphHead.length + tensors.reduce((sum, t) => sum + fieldSize(INITIALIZER_TAG, t.size), 0);
  const total = modelHead.length + fieldSize(GRAPH_TAG, graphSize);

  const out = new Output(total);
  out.write(modelHead);
  out.field(GRAPH_TAG, graphSize);
  out.write(graphHead);
  for (const tensor of tensors) {
    out.field(INITIALIZER_TAG, tensor.size);
    out.write(tensor.head);
    if (!tensor.raw) continue;
    out.field(RAW_DATA_TAG, tensor.raw.length);
    out.write(tensor.raw);
  }
  if (out.position !== total) throw new Error(`ONNX encoder wrote ${out.position} bytes, expected ${total}`);
  return out.bytes;
}
