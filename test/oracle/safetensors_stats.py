"""Statistics of some tensors of a safetensors file, computed by torch (the details panel's oracle).

Reads the file's header itself (8-byte length, JSON) and views each tensor with torch.frombuffer:
    python3 safetensors_stats.py FILE KEY...  ->  JSON {key: {min, max, mean, std, nonFinite}}
std is torch.std (Bessel's correction) of the finite values.
"""
import json
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def main() -> None:
    path, keys = sys.argv[1], sys.argv[2:]
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    out = {}
    for key in keys:
        entry = header[key]
        begin, end = entry["data_offsets"]
        raw = bytearray(data[8 + length + begin : 8 + length + end])
        t = torch.frombuffer(raw, dtype=DTYPES[entry["dtype"]]).to(torch.float64)
        finite = t[torch.isfinite(t)]
        out[key] = {
            "min": finite.min().item(),
            "max": finite.max().item(),
            "mean": finite.mean().item(),
            "std": finite.std().item() if finite.numel() > 1 else 0.0,
            "nonFinite": int(t.numel() - finite.numel()),
        }
    print(json.dumps(out))


main()
