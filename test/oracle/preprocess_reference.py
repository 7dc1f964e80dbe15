#!/usr/bin/python3
"""Reference preprocessing from torchvision (0.14, on PIL images), the oracle for engine/runtime/preprocess.ts.

  preprocess_reference.py generate OUT_DIR
      Writes the test images (PNG, JPEG, GIF, WebP, BMP; deterministic content) and, per case, the uint8
      image torchvision's transforms produce before ToTensor (<case>.u8, HWC) and the float32 tensor
      (<case>.f32, CHW, little endian), plus PIL's bilinear resize alone on random sizes
      (resampleNN.in.u8 → resampleNN.out.u8), and OUT_DIR/manifest.json describing every case.
  preprocess_reference.py photo PATH [WIDTHxHEIGHT]
      Writes a deterministic photo-like JPEG, 4000x3000 unless a size is given (for the benchmark).
  preprocess_reference.py bench IMAGE OUT_DIR
      For each line read from stdin, runs PIL loading + torchvision's ImageNet transforms on IMAGE once
      and prints a JSON line of timings (wall and process CPU time), so a benchmark can interleave runs
      with its own; at end of input writes the last result (bench.u8, bench.f32) for a bit-exactness check.

Run with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14, Pillow 9.4).
"""
import json
import os
import struct
import sys
import time
import zlib

import numpy as np
import PIL
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T

IMAGENET = {
    "resize": 256,
    "centerCrop": [224, 224],
    "grayscale": False,
    "mean": [0.485, 0.456, 0.406],
    "std": [0.229, 0.224, 0.225],
}


def pil_loader(path):
    # torchvision.datasets.folder.pil_loader
    with open(path, "rb") as f:
        img = Image.open(f)
        return img.convert("RGB")


def high_byte_loader(path):
    # The documented deviation for 16-bit grayscale PNGs: PIL 9.4 opens them as mode "I" and
    # convert("RGB") clips to 255; preprocess.ts keeps the high byte instead.
    values = np.array(Image.open(path))
    return Image.fromarray((values >> 8).astype(np.uint8), "L").convert("RGB")


LOADERS = {"pil": pil_loader, "high-byte": high_byte_loader}


def transforms_for(spec, channels):
    steps = []
    if spec["grayscale"]:
        steps.append(T.Grayscale(num_output_channels=channels))
    if spec.get("resize") is not None:
        size = spec["resize"]
        steps.append(T.Resize(size if isinstance(size, int) else tuple(size), T.InterpolationMode.BILINEAR))
    if spec.get("centerCrop") is not None:
        steps.append(T.CenterCrop(tuple(spec["centerCrop"])))
    return T.Compose(steps)


def run_pipeline(image, spec, channels):
    seen = transforms_for(spec, channels)(image)
    tensor = T.ToTensor()(seen)
    if spec["mean"]:
        tensor = T.Normalize(spec["mean"], spec["std"])(tensor)
    pixels = np.array(seen, dtype=np.uint8)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    return pixels, tensor.numpy().astype("<f4")


# ---------------------------------------------------------------- test images


def pattern(width, height, seed):
    """Gradients, hard edges and noise: exercises every rounding path of the resampler."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    smooth = np.stack(
        [
            127 + 120 * np.sin(x / (width / 7 + 1) + y / (height / 3 + 1)),
            127 + 120 * np.cos(x / (width / 3 + 1) - y / (height / 5 + 1)),
            255 * (x + y) / max(width + height - 2, 1),
        ],
        -1,
    )
    edges = ((x // 7 + y // 5) % 2)[..., None] * 60 - 30
    noise = rng.normal(0, 25, (height, width, 3))
    return np.clip(np.round(smooth + edges + noise), 0, 255).astype(np.uint8)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png16(path, values):
    """PIL cannot write 16-bit RGB PNGs, so both 16-bit files are written by hand."""
    height, width = values.shape[:2]
    colour_type = 0 if values.ndim == 2 else 2
    raw = b"".join(b"\x00" + values[row].astype(">u2").tobytes() for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(raw)))
        f.write(png_chunk(b"IEND", b""))


def write_bmp(path, pixels, bits, palette=None, header=40, masks=None, top_down=False):
    """A BMP written byte by byte, for the variants PIL does not save. `pixels` is HxW palette indices
    (bits <= 8), HxW 16-bit values, or HxWx3 RGB; 32-bit pixels go through `masks` (red, green, blue,
    alpha; default BGRX), with the alpha byte set to a pattern the decoder must ignore."""
    height, width = pixels.shape[:2]
    stride = ((width * bits + 31) >> 5) * 4
    if bits <= 8:
        per_byte = 8 // bits
        padded = np.zeros((height, -(-width // per_byte) * per_byte), np.uint8)
        padded[:, :width] = pixels
        grouped = padded.reshape(height, -1, per_byte).astype(np.uint16)
        rows = sum(grouped[:, :, i] << (8 - bits * (i + 1)) for i in range(per_byte)).astype(np.uint8)
    elif bits == 16:
        rows = pixels.astype("<u2").view(np.uint8).reshape(height, -1)
    elif bits == 24:
        rows = pixels[:, :, ::-1].reshape(height, -1)
    else:
        r, g, b, a = masks or (0xFF0000, 0xFF00, 0xFF, 0)
        alpha = (np.arange(width * height, dtype=np.uint32).reshape(height, width) * 37) & 0xFF
        shift = lambda mask: (mask & -mask).bit_length() - 1 if mask else 0
        values = sum(pixels[:, :, i].astype(np.uint32) << shift(m) for i, m in enumerate((r, g, b)))
        free = 0xFFFFFFFF & ~(r | g | b)
        values |= (alpha << shift(a or (free & -free))) if (a or free) else 0
        rows = values.astype("<u4").view(np.uint8).reshape(height, -1)
    data = b"".join(bytes(row) + b"\0" * (stride - len(row)) for row in (rows if top_down else rows[::-1]))
    compression = 3 if masks is not None else 0
    if header == 12:
        info = struct.pack("<IHHHH", 12, width, height, 1, bits)
    else:
        info = struct.pack("<IiiHHIIiiII", header, width, -height if top_down else height, 1, bits, compression, len(data), 2835, 2835, 0 if palette is None else len(palette), 0)
        if masks is not None and header == 40:
            info += struct.pack("<III", *masks[:3])
        elif header > 40:
            info += struct.pack("<IIII", *(masks or (0, 0, 0, 0))) + b"\0" * (header - 56)
    entry = 3 if header == 12 else 4
    if header == 12 and palette is not None:
        palette = palette + [(0, 0, 0)] * ((1 << bits) - len(palette))  # OS/2 v1 has no colour count
    colours = b"".join(bytes([b, g, r, 0][:entry]) for r, g, b in (palette or []))
    offset = 14 + len(info) + len(colours)
    with open(path, "wb") as f:
        f.write(b"BM" + struct.pack("<IHHI", offset + len(data), 0, 0, offset) + info + colours + data)


def make_bmp_images(out, base, palette):
    """BMP variants: PIL's own writer (24-bit, 8-bit palette and grey, 1-bit, 32-bit), and by hand
    the ones it does not write. Returns the file names."""
    made = []

    def save(name, image):
        image.save(os.path.join(out, name))
        made.append(name)

    def write(name, pixels, bits, **options):
        write_bmp(os.path.join(out, name), pixels, bits, **options)
        made.append(name)

    small = base[:9, :17]
    save("bmp_rgb_320x240.bmp", Image.fromarray(base))
    save("bmp_rgb_17x9.bmp", Image.fromarray(small))
    save("bmp_palette_320x240.bmp", palette)
    save("bmp_gray_17x9.bmp", Image.fromarray(small[:, :, 0], "L"))
    save("bmp_bilevel_17x9.bmp", Image.fromarray(small[:, :, 2] > 127))
    save("bmp_rgba_17x9.bmp", Image.fromarray(np.concatenate([small, small[:, :, :1]], -1), "RGBA"))
    rng = np.random.default_rng(7)
    colours = [tuple(int(v) for v in rng.integers(0, 256, 3)) for _ in range(16)]
    indices = rng.integers(0, 16, (9, 17)).astype(np.uint8)
    write("bmp_top_down_17x9.bmp", small, 24, top_down=True)
    write("bmp_4bit_17x9.bmp", indices, 4, palette=colours)
    write("bmp_1bit_colour_17x9.bmp", indices & 1, 1, palette=colours[:2])
    write("bmp_short_palette_17x9.bmp", rng.integers(0, 256, (9, 17)).astype(np.uint8), 8, palette=colours[:4])
    write("bmp_os2_8bit_17x9.bmp", indices, 8, palette=colours, header=12)
    write("bmp_os2_24bit_17x9.bmp", small, 24, header=12)
    write("bmp_bgrx_17x9.bmp", small, 32)
    write("bmp_bitfields_rgba_v5_17x9.bmp", small, 32, header=124, masks=(0xFF, 0xFF00, 0xFF0000, 0xFF000000))
    write("bmp_bitfields_xbgr_17x9.bmp", small, 32, masks=(0xFF000000, 0xFF0000, 0xFF00, 0))
    every16 = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    write("bmp_555_256x256.bmp", every16, 16)
    write("bmp_565_256x256.bmp", every16, 16, masks=(0xF800, 0x7E0, 0x1F, 0))
    return made


def make_images(out):
    made = {}

    def save(name, image, **options):
        path = os.path.join(out, name)
        image.save(path, **options)
        made[name] = path

    for width, height in [(320, 240), (17, 9), (9, 17), (1, 1), (1000, 750)]:
        rgb = Image.fromarray(pattern(width, height, width * 7 + height))
        save(f"rgb_{width}x{height}.png", rgb)
        save(f"rgb_{width}x{height}.jpg", rgb, quality=90)

    base = pattern(320, 240, 11)
    gray = Image.fromarray(base[:, :, 0], "L")
    save("gray_320x240.png", gray)
    save("gray_320x240.jpg", gray, quality=90)
    alpha = np.linspace(0, 255, 320 * 240).reshape(240, 320, 1).astype(np.uint8)
    save("rgba_320x240.png", Image.fromarray(np.concatenate([base, alpha], -1), "RGBA"))
    save("la_17x9.png", Image.fromarray(np.stack([base[:9, :17, 1], alpha[:9, :17, 0]], -1), "LA"))
    save("bilevel_17x9.png", Image.fromarray(base[:9, :17, 2] > 127))
    palette = Image.fromarray(base).quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    save("palette_320x240.png", palette)
    save("palette_trns_320x240.png", palette, transparency=5)

    rng = np.random.default_rng(16)
    sixteen = (base.astype(np.uint16) << 8) | rng.integers(0, 256, base.shape, dtype=np.uint16)
    for name, values in [("rgb16_320x240.png", sixteen), ("gray16_320x240.png", sixteen[:, :, 1])]:
        write_png16(os.path.join(out, name), values)
        made[name] = os.path.join(out, name)

    cmyk = np.concatenate([255 - base, base[:, :, :1] // 3], -1)
    save("cmyk_320x240.jpg", Image.fromarray(cmyk, "CMYK"), quality=92)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    save("exif_rotated_320x240.jpg", Image.fromarray(base), quality=90, exif=exif.tobytes())

    frames = [Image.fromarray(pattern(64, 48, seed)) for seed in (21, 22, 23)]
    gif_frames = [frame.quantize(colors=200, method=Image.Quantize.MEDIANCUT) for frame in frames]
    gif_path = os.path.join(out, "animated_64x48.gif")
    gif_frames[0].save(gif_path, save_all=True, append_images=gif_frames[1:], duration=80, loop=0)
    made["animated_64x48.gif"] = gif_path
    transparent = gif_frames[0].copy()
    save("transparent_64x48.gif", transparent, transparency=7)
    save("lossy_320x240.webp", Image.fromarray(base), quality=80)
    webp_path = os.path.join(out, "animated_64x48.webp")
    frames[0].save(webp_path, save_all=True, append_images=frames[1:], duration=80, loop=0, lossless=True)
    made["animated_64x48.webp"] = webp_path
    for name in make_bmp_images(out, base, palette):
        made[name] = os.path.join(out, name)
    return made


def spec(**changes):
    result = dict(IMAGENET)
    result.update(changes)
    return result


def cases(paths):
    imagenet_input = [3, 224, 224]
    listed = []

    def add(name, image, case_spec=None, input=None, loader="pil", note=None):
        listed.append(
            {
                "name": name,
                "image": image,
                "spec": case_spec or IMAGENET,
                "input": input or imagenet_input,
                "loader": loader,
                "note": note,
            }
        )

    for size in ["320x240", "17x9", "9x17", "1x1", "1000x750"]:
        for ext in ["png", "jpg"]:
            add(f"imagenet rgb {size} {ext}", f"rgb_{size}.{ext}")
    for image in [
        "gray_320x240.png",
        "gray_320x240.jpg",
        "rgba_320x240.png",
        "la_17x9.png",
        "bilevel_17x9.png",
        "palette_320x240.png",
        "palette_trns_320x240.png",
        "rgb16_320x240.png",
        "cmyk_320x240.jpg",
        "animated_64x48.gif",
        "animated_64x48.webp",
        "transparent_64x48.gif",
        "lossy_320x240.webp",
        "bmp_rgb_320x240.bmp",
        "bmp_palette_320x240.bmp",
    ]:
        add(f"imagenet {image}", image)
    # Each BMP decoded exactly: a center crop to its own size changes nothing.
    for image in sorted(name for name in paths if name.endswith(".bmp")):
        with Image.open(paths[image]) as opened:
            width, height = opened.size
        add(f"decode {image}", image, spec(resize=None, centerCrop=[height, width]), [3, height, width])
    add("imagenet exif orientation 6 (not applied)", "exif_rotated_320x240.jpg", note="stored orientation")
    add("imagenet gray16 (high byte)", "gray16_320x240.png", loader="high-byte", note="documented deviation")

    fashion = spec(grayscale=True, resize=32, centerCrop=[28, 28], mean=[0.286], std=[0.353])
    add("grayscale to 1 channel", "rgb_320x240.png", fashion, [1, 28, 28])
    add("grayscale to 1 channel, gray file", "gray_320x240.png", fashion, [1, 28, 28])
    add("grayscale to 3 channels", "rgb_320x240.png", spec(grayscale=True), imagenet_input)
    add("grayscale to 3 channels jpg", "rgb_1000x750.jpg", spec(grayscale=True), imagenet_input)
    add("resize exact [100, 37]", "rgb_320x240.png", spec(resize=[100, 37], centerCrop=None), [3, 100, 37])
    add("resize exact upscale [5, 3] from 1x1", "rgb_1x1.png", spec(resize=[5, 3], centerCrop=None), [3, 5, 3])
    add("resize 5 crop [3, 4]", "rgb_17x9.png", spec(resize=5, centerCrop=[3, 4]), [3, 3, 4])
    add("resize 5 crop larger one side [7, 4]", "rgb_17x9.png", spec(resize=5, centerCrop=[7, 4]), [3, 7, 4])
    add("resize 5 crop larger [6, 12]", "rgb_17x9.png", spec(resize=5, centerCrop=[6, 12]), [3, 6, 12])
    add("resize 256 crop odd [223, 227]", "rgb_320x240.png", spec(centerCrop=[223, 227]), [3, 223, 227])
    add("resize 256 crop odd [223, 227] jpg", "rgb_1000x750.jpg", spec(centerCrop=[223, 227]), [3, 223, 227])
    add("resize 7 portrait", "rgb_9x17.png", spec(resize=7, centerCrop=None), [3, 13, 7])
    add("resize 300 no crop", "rgb_1000x750.png", spec(centerCrop=None, resize=300), [3, 300, 400])
    add("resize equal size is identity", "rgb_320x240.png", spec(resize=240, centerCrop=None), [3, 240, 320])
    add("resize upscale 700", "rgb_320x240.png", spec(resize=700, centerCrop=None), [3, 700, 933])
    add("crop only 224", "rgb_1000x750.png", spec(resize=None), imagenet_input)
    add("crop odd offsets [239, 317]", "rgb_320x240.png", spec(resize=None, centerCrop=[239, 317]), [3, 239, 317])
    add("crop larger pads [245, 325]", "rgb_320x240.png", spec(resize=None, centerCrop=[245, 325]), [3, 245, 325])
    add("crop larger one side [300, 200]", "rgb_320x240.png", spec(resize=None, centerCrop=[300, 200]), [3, 300, 200])
    add("crop larger than 1x1", "rgb_1x1.png", spec(resize=None, centerCrop=[4, 5]), [3, 4, 5])
    add("mean and std of length 1", "rgb_320x240.png", spec(mean=[0.5], std=[0.25]), imagenet_input)
    add("no normalize", "rgb_320x240.jpg", spec(mean=[], std=[]), imagenet_input)
    return listed


def resample_cases(out):
    """PIL's bilinear resize alone on random sizes: downscale, upscale, one axis, extreme ratios, 1 and 3 channels."""
    rng = np.random.default_rng(2024)
    sizes = [((1600, 1000), (500, 300)), ((300, 1), (1, 1)), ((1, 300), (7, 2)), ((2, 2), (300, 1)), ((5, 3), (5, 11))]
    for _ in range(70):
        width, height = (int(v) for v in rng.integers(1, 260, 2))
        out_width, out_height = (int(v) for v in rng.integers(1, 330, 2))
        choice = rng.integers(0, 4)
        if choice == 0:
            out_width = width
        elif choice == 1:
            out_height = height
        sizes.append(((width, height), (out_width, out_height)))
    listed = []
    for index, ((width, height), (out_width, out_height)) in enumerate(sizes):
        channels = 3 if index % 3 else 1
        pixels = pattern(width, height, 500 + index)
        image = Image.fromarray(pixels) if channels == 3 else Image.fromarray(pixels[:, :, 1], "L")
        resized = np.array(image.resize((out_width, out_height), Image.BILINEAR), dtype=np.uint8)
        stem = f"resample{index:02d}"
        np.array(image, dtype=np.uint8).tofile(os.path.join(out, stem + ".in.u8"))
        resized.tofile(os.path.join(out, stem + ".out.u8"))
        listed.append(
            {
                "input": stem + ".in.u8",
                "output": stem + ".out.u8",
                "width": width,
                "height": height,
                "channels": channels,
                "outWidth": out_width,
                "outHeight": out_height,
            }
        )
    return listed


def generate(out):
    os.makedirs(out, exist_ok=True)
    paths = make_images(out)
    manifest = {
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__, "pillow": PIL.__version__},
        "cases": [],
    }
    for index, case in enumerate(cases(paths)):
        path = paths[case["image"]]
        loaded = LOADERS[case["loader"]](path)
        pixels, tensor = run_pipeline(loaded, case["spec"], case["input"][0])
        stem = f"case{index:02d}"
        pixels.tofile(os.path.join(out, stem + ".u8"))
        tensor.tofile(os.path.join(out, stem + ".f32"))
        with Image.open(path) as original:
            size = list(original.size)
        manifest["cases"].append(
            {
                **case,
                "path": path,
                "format": os.path.splitext(path)[1][1:],
                # Lossy formats are decoded by different library builds (JPEG: sharp's mozjpeg and
                # Debian's libjpeg-turbo), so they are compared within 1/255.
                "lossy": path.endswith(".jpg") or "lossy" in os.path.basename(path),
                "original": size,
                "seen": stem + ".u8",
                "seenShape": list(pixels.shape),
                "tensor": stem + ".f32",
                "dims": [1, *tensor.shape],
            }
        )
    manifest["resamples"] = resample_cases(out)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def photo(path, size="4000x3000"):
    width, height = (int(v) for v in size.split("x"))
    rng = np.random.default_rng(12)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.stack(
        [
            128 + 100 * np.sin(x / 97 + y / 53),
            128 + 90 * np.cos(x / 31 - y / 77),
            128 + 60 * np.sin((x + y) / 211),
        ],
        -1,
    ) + rng.normal(0, 12, (height, width, 3)).astype(np.float32)
    Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(path, quality=90)


def bench(image_path, out):
    torch.set_num_threads(1)
    resize_crop = T.Compose([T.Resize(256), T.CenterCrop(224)])
    to_tensor = T.Compose([T.ToTensor(), T.Normalize(IMAGENET["mean"], IMAGENET["std"])])
    seen = tensor = None
    for _ in sys.stdin:
        wall, cpu = time.perf_counter(), time.process_time()
        image = pil_loader(image_path)
        decoded_wall = time.perf_counter()
        seen = resize_crop(image)
        tensor = to_tensor(seen)
        timings = {
            "totalMs": (time.perf_counter() - wall) * 1e3,
            "decodeMs": (decoded_wall - wall) * 1e3,
            "cpuMs": (time.process_time() - cpu) * 1e3,
        }
        print(json.dumps(timings), flush=True)
    if seen is not None:
        os.makedirs(out, exist_ok=True)
        np.array(seen, dtype=np.uint8).tofile(os.path.join(out, "bench.u8"))
        tensor.numpy().astype("<f4").tofile(os.path.join(out, "bench.f32"))


def main(argv):
    if len(argv) == 2 and argv[0] == "generate":
        generate(argv[1])
    elif len(argv) in (2, 3) and argv[0] == "photo":
        photo(*argv[1:])
    elif len(argv) == 3 and argv[0] == "bench":
        bench(argv[1], argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
