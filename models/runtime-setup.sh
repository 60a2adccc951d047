#!/usr/bin/env bash
# Puts ONNX Runtime's CPU library, which runs the three models, beside them:
#   models/libonnxruntime.so.VERSION
# It comes prebuilt in the npm package onnxruntime-node@VERSION (only the tarball is
# fetched, once, into the cache; nothing from it is installed or run), and is checked
# against the digest for this machine's architecture in models/onnxruntime.sha256, whose
# line for it names the file and so the version (models.RuntimeVersion in Go; a test
# keeps the two equal).
# Idempotent: a good library in place is only checked.
# Usage: bash models/runtime-setup.sh    (`make models` calls it)
# Env:   XDG_CACHE_HOME  cache root (default ~/.cache)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { echo "models/runtime-setup.sh: $*"; }
die() { echo "models/runtime-setup.sh: error: $*" >&2; exit 1; }

# shellcheck source=human-package.sh
. "$here/human-package.sh"

command -v sha256sum >/dev/null || die "sha256sum not found (Debian package coreutils)"
sha_of() { sha256sum "$1" | awk '{print $1}'; }

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) goarch=amd64 npm_arch=x64 ;;
  Linux/aarch64 | Linux/arm64) goarch=arm64 npm_arch=arm64 ;;
  *) die "no ONNX Runtime library is set up for $(uname -s) $(uname -m) (Linux x86-64 and arm64 are)" ;;
esac
read -r want LIB < <(awk -v p="linux-$goarch" '$2 == p {print tolower($1), $3; exit}' "$here/onnxruntime.sha256") || true
[[ "${want:-}" =~ ^[0-9a-f]{64}$ && "${LIB:-}" =~ ^libonnxruntime\.so\.[0-9.]+$ ]] ||
  die "models/onnxruntime.sha256 has no line \"DIGEST  linux-$goarch  libonnxruntime.so.VERSION\""
ORT_VERSION="${LIB#libonnxruntime.so.}"

dest="$here/$LIB"
if [ -f "$dest" ]; then
  got="$(sha_of "$dest")"
  [ "$got" = "$want" ] && exit 0
  say "$dest has sha256 $got, want $want: fetching it again"
fi

member="package/bin/napi-v3/linux/$npm_arch/$LIB"
ensure_npm_package onnxruntime-node "$ORT_VERSION" "70 MB" "$member"
work="$(mktemp -d "${TMPDIR:-/tmp}/posturewatch-runtime.XXXXXX")"
trap 'rm -rf "$work" "$dest.tmp"' EXIT
tar -xzf "$tgz" -C "$work" "$member" || die "cannot extract $member from $tgz: delete it and run again"
got="$(sha_of "$work/$member")"
if [ "$got" != "$want" ]; then
  die "$LIB in $tgz has sha256 $got but models/onnxruntime.sha256 wants $want: delete $tgz and run again"
fi
cp "$work/$member" "$dest.tmp"
chmod 0644 "$dest.tmp"
mv -f "$dest.tmp" "$dest"
say "wrote $dest (sha256 $got)"
