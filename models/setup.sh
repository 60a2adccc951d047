#!/usr/bin/env bash
# Fetches the npm package @vladmandic/human once into a cache, converts its three
# TF.js graph models to ONNX and checks each against its committed digest:
#   models/movenet-lightning.onnx   MoveNet SinglePose Lightning (pose)
#   models/blazeface.onnx           BlazeFace 256 (face detector)
#   models/facemesh.onnx            FaceMesh 468 (face landmarks)
# Idempotent: with good models already in place it only checks the hashes; a
# missing or stale model is rebuilt, the others are left alone.
# Usage: bash models/setup.sh         (from anywhere; `make models` calls it)
# Env:   XDG_CACHE_HOME  cache root (default ~/.cache); the package goes to
#                        $XDG_CACHE_HOME/posturewatch/npm/
#        PYTHON          interpreter with python3-onnx and python3-numpy (default /usr/bin/python3)
set -euo pipefail

MODELS=(movenet-lightning blazeface facemesh)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-/usr/bin/python3}"

say() { echo "models/setup.sh: $*"; }
die() { echo "models/setup.sh: error: $*" >&2; exit 1; }

# shellcheck source=human-package.sh
. "$here/human-package.sh"

command -v sha256sum >/dev/null || die "sha256sum not found (Debian package coreutils)"
sha_of() { sha256sum "$1" | awk '{print $1}'; }

# want_of NAME: the committed digest of models/NAME.onnx.
want_of() {
  local shafile="$here/$1.onnx.sha256" want
  [ -r "$shafile" ] || die "$shafile is missing (it is part of the source tree; restore it from git)"
  want="$(awk 'NR==1{print tolower($1)}' "$shafile")"
  [[ "$want" =~ ^[0-9a-f]{64}$ ]] || die "$shafile does not start with a sha256 hex digest"
  echo "$want"
}

# 1. Fast path: every model is there and is the expected one.
stale=()
for m in "${MODELS[@]}"; do
  want="$(want_of "$m")"
  model="$here/$m.onnx"
  if [ -f "$model" ]; then
    got="$(sha_of "$model")"
    [ "$got" = "$want" ] && continue
    say "$model has sha256 $got, want $want: rebuilding it"
  fi
  stale+=("$m")
done
[ ${#stale[@]} -eq 0 ] && exit 0

# 2. Tools.
if ! "$python" -c 'import numpy, onnx' 2>/dev/null; then
  die "$python cannot import numpy and onnx: run \`make deps\` (or apt-get install -y python3-numpy python3-onnx)"
fi

# 3. The npm package, fetched once into the cache.
files=()
for m in "${stale[@]}"; do files+=("package/models/$m.json" "package/models/$m.bin"); done
ensure_package "${files[@]}"

# 4. Extract the model files and convert them, one model at a time.
work="$(mktemp -d "${TMPDIR:-/tmp}/posturewatch-model.XXXXXX")"
trap 'rm -rf "$work" "$here"/*.onnx.tmp.part "$here"/*.onnx.tmp' EXIT
if ! tar -xzf "$tgz" -C "$work" "${files[@]}"; then
  die "cannot extract ${files[*]} from $tgz: delete the cache dir $npm_cache and run again"
fi
for m in "${stale[@]}"; do
  want="$(want_of "$m")"
  model="$here/$m.onnx"
  tmp="$model.tmp"
  if ! "$python" "$here/convert_tfjs.py" --graph "$m" --json "$work/package/models/$m.json" \
      --bin "$work/package/models/$m.bin" --out "$tmp"; then
    rm -f "$tmp"
    die "conversion of $m failed (see above); if the package in $npm_cache is damaged delete that dir and run again"
  fi
  got="$(sha_of "$tmp")"
  if [ "$got" != "$want" ]; then
    rm -f "$tmp"
    die "converted $m has sha256 $got but $m.onnx.sha256 wants $want.
  The cached package may be damaged: delete the cache dir $npm_cache and run again.
  If models/convert_tfjs.py was changed on purpose, put the new digest into models/$m.onnx.sha256."
  fi
  mv -f "$tmp" "$model"
  say "wrote $model (sha256 $got)"
done
