// A clip for a 3-D network (input C×T×H×W): T frames sampled evenly from a folder of frames (sorted
// by name, numbers in names compared as numbers), an animated GIF or WebP (sharp reads every page),
// or a video file that ffmpeg decodes (spawned, when it is on the PATH). Each frame then goes through
// the network's preprocessing as one image; the frames stack along T.
import { spawn } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { formatShape } from '../../language/core/format';
import { shownFrame, type ClipInfo } from '../../contracts/worker';
import { decodeImageFile, ImageDecodeError, MAX_INPUT_PIXELS, type DecodedImage } from './decode';
import { hasImageExtension } from './image-formats';
import { preprocessPixels, PreprocessError, type PreprocessedImage, type PreprocessOptions } from './preprocess';

/** How long ffmpeg may take to read one video. */
const FFMPEG_TIMEOUT_MS = 300_000;
const ANIMATED = new Set(['.gif', '.webp']);

export class ClipError extends Error {
  override name = 'ClipError';
}

/** The frames to take from `total`, as torch.linspace(0, total − 1, count).long(): first and last included, repeats when there are fewer. */
export function sampleFrames(total: number, count: number): number[] {
  if (count === 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.floor((i * (total - 1)) / (count - 1)));
}

const byName = new Intl.Collator('en', { numeric: true }).compare;

export interface Clip {
  /** The sampled frames, decoded (RGB or gray, as stored), in order. */
  frames: DecodedImage[];
  /** Frames in the source. */
  total: number;
  source: ClipInfo['source'];
}

/** The sampled frames of a clip. */
export async function readClip(path: string, count: number): Promise<Clip> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ClipError(code === 'ENOENT' ? `Clip not found: ${path}` : `Cannot read the clip ${path}: ${(error as Error).message}`);
  }
  if (info.isDirectory()) return readFrameFolder(path, count);
  const dot = path.lastIndexOf('.');
  const extension = dot >= 0 ? path.slice(dot).toLowerCase() : '';
  if (ANIMATED.has(extension)) return readAnimated(path, count);
  if (hasImageExtension(path)) {
    throw new ClipError(`${path} is a single image; a network with a C×T×H×W input takes a clip: a folder of frames, an animated GIF or WebP, or a video file`);
  }
  return readVideo(path, count);
}

async function readFrameFolder(folder: string, count: number): Promise<Clip> {
  const names = (await readdir(folder, { withFileTypes: true })).filter((e) => e.isFile() && hasImageExtension(e.name)).map((e) => e.name).sort(byName);
  if (names.length === 0) throw new ClipError(`${folder} holds no image files to read as frames`);
  const frames = [];
  for (const index of sampleFrames(names.length, count)) frames.push(await decodeImageFile(join(folder, names[index]!)));
  return { frames, total: names.length, source: 'folder' };
}

async function readAnimated(path: string, count: number): Promise<Clip> {
  const bytes = await readFile(path);
  try {
    const options = { animated: true, failOn: 'error' as const, limitInputPixels: MAX_INPUT_PIXELS };
    const { pages = 1, pageHeight } = await sharp(bytes, options).metadata();
    const { data, info } = await sharp(bytes, options).toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const height = pageHeight ?? info.height;
    if (pages < 2) throw new ClipError(`${path} has one frame; a network with a C×T×H×W input takes a clip of several`);
    const frameBytes = info.width * height * 3;
    const frames = sampleFrames(pages, count).map((page): DecodedImage => ({ width: info.width, height, channels: 3, pixels: new Uint8Array(data.subarray(page * frameBytes, (page + 1) * frameBytes)) }));
    return { frames, total: pages, source: 'animation' };
  } catch (error) {
    if (error instanceof ClipError) throw error;
    throw new ClipError(`Cannot decode the animation ${path}: ${(error as Error).message}`);
  }
}

/** Runs ffmpeg or ffprobe; a missing program is a ClipError that says what else works. */
function run(program: 'ffmpeg' | 'ffprobe', args: string[], onData?: (chunk: Buffer) => void): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Our own timer, cleared however the child ends: spawn's `timeout` outlives a program that never started.
    const timer = setTimeout(() => child.kill('SIGTERM'), FFMPEG_TIMEOUT_MS);
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (onData ? onData(chunk) : out.push(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new ClipError(
          error.code === 'ENOENT'
            ? `Reading a video needs ${program} (ffmpeg) on the PATH, and it is not there: install ffmpeg, or give a folder of frames or an animated GIF or WebP`
            : `${program} failed: ${error.message}`,
        ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(Buffer.concat(out).toString());
      else reject(new ClipError(signal ? `${program} was stopped (${signal})` : stderr.trim().split('\n').slice(-3).join('; ') || `${program} exited with code ${code}`));
    });
  });
}

async function readVideo(path: string, count: number): Promise<Clip> {
  let probe: { streams?: { width?: number; height?: number; nb_read_frames?: string }[] };
  try {
    probe = JSON.parse(await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=width,height,nb_read_frames', '-of', 'json', path]));
  } catch (error) {
    if (error instanceof ClipError && error.message.includes('on the PATH')) throw error;
    throw new ClipError(`${path} is neither an image nor a video ffmpeg can read: ${(error as Error).message}`);
  }
  const stream = probe.streams?.[0];
  const total = Number(stream?.nb_read_frames);
  const { width, height } = stream ?? {};
  if (!width || !height || !(total > 0)) throw new ClipError(`${path} has no video frames ffmpeg can read`);
  if (width * height > MAX_INPUT_PIXELS) throw new ClipError(`${path} has ${width}x${height} frames, over the ${MAX_INPUT_PIXELS / 1e6} MP limit`);
  const wanted = sampleFrames(total, count);
  const keep = new Set(wanted);
  const frameBytes = width * height * 3;
  const kept = new Map<number, Uint8Array>();
  let buffer = Buffer.alloc(0);
  let index = 0;
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= frameBytes) {
      if (keep.has(index)) kept.set(index, new Uint8Array(buffer.subarray(0, frameBytes)));
      buffer = buffer.subarray(frameBytes);
      index++;
    }
  });
  // A frame the decoder did not deliver (a count that overstated) is the last one that came.
  const last = Math.max(...kept.keys());
  if (kept.size === 0) throw new ClipError(`ffmpeg gave no frames of ${path}`);
  const frames = wanted.map((i): DecodedImage => ({ width, height, channels: 3, pixels: kept.get(i) ?? kept.get(last)! }));
  return { frames, total, source: 'video' };
}

export interface PreprocessedClip extends Omit<PreprocessedImage, 'dims'> {
  dims: number[];
  clip: ClipInfo;
}

/** A clip as the network's [1, C, T, H, W] input; `seen` is the middle frame as the network saw it. */
export async function preprocessClip(path: string, spec: PreprocessOptions, input: readonly number[]): Promise<PreprocessedClip> {
  if (input.length !== 4) throw new PreprocessError(`A clip feeds a C×T×H×W input, not ${formatShape(input)}`);
  const [channels, count, height, width] = input as [number, number, number, number];
  const started = performance.now();
  let clip;
  try {
    clip = await readClip(path, count);
  } catch (error) {
    if (error instanceof ImageDecodeError) throw new ClipError(error.message);
    throw error;
  }
  const decoded = performance.now();
  const plane = height * width;
  const data = new Float32Array(channels * count * plane);
  let seen: PreprocessedImage['seen'] | undefined;
  clip.frames.forEach((frame, t) => {
    const one = preprocessPixels(frame, spec, [channels, height, width]);
    for (let c = 0; c < channels; c++) data.set(one.data.subarray(c * plane, (c + 1) * plane), (c * count + t) * plane);
    if (t === shownFrame(count)) seen = one.seen;
  });
  const first = clip.frames[0]!;
  return {
    data,
    dims: [1, channels, count, height, width],
    seen: seen!,
    original: { width: first.width, height: first.height },
    clip: { source: clip.source, frames: clip.total, sampled: sampleFrames(clip.total, count) },
    timings: { decodeMs: decoded - started, preprocessMs: performance.now() - decoded },
  };
}
