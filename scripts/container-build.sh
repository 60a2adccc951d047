#!/usr/bin/env bash
# The container's build stage as a script: the Dockerfile RUNs it, and a Go
# test (scripts/container_test.go, part of `make test`) runs it on this
# machine into a temporary directory, so its steps are tested without a
# container engine. It lays out in OUT what the final stage copies:
#   OUT/bin/posturewatch   the binary, built as `make build` does plus -trimpath and stripped
#   OUT/models/*.onnx      the three models, made and checked by models/setup.sh (`make models`)
#   OUT/models/libonnxruntime.so.*  the runtime that runs them, fetched and checked by
#                          models/runtime-setup.sh (`make models`); loaded at run time
#   OUT/lib/               the shared libraries the binary links to (OpenCV and what it pulls
#                          in), flat, without glibc's own, which the base image has
# and checks that the binary runs from that layout with only those libraries.
# Usage: scripts/container-build.sh OUT
# Env:   GO  the go command (default go)
set -euo pipefail

out="${1:?usage: scripts/container-build.sh OUT}"
src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
go="${GO:-go}"
say() { echo "container-build: $*"; }

cd "$src"
# Fetches and converts the models once, or only checks their digests when
# they are there already (as in the test).
bash models/setup.sh
bash models/runtime-setup.sh

mkdir -p "$out/bin" "$out/models" "$out/lib"
say "building $out/bin/posturewatch"
CGO_ENABLED=1 "$go" build -trimpath -ldflags="-s -w" -o "$out/bin/posturewatch" ./cmd/posturewatch

for m in movenet-lightning blazeface facemesh; do
  cp -L "models/$m.onnx" "$out/models/"
done
cp -L models/libonnxruntime.so.* "$out/models/"

# Only what the binary links to, and not the C library itself: mixing the
# build image's glibc into the runtime image's would break it.
ldd "$out/bin/posturewatch" | awk '$3 ~ /^\// {print $3}' \
  | grep -Ev '/(ld-linux[^/]*|libc|libm|libdl|libpthread|librt)\.so' | sort -u \
  | while read -r lib; do cp -L "$lib" "$out/lib/"; done
say "$(find "$out/lib" -type f | wc -l) shared libraries in $out/lib"

# The final stage runs bin/posturewatch with models/ beside bin/ and
# LD_LIBRARY_PATH at lib/: `version` finds and hashes the models from there.
LD_LIBRARY_PATH="$out/lib" "$out/bin/posturewatch" version
