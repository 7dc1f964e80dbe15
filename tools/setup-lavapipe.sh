#!/usr/bin/env bash
# Installs Mesa's lavapipe (Vulkan on the CPU) from bookworm-backports into a cache folder, so that
# onnxruntime's WebGPU EP (Dawn over Vulkan) runs on machines without a GPU. Debian 12's own Mesa 22
# lavapipe is rejected by Dawn; backports' Mesa >= 25 is accepted.
#
# Nothing is installed system-wide: apt runs with a private sources list and state in the cache,
# packages are fetched with `apt-get download` and unpacked with `dpkg -x`. Idempotent: a second run
# with everything in place only prints the environment.
#
#   tools/setup-lavapipe.sh            # prints: export VK_ICD_FILENAMES=… LD_LIBRARY_PATH=…
#   eval "$(tools/setup-lavapipe.sh)"  # sets them in the current shell
#
# RESNET_STUDIO_LAVAPIPE_DIR overrides the cache folder (default ~/.cache/resnet-studio/lavapipe).
set -euo pipefail

CACHE="${RESNET_STUDIO_LAVAPIPE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/resnet-studio/lavapipe}"
ROOT="$CACHE/root"
ICD="$CACHE/lvp_icd.json"
ARCH="$(dpkg --print-architecture)"
case "$ARCH" in
  amd64) TRIPLET=x86_64-linux-gnu ;;
  arm64) TRIPLET=aarch64-linux-gnu ;;
  *) echo "setup-lavapipe: unsupported architecture $ARCH" >&2; exit 1 ;;
esac
LIBDIR="$ROOT/usr/lib/$TRIPLET"

log() { echo "setup-lavapipe: $*" >&2; }

print_env() {
  echo "export VK_ICD_FILENAMES=$ICD"
  echo "export LD_LIBRARY_PATH=$LIBDIR\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
}

if [[ -f "$ICD" && -f "$LIBDIR/libvulkan_lvp.so" && -f "$CACHE/.complete" ]]; then
  print_env
  exit 0
fi

if ! grep -qs 'bookworm' /etc/os-release; then
  log "this script targets Debian 12 (bookworm); /etc/os-release says otherwise"
  exit 1
fi

# The Debian mirror this machine already uses (deb822 .sources files or one-line sources.list).
mirror="$(
  {
    grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; break}}'
  } | grep -v -- '-security' | grep '/debian/\?$' | head -n1
)" || true
mirror="${mirror:-http://deb.debian.org/debian}"
mirror="${mirror%/}"
log "using mirror $mirror"

APT_DIR="$CACHE/apt"
mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/archives/partial" "$APT_DIR/debs" "$ROOT"
cat > "$APT_DIR/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $mirror bookworm-backports main
EOF

APT_OPTS=(
  -o "Dir::Etc::SourceList=$APT_DIR/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$APT_DIR/lists"
  -o "Dir::Cache=$APT_DIR"
  -o "Dir::Cache::Archives=$APT_DIR/archives"
  -o "Debug::NoLocking=1"
  -o "APT::Get::List-Cleanup=0"
  -o "Acquire::Languages=none"
  -o "APT::Sandbox::User=root"
)

log "apt-get update (private lists in $APT_DIR)"
apt-get "${APT_OPTS[@]}" -qq update >&2

WANTED=(mesa-vulkan-drivers libdrm2 libdrm-amdgpu1)
# Simulating the install from backports against this machine's dpkg status lists exactly the
# packages (and versions) that Debian 12 as installed here lacks; libvulkan1 (the loader) always.
plan="$(apt-get "${APT_OPTS[@]}" -s -t bookworm-backports install --no-install-recommends "${WANTED[@]}" libvulkan1 2>/dev/null || true)"
mapfile -t packages < <(printf '%s\n' "$plan" | awk '/^Inst /{ v = $3; if (v ~ /^\[/) v = $4; gsub(/[()]/, "", v); print $2 "=" v }')
if [[ ${#packages[@]} -eq 0 ]]; then
  # Everything is already installed system-wide at the backports version: still unpack a private copy.
  mapfile -t packages < <(printf '%s\n' "${WANTED[@]}" libvulkan1)
fi
for pkg in libvulkan1 "${WANTED[@]}"; do
  printf '%s\n' "${packages[@]}" | grep -q "^$pkg\(=\|$\)" || packages+=("$pkg")
done
log "downloading: ${packages[*]}"

(
  cd "$APT_DIR/debs"
  apt-get "${APT_OPTS[@]}" -qq download -t bookworm-backports "${packages[@]}" >&2
)

for deb in "$APT_DIR"/debs/*.deb; do
  dpkg -x "$deb" "$ROOT"
done

if [[ ! -f "$LIBDIR/libvulkan_lvp.so" ]]; then
  log "libvulkan_lvp.so is missing from the unpacked mesa-vulkan-drivers ($LIBDIR)"
  exit 1
fi
version="$(dpkg-deb -f "$(ls "$APT_DIR"/debs/mesa-vulkan-drivers_*.deb | head -n1)" Version)"
log "lavapipe from mesa-vulkan-drivers $version"

cat > "$ICD" <<EOF
{
  "file_format_version": "1.0.1",
  "ICD": {
    "library_path": "$LIBDIR/libvulkan_lvp.so",
    "api_version": "1.4.0"
  }
}
EOF
touch "$CACHE/.complete"
print_env
