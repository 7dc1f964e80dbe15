// Clips for 3-D networks: frames sampled as torch.linspace does, `preprocess kinetics` equal to
// torchvision 0.14's VideoClassification preset on the same uint8 frames (up to one uint8 level on a
// rare rounding tie), and the three ways a clip
// arrives (a folder of frames, an animated GIF or WebP, a video decoded by ffmpeg).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { analyze } from '../../../language/core/analysis';
import { preprocessClip, readClip, sampleFrames } from '../../../engine/runtime/clip';
import { PYTHON } from '../onnx/oracle';

const folder = mkdtempSync(join(tmpdir(), 'resnet-studio-clip-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const kinetics = analyze('network n {\n  input 3x16x112x112\n  preprocess kinetics\n  avgpool avgpool\n}\n').networks[0]!.preprocess!;
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

/** Frames with smooth gradients and noise (so resizing has something to round), as PNG files frame1.png … frameN.png. */
async function writeFrames(dir: string, count: number, width: number, height: number): Promise<Uint8Array[]> {
  mkdirSync(dir, { recursive: true });
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const frames: Uint8Array[] = [];
  for (let t = 0; t < count; t++) {
    const pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      const [x, y] = [i % width, Math.floor(i / width)];
      pixels[i * 3] = (x * 255) / width;
      pixels[i * 3 + 1] = (y * 255) / height;
      pixels[i * 3 + 2] = Math.min(255, t * 20 + random() * 60);
    }
    frames.push(pixels);
    // Numbered without padding: frame10 sorts after frame9 by number, not by character.
    await sharp(Buffer.from(pixels), { raw: { width, height, channels: 3 } }).png().toFile(join(dir, `frame${t + 1}.png`));
  }
  return frames;
}

test('frames are sampled as torch.linspace(0, total - 1, T).long()', () => {
  const cases = [[300, 16], [16, 16], [5, 16], [17, 4], [1, 3], [7, 1]] as const;
  const script = 'import json, sys, torch\nprint(json.dumps([torch.linspace(0, n - 1, t).long().tolist() for n, t in json.loads(sys.argv[1])]))';
  const expected = JSON.parse(execFileSync(PYTHON, ['-c', script, JSON.stringify(cases)], { encoding: 'utf8' })) as number[][];
  cases.forEach(([total, count], i) => assert.deepEqual(sampleFrames(total, count), expected[i], `${total} frames, ${count} sampled`));
});

test("preprocess kinetics equals torchvision's VideoClassification preset on a folder of frames", async () => {
  const dir = join(folder, 'frames');
  const frames = await writeFrames(dir, 12, 320, 240);
  const clip = await preprocessClip(dir, kinetics, [3, 12, 112, 112]);
  assert.deepEqual(clip.dims, [1, 3, 12, 112, 112]);
  assert.deepEqual(clip.clip, { source: 'folder', frames: 12, sampled: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] });
  const raw = join(folder, 'frames.u8');
  writeFileSync(raw, Buffer.concat(frames.map((f) => Buffer.from(f))));
  const out = join(folder, 'torch.f32');
  const script = [
    'import sys, numpy, torch',
    'from torchvision.transforms._presets import VideoClassification',
    'video = torch.from_numpy(numpy.fromfile(sys.argv[1], dtype=numpy.uint8)).reshape(12, 240, 320, 3).permute(0, 3, 1, 2)',
    'clip = VideoClassification(crop_size=(112, 112), resize_size=(128, 171))(video)',
    'clip.contiguous().numpy().astype(numpy.float32).tofile(sys.argv[2])',
  ].join('\n');
  execFileSync(PYTHON, ['-c', script, raw, out]);
  const reference = new Float32Array(readFileSync(out).buffer.slice(0));
  assert.equal(reference.length, clip.data.length);
  // torch's interpolate rounds its float32 sums a little differently from ours (about 1e-7 apart), which
  // moves a resized pixel that lands on k + 0.5 by one uint8 level: rare, and never more than one level.
  const level = 1 / 255 / Math.min(...kinetics.std) + 1e-6;
  let worst = 0;
  let differing = 0;
  for (let i = 0; i < reference.length; i++) {
    const difference = Math.abs(reference[i]! - clip.data[i]!);
    worst = Math.max(worst, difference);
    if (difference > 0) differing++;
  }
  assert.ok(worst <= level, `max |ours − torchvision| = ${worst}, more than one uint8 level`);
  assert.ok(differing / reference.length < 2e-3, `${differing} of ${reference.length} values differ`);
});

test('animated GIF and WebP, and a video through ffmpeg, give their frames; T frames are sampled evenly', { skip: !hasFfmpeg && 'ffmpeg is not on the PATH here' }, async () => {
  const dir = join(folder, 'source');
  const frames = await writeFrames(dir, 10, 64, 48);
  const encode = (file: string, ...codec: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', '-framerate', '10', '-i', join(dir, 'frame%d.png'), ...codec, join(folder, file)]);
  encode('clip.mkv', '-c:v', 'ffv1', '-pix_fmt', 'bgr0');
  encode('clip.webp', '-c:v', 'libwebp_anim', '-lossless', '1', '-loop', '0');
  const picked = sampleFrames(10, 4);
  for (const file of ['clip.mkv', 'clip.webp']) {
    const clip = await readClip(join(folder, file), 4);
    assert.equal(clip.total, 10, file);
    clip.frames.forEach((frame, i) => assert.deepEqual(Buffer.from(frame.pixels), Buffer.from(frames[picked[i]!]!), `${file} frame ${picked[i]}`));
  }
  // A GIF holds 256 colours: frames of two flat colours each come back exact, later frames being
  // stored as what changed (ffmpeg's GIF encoder) and composed again by the decoder.
  const flat = join(folder, 'flat');
  mkdirSync(flat);
  const colours: [number, number, number][] = [];
  for (let t = 0; t < 10; t++) {
    const left: [number, number, number] = [t * 25, 255 - t * 25, 90];
    const pixels = new Uint8Array(32 * 16 * 3).map((_, j) => (Math.floor(j / 3) % 32 < 16 ? left[j % 3]! : [200, 40, 40][j % 3]!));
    colours.push(left);
    await sharp(Buffer.from(pixels), { raw: { width: 32, height: 16, channels: 3 } }).png().toFile(join(flat, `f${t}.png`));
  }
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-framerate', '10', '-i', join(flat, 'f%d.png'), '-filter_complex', 'split[a][b];[a]palettegen[p];[b][p]paletteuse=dither=none', join(folder, 'clip.gif')]);
  const gif = await readClip(join(folder, 'clip.gif'), 4);
  assert.equal(gif.total, 10);
  gif.frames.forEach((frame, i) => {
    assert.deepEqual([...frame.pixels.subarray(0, 3)], colours[picked[i]!], `GIF frame ${picked[i]}, left`);
    assert.deepEqual([...frame.pixels.subarray(31 * 3, 32 * 3)], [200, 40, 40], `GIF frame ${picked[i]}, right`);
  });
});

test('what is not a clip, and a video without ffmpeg, are clear errors', async () => {
  const still = join(folder, 'still.png');
  await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).png().toFile(still);
  await assert.rejects(readClip(still, 4), /still\.png is a single image; a network with a C×T×H×W input takes a clip/);
  const empty = join(folder, 'empty');
  mkdirSync(empty);
  await assert.rejects(readClip(empty, 4), /holds no image files to read as frames/);
  await assert.rejects(readClip(join(folder, 'absent'), 4), /Clip not found/);
  const video = join(folder, 'clip.mp4');
  writeFileSync(video, 'not a video');
  const path = process.env.PATH;
  process.env.PATH = join(folder, 'no-programs-here');
  try {
    await assert.rejects(readClip(video, 4), /Reading a video needs ffprobe \(ffmpeg\) on the PATH, and it is not there: install ffmpeg, or give a folder of frames or an animated GIF or WebP/);
  } finally {
    process.env.PATH = path;
  }
  if (hasFfmpeg) await assert.rejects(readClip(video, 4), /clip\.mp4 is neither an image nor a video ffmpeg can read/);
});
