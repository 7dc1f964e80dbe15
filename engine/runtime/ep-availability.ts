// Which execution providers this machine can run, for the picker: from the same facts the worker's
// `auto` choice uses (engine/runtime/providers.ts), without loading onnxruntime. "Can run" is what can be
// known without starting one: a provider marked runnable may still fail to start (a driver too old).
import { candidateEps, type EpChoice, type PlatformFacts } from './providers';

export interface EpAvailability {
  runs: boolean;
  /** Why, in a few words. */
  why: string;
}

export function epAvailability(ep: EpChoice, facts: PlatformFacts): EpAvailability {
  const { platform, cudaPresent, gpuDevicePresent } = facts;
  const cudaPlatform = platform === 'linux' || platform === 'win32';
  switch (ep) {
    case 'auto':
      return { runs: true, why: `tries ${candidateEps('auto', facts).eps.join(', then ')}` };
    case 'cpu':
      return { runs: true, why: 'built into onnxruntime' };
    case 'cuda':
    case 'tensorrt': {
      if (!cudaPlatform) return { runs: false, why: `no CUDA build of onnxruntime-node for ${platform}` };
      if (!cudaPresent) return { runs: false, why: "onnxruntime-node's CUDA provider libraries are not installed" };
      if (platform === 'linux' && !gpuDevicePresent) return { runs: false, why: 'no GPU device on this machine' };
      return { runs: true, why: ep === 'cuda' ? 'CUDA provider libraries installed' : 'CUDA provider libraries installed; also needs TensorRT 10 on the library path' };
    }
    case 'dml':
      return platform === 'win32' ? { runs: true, why: 'Windows with DirectX 12' } : { runs: false, why: 'Windows only' };
    case 'coreml':
      return platform === 'darwin' ? { runs: true, why: 'macOS' } : { runs: false, why: 'macOS only' };
    case 'webgpu':
      return platform !== 'linux' || gpuDevicePresent
        ? { runs: true, why: 'a GPU device is present' }
        : { runs: false, why: 'no GPU device: only a software Vulkan driver (lavapipe) could run it, slower than the CPU' };
  }
}
