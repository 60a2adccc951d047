#!/usr/bin/env bash
# Fetches MoveNet SinglePose Lightning (TF.js graph model, from the npm package
# @vladmandic/human) once into a cache, converts it to models/movenet-lightning.onnx
# and checks it against models/movenet-lightning.onnx.sha256.
# Idempotent: with a good model already in place it only checks the hash.
# Usage: bash models/setup.sh         (from anywhere; `make models` calls it)
# Env:   XDG_CACHE_HOME  cache root (default ~/.cache); the package goes to
#                        $XDG_CACHE_HOME/posturewatch/npm/
#        PYTHON          interpreter with python3-onnx and python3-numpy (default /usr/bin/python3)
set -euo pipefail

PKG_NAME="@vladmandic/human"
PKG_VERSION="3.3.6"
TGZ_NAME="vladmandic-human-${PKG_VERSION}.tgz"
MODEL_JSON="package/models/movenet-lightning.json"
MODEL_BIN="package/models/movenet-lightning.bin"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="$here/movenet-lightning.onnx"
shafile="$here/movenet-lightning.onnx.sha256"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/posturewatch/npm"
tgz="$cache/$TGZ_NAME"
python="${PYTHON:-/usr/bin/python3}"

say() { echo "models/setup.sh: $*"; }
die() { echo "models/setup.sh: error: $*" >&2; exit 1; }

[ -r "$shafile" ] || die "$shafile is missing (it is part of the source tree; restore it from git)"
want="$(awk 'NR==1{print tolower($1)}' "$shafile")"
[[ "$want" =~ ^[0-9a-f]{64}$ ]] || die "$shafile does not start with a sha256 hex digest"
command -v sha256sum >/dev/null || die "sha256sum not found (Debian package coreutils)"

sha_of() { sha256sum "$1" | awk '{print $1}'; }

# 1. Fast path: the model is there and is the expected one.
if [ -f "$model" ]; then
  got="$(sha_of "$model")"
  if [ "$got" = "$want" ]; then
    exit 0
  fi
  say "$model has sha256 $got, want $want: rebuilding it"
fi

# 2. Tools.
if ! "$python" -c 'import numpy, onnx' 2>/dev/null; then
  die "$python cannot import numpy and onnx: run \`make deps\` (or apt-get install -y python3-numpy python3-onnx)"
fi

# 3. The npm package, fetched once into the cache.
mkdir -p "$cache" || die "cannot create the cache directory $cache"
if [ -f "$tgz" ] && ! tar -tzf "$tgz" "$MODEL_JSON" "$MODEL_BIN" >/dev/null 2>&1; then
  say "cached $tgz is damaged: fetching it again"
  rm -f "$tgz"
fi
if [ ! -f "$tgz" ]; then
  command -v npm >/dev/null || die "npm not found: run \`make deps\` (or apt-get install -y npm)"
  say "fetching ${PKG_NAME}@${PKG_VERSION} with npm pack into $cache (about 29 MB, once)"
  dl="$(mktemp -d "$cache/.pack.XXXXXX")"
  if ! (cd "$dl" && npm pack "${PKG_NAME}@${PKG_VERSION}" --pack-destination "$dl" >/dev/null 2>"$dl/npm.log"); then
    cat "$dl/npm.log" >&2 || true
    rm -rf "$dl"
    die "npm pack ${PKG_NAME}@${PKG_VERSION} failed (no network or npm registry unreachable?); check \`npm config get registry\` and retry"
  fi
  if [ ! -f "$dl/$TGZ_NAME" ]; then
    ls -la "$dl" >&2 || true
    rm -rf "$dl"
    die "npm pack did not produce $TGZ_NAME"
  fi
  mv -f "$dl/$TGZ_NAME" "$tgz"
  rm -rf "$dl"
fi

# 4. Extract the two model files and convert them.
work="$(mktemp -d "${TMPDIR:-/tmp}/posturewatch-model.XXXXXX")"
trap 'rm -rf "$work" "$model.tmp.part"' EXIT
if ! tar -xzf "$tgz" -C "$work" "$MODEL_JSON" "$MODEL_BIN"; then
  die "cannot extract $MODEL_JSON and $MODEL_BIN from $tgz: delete the cache dir $cache and run again"
fi
tmp="$model.tmp"
if ! "$python" "$here/convert_tfjs.py" --json "$work/$MODEL_JSON" --bin "$work/$MODEL_BIN" --out "$tmp"; then
  rm -f "$tmp"
  die "conversion failed (see above); if the package in $cache is damaged delete that dir and run again"
fi
got="$(sha_of "$tmp")"
if [ "$got" != "$want" ]; then
  rm -f "$tmp"
  die "converted model has sha256 $got but $shafile wants $want.
  The cached package may be damaged: delete the cache dir $cache and run again.
  If models/convert_tfjs.py was changed on purpose, put the new digest into $shafile."
fi
mv -f "$tmp" "$model"
say "wrote $model (sha256 $got)"
