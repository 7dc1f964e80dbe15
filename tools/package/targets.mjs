// The VSIX targets: the platforms for which both native runtimes publish binaries. onnxruntime-node
// 1.30 ships bin/napi-v6/{linux/x64, linux/arm64, darwin/arm64, win32/x64, win32/arm64}; sharp 0.35
// ships @img/sharp-<platform>-<arch> (and @img/sharp-libvips-… outside Windows) for all of those.
// Not built: darwin-x64 (no onnxruntime-node binary for Intel macOS in 1.30), alpine-x64/arm64
// (onnxruntime-node's Linux binaries are linked against glibc), linux-armhf (neither has one).
export const TARGETS = {
  'linux-x64': { os: 'linux', cpu: 'x64', libc: 'glibc' },
  'linux-arm64': { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'win32-x64': { os: 'win32', cpu: 'x64' },
  'win32-arm64': { os: 'win32', cpu: 'arm64' },
};

/** The npm packages the bundles in dist/ leave to node_modules (tools/build.mjs keeps them external). */
export const RUNTIME_DEPENDENCIES = ['onnxruntime-node', 'sharp'];

/** Whether a lockfile entry's os/cpu/libc fields admit the target (absent fields admit every one). */
export function admits(entry, target) {
  const allows = (list, value) => !list || list.includes(value);
  return allows(entry.os, target.os) && allows(entry.cpu, target.cpu) && (!entry.libc || !target.libc || entry.libc.includes(target.libc));
}

/** Whether a lockfile entry is built for one platform only (it has os or cpu restrictions). */
export function isPlatformSpecific(entry) {
  return Boolean(entry.os || entry.cpu);
}
