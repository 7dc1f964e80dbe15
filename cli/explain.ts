// `infer --cam PATH` and `infer --profile`: where the network looked and where its time went. The
// maps and timings come from the worker (engine/runtime/cam.ts, profile.ts); this file writes the
// overlays as PNGs and prints the timings as text.
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { camOverlay } from '../engine/runtime/cam-overlay';
import { clipMapText, stageTimes, type ImageResult } from '../contracts/inference-result';
import type { CamMaps } from '../engine/runtime/cam';

import type { InferResult } from '../contracts/worker';
import type { OptionSpecs } from './args';

export const EXPLAIN_OPTIONS = {
  cam: { type: 'string', value: 'PATH', help: 'write the top-1 class map over the image as the network saw it (a clip: its middle frame): a PNG for one image, else (or when PATH is a folder) a folder of <image>.cam.png' },
  profile: { type: 'boolean', help: 'time each layer (a profiled session of its own, one warm-up run per image)' },
} satisfies OptionSpecs;

/**
 * Where the overlay of each image goes: PATH itself for one image, PATH/<image name>.cam.png for several
 * or when PATH is a folder; a message when PATH cannot take them. Checked before anything is loaded.
 */
export async function overlayPaths(target: string, images: readonly string[]): Promise<string[] | string> {
  const info = await stat(target).catch(() => undefined);
  if (images.length === 1 && !info?.isDirectory()) {
    const folder = await stat(dirname(resolve(target))).catch(() => undefined);
    return folder?.isDirectory() ? [target] : `--cam ${target}: ${dirname(target)} is not an existing folder`;
  }
  if (info && !info.isDirectory()) return `--cam ${target}: ${images.length} images need a folder for their overlays, and ${target} is a file`;
  const used = new Map<string, number>();
  return images.map((image) => {
    const name = basename(image);
    const n = used.get(name) ?? 0;
    used.set(name, n + 1);
    return join(target, `${n === 0 ? name : `${name}.${n}`}.cam.png`);
  });
}

/** Writes each image's top-1 overlay as a PNG to its path (a clip's over the frame its result shows); returns what was written where, or why a file could not be. */
export async function writeOverlays(paths: readonly string[], run: InferResult): Promise<{ path: string; cam: CamMaps }[] | string> {
  const { default: sharp } = await import('sharp');
  const written: { path: string; cam: CamMaps }[] = [];
  for (const [i, result] of run.results.entries()) {
    const map = result.cam?.maps[0];
    if (!map || !result.seen || !result.cam) continue;
    const overlay = camOverlay(map.values, result.cam.height, result.cam.width, result.seen);
    const path = paths[i]!;
    try {
      await mkdir(dirname(path), { recursive: true });
      await sharp(Buffer.from(overlay.pixels), { raw: { width: overlay.width, height: overlay.height, channels: 3 } }).png().toFile(path);
    } catch (error) {
      return `--cam: cannot write ${path}: ${(error as Error).message}`;
    }
    written.push({ path, cam: result.cam });
  }
  return written;
}

/** The line that says where an overlay went and what it shows. */
export function overlayLine({ path, cam }: { path: string; cam: CamMaps }): string {
  const frame = cam.clip ? ` ${clipMapText(cam.method, cam.clip.frame, cam.clip.frames)}` : '';
  return `class map (${cam.method === 'occlusion' ? 'occlusion' : 'CAM'})${frame} written to ${path}`;
}

const ms = (value: number) => `${value.toFixed(3)} ms`;

/** The timings of one image as text: per stage, then per layer, slowest first. */
export function profileLines(image: ImageResult): string[] {
  if (!image.profile) return [];
  const stages = stageTimes(image.profile);
  const layers = [...image.profile].filter((l) => !l.fusedInto).sort((a, b) => b.ms - a.ms);
  const fused = image.profile.filter((l) => l.fusedInto);
  const total = stages.reduce((sum, s) => sum + s.ms, 0) + (image.profileOtherMs ?? 0);
  return [
    `  profile (one measured run, ${ms(total)} in nodes): per stage ${stages.map((s) => `${s.name} ${ms(s.ms)}`).join(', ')}${image.profileOtherMs ? `, onnxruntime layout conversions ${ms(image.profileOtherMs)}` : ''}`,
    ...layers.map((l) => `    ${ms(l.ms).padStart(10)}  ${l.name}${fusedInto(fused, l.name)}`),
  ];
}

function fusedInto(fused: readonly { name: string; fusedInto?: string }[], name: string): string {
  const members = fused.filter((f) => f.fusedInto === name).map((f) => f.name);
  return members.length ? ` (with ${members.join(', ')}, fused into it)` : '';
}
