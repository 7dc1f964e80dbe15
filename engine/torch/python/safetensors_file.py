"""Read and write safetensors files as dicts of torch tensors, without the `safetensors` package.

Layout: an 8-byte little-endian header length N, N bytes of JSON
`{"__metadata__": {str: str}, key: {"dtype", "shape", "data_offsets": [begin, end]}, ...}`
padded with spaces to a multiple of 8, then the raw little-endian tensor data.

Like the reference implementation (huggingface/safetensors, `prepare` in tensor.rs), tensors are
laid out by descending dtype alignment, then by name, and the header lists them in that order.
For a file of one dtype that is plain name order; with I64 first, every tensor starts at an
offset that is a multiple of its element size, so readers can view the bytes as typed arrays.
"""

import argparse
import json
import struct

import numpy as np
import torch

# name -> (torch dtype, numpy little-endian dtype of the raw bytes, position in the reference's Dtype
# enum, which lists dtypes by increasing alignment; only the order matters)
DTYPES = {
    'F16': (torch.float16, '<f2', 11),
    'BF16': (torch.bfloat16, '<i2', 12),  # numpy has no bfloat16: move the bits as int16
    'F32': (torch.float32, '<f4', 15),
    'I64': (torch.int64, '<i8', 17),
}
NAME_OF_TORCH_DTYPE = {torch_dtype: name for name, (torch_dtype, _, _) in DTYPES.items()}


def _tensor_bytes(tensor):
    tensor = tensor.detach().cpu().contiguous()
    name = NAME_OF_TORCH_DTYPE[tensor.dtype]
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.view(torch.int16)
    return tensor.numpy().astype(DTYPES[name][1], copy=False).tobytes()


def encode(tensors, metadata=None):
    """The bytes of a safetensors file holding `tensors` (dict name -> torch tensor)."""
    for key, tensor in tensors.items():
        if tensor.dtype not in NAME_OF_TORCH_DTYPE:
            raise ValueError(f'{key}: dtype {tensor.dtype} is not one of {sorted(DTYPES)}')
    order = sorted(tensors, key=lambda key: (-DTYPES[NAME_OF_TORCH_DTYPE[tensors[key].dtype]][2], key))

    header = {}
    if metadata:
        header['__metadata__'] = {str(k): str(metadata[k]) for k in sorted(metadata)}
    chunks = []
    offset = 0
    for key in order:
        data = _tensor_bytes(tensors[key])
        header[key] = {
            'dtype': NAME_OF_TORCH_DTYPE[tensors[key].dtype],
            'shape': list(tensors[key].shape),
            'data_offsets': [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)

    header_bytes = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    header_bytes += b' ' * ((8 - len(header_bytes) % 8) % 8)
    return struct.pack('<Q', len(header_bytes)) + header_bytes + b''.join(chunks)


def decode(blob):
    """(tensors, metadata) from the bytes of a safetensors file."""
    if len(blob) < 8:
        raise ValueError('file shorter than its 8-byte header length')
    (header_length,) = struct.unpack('<Q', blob[:8])
    if 8 + header_length > len(blob):
        raise ValueError(f'header length {header_length} runs past the end of the file')
    header = json.loads(blob[8:8 + header_length].decode('utf-8'))
    data = memoryview(blob)[8 + header_length:]
    metadata = header.pop('__metadata__', None) or {}

    tensors = {}
    for key, info in header.items():
        if info['dtype'] not in DTYPES:
            raise ValueError(f'{key}: dtype {info["dtype"]} is not one of {sorted(DTYPES)}')
        torch_dtype, numpy_dtype, _ = DTYPES[info['dtype']]
        begin, end = info['data_offsets']
        shape = info['shape']
        count = int(np.prod(shape, dtype=np.int64))
        if end - begin != count * np.dtype(numpy_dtype).itemsize or end > len(data):
            raise ValueError(f'{key}: data_offsets {begin}..{end} do not fit shape {shape} of {info["dtype"]}')
        array = np.frombuffer(data[begin:end], dtype=numpy_dtype).astype(numpy_dtype[1:], copy=True)
        tensor = torch.from_numpy(array).reshape(shape)
        tensors[key] = tensor.view(torch.bfloat16) if torch_dtype == torch.bfloat16 else tensor
    return tensors, metadata


def save_file(tensors, path, metadata=None):
    with open(path, 'wb') as file:
        file.write(encode(tensors, metadata))


def load_file(path):
    """The tensors of a safetensors file; see `load_file_with_metadata` for its `__metadata__`."""
    return load_file_with_metadata(path)[0]


def load_file_with_metadata(path):
    with open(path, 'rb') as file:
        return decode(file.read())


def main():
    parser = argparse.ArgumentParser(description='List the tensors of a safetensors file.')
    parser.add_argument('path')
    args = parser.parse_args()
    tensors, metadata = load_file_with_metadata(args.path)
    if metadata:
        print(json.dumps(metadata, indent=2))
    for key, tensor in tensors.items():
        print(f'{key}\t{NAME_OF_TORCH_DTYPE[tensor.dtype]}\t{list(tensor.shape)}')


if __name__ == '__main__':
    main()
