// Execution provider (EP) choice and reporting. Pure: no onnxruntime import, so the CLI and the
// extension can validate choices and print reports without loading native code.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const EP_CHOICES = ['auto', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu', 'cpu'] as const;
export type EpChoice = (typeof EP_CHOICES)[number];
export type EpName = Exclude<EpChoice, 'auto'>;

export function isEpChoice(value: string): value is EpChoice {
  return (EP_CHOICES as readonly string[]).includes(value);
}

/** One try at creating a session on an EP. */
export interface EpAttempt {
  ep: EpName;
  ok: boolean;
  /** Why it failed, shortened to the sentence that matters. */
  error?: string;
  ms: number;
}

export interface EpReport {
  requested: EpChoice;
  /** The EP the session was created for. */
  selected: EpName;
  /** Nodes per EP as seen in the session profile, e.g. { webgpu: 60, cpu: 2 }. */
  nodesByEp: Record<string, number>;
  /** What actually ran, from the profile: 'webgpu', or 'webgpu+cpu' when nodes were split. */
  ran: string;
  attempts: EpAttempt[];
}

/** ORT's provider names in profiles, mapped to our EP names. */
const PROFILE_NAMES: Record<string, EpName> = {
  CPUExecutionProvider: 'cpu',
  CUDAExecutionProvider: 'cuda',
  TensorrtExecutionProvider: 'tensorrt',
  DmlExecutionProvider: 'dml',
  CoreMLExecutionProvider: 'coreml',
  WebGpuExecutionProvider: 'webgpu',
};

/** The folder that holds onnxruntime-node's native binaries for this platform. */
export function ortBinaryFolder(packageFolder: string, platform = process.platform, arch = process.arch): string {
  return join(packageFolder, 'bin', 'napi-v6', platform, arch);
}

/** CUDA needs provider libraries that onnxruntime-node downloads in an install script (often skipped). */
export function cudaProvidersPresent(binaryFolder: string, platform = process.platform): boolean {
  const library = platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(join(binaryFolder, library));
}

/**
 * Whether Linux exposes a GPU device node (DRM render node, NVIDIA, or WSL's /dev/dxg). Without one,
 * Vulkan can only be a software driver such as lavapipe, on which WebGPU is far slower than the CPU EP.
 */
export function linuxGpuDevicePresent(): boolean {
  try {
    if (readdirSync('/dev/dri').some((entry) => entry.startsWith('renderD'))) return true;
  } catch {
    // No /dev/dri at all.
  }
  return existsSync('/dev/nvidia0') || existsSync('/dev/dxg');
}

export interface PlatformFacts {
  platform: NodeJS.Platform;
  /** onnxruntime-node's CUDA provider libraries are installed. */
  cudaPresent: boolean;
  /** Linux only: a GPU device node exists (see linuxGpuDevicePresent). */
  gpuDevicePresent: boolean;
}

/**
 * The EPs to try, in order, for a choice, and those `auto` skips without trying. `auto` tries the
 * platform's GPU EPs one at a time, then cpu; an explicit choice is tried as asked.
 */
export function candidateEps(choice: EpChoice, facts: PlatformFacts): { eps: EpName[]; skipped: EpAttempt[] } {
  if (choice !== 'auto') return { eps: [choice], skipped: [] };
  const { platform, cudaPresent, gpuDevicePresent } = facts;
  const eps: EpName[] = [];
  const skipped: EpAttempt[] = [];
  if (cudaPresent && (platform === 'linux' || platform === 'win32')) eps.push('cuda');
  if (platform === 'win32') eps.push('dml');
  if (platform === 'darwin') eps.push('coreml');
  if (platform !== 'linux' || gpuDevicePresent) {
    eps.push('webgpu');
  } else {
    skipped.push({
      ep: 'webgpu',
      ok: false,
      ms: 0,
      error: 'skipped: no GPU device (/dev/dri/renderD*, /dev/nvidia0, /dev/dxg), so Vulkan could only run in software; --ep webgpu forces it',
    });
  }
  eps.push('cpu');
  return { eps, skipped };
}

/**
 * onnxruntime-node's own installer of its CUDA provider libraries (script/install.js, which reads
 * ONNXRUNTIME_NODE_INSTALL; install-metadata.js has them for Linux x64 only), run in its package folder.
 */
export function cudaInstallCommand(packageFolder: string): string {
  const folder = /^[\w./-]+$/.test(packageFolder) ? packageFolder : `'${packageFolder.replace(/'/g, `'\\''`)}'`;
  return `(cd ${folder} && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js)`;
}

/** What to do when an explicitly requested EP cannot start; `packageFolder` is onnxruntime-node's. */
export function installHint(ep: EpName, packageFolder: string, platform = process.platform, arch = process.arch): string {
  switch (ep) {
    case 'cuda':
      return platform === 'linux' && arch === 'x64'
        ? 'CUDA needs an NVIDIA GPU, CUDA 12 and cuDNN 9 on the library path, and onnxruntime-node\'s CUDA provider ' +
            `libraries, which its own installer downloads: \`${cudaInstallCommand(packageFolder)}\``
        : `onnxruntime-node has CUDA provider libraries for Linux x64 only, not for ${platform} ${arch}`;
    case 'tensorrt':
      return 'TensorRT needs the CUDA provider libraries (see --ep cuda) plus TensorRT 10 on the library path';
    case 'dml':
      return 'DirectML runs only on Windows 10 or later with a DirectX 12 GPU';
    case 'coreml':
      return 'CoreML runs only on macOS';
    case 'webgpu':
      return (
        'WebGPU needs a Vulkan (Linux), Metal (macOS) or DirectX 12 (Windows) GPU driver; without a GPU, ' +
        'Mesa ≥ 25 lavapipe works: run tools/setup-lavapipe.sh and export the variables it prints'
      );
    case 'cpu':
      return 'the CPU EP is built into onnxruntime-node; this failure is a bug or a broken installation';
  }
}

/** ORT errors carry source paths and stack context; keep the sentence that explains the failure. */
export function shortenEpError(message: string): string {
  const missingBackend = /\[(\w+)\] backend not found/.exec(message);
  if (missingBackend) return `onnxruntime-node has no ${missingBackend[1]} backend on ${process.platform}`;
  const patterns = [
    /Failed to get a WebGPU adapter[^\n]*/,
    /Failed to load shared library[^\n]*/,
    /Failed to load library[^\n]*?with error: [^\n]*/,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(message);
    if (match) return match[0].trim();
  }
  const firstLine = message.split('\n')[0]!.trim();
  return firstLine.length > 300 ? `${firstLine.slice(0, 300)}…` : firstLine;
}

/** Counts the kernel events of an ORT profile (Chrome trace JSON) per EP. */
export function nodesByEpFromProfile(profile: unknown): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!Array.isArray(profile)) return counts;
  for (const event of profile) {
    if (typeof event !== 'object' || event === null) continue;
    const { cat, name, args } = event as { cat?: unknown; name?: unknown; args?: { provider?: unknown } };
    if (cat !== 'Node' || typeof name !== 'string' || !name.endsWith('_kernel_time')) continue;
    const provider = typeof args?.provider === 'string' ? args.provider : 'unknown';
    const ep = PROFILE_NAMES[provider] ?? provider;
    counts[ep] = (counts[ep] ?? 0) + 1;
  }
  return counts;
}

/** 'webgpu' when one EP ran everything, else the EPs by descending node count joined with '+'. */
export function ranFromCounts(counts: Record<string, number>): string {
  const eps = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return eps.length === 0 ? 'unknown' : eps.map(([ep]) => ep).join('+');
}

export function formatEpReport(report: EpReport): string[] {
  const total = Object.values(report.nodesByEp).reduce((a, b) => a + b, 0);
  const split = Object.entries(report.nodesByEp)
    .sort((a, b) => b[1] - a[1])
    .map(([ep, count]) => `${ep} ${count}`)
    .join(', ');
  // No node ran when no image could be read: the session was created for `selected` all the same.
  const ran = total === 0 ? `${report.selected} (requested ${report.requested}; no image ran)` : `${report.ran} (requested ${report.requested}; ${total} nodes: ${split})`;
  const lines = [`ep: ${ran}`];
  for (const attempt of report.attempts) {
    if (attempt.ok) continue;
    const error = attempt.error ?? 'failed';
    lines.push(error.startsWith('skipped: ') ? `  skipped ${attempt.ep}: ${error.slice(9)}` : `  tried ${attempt.ep}: ${error}`);
  }
  return lines;
}
