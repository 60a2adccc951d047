#!/usr/bin/env bash
# Sets up the TF.js reference check (vision/tfjs_reference_test.go, models/tfjs_reference.js):
# installs @tensorflow/tfjs (pure JavaScript, CPU backend; no tfjs-node, no native code)
# with npm into a cache directory, never into the repository, and extracts the three
# TF.js graph models from the cached @vladmandic/human package beside it:
#   $XDG_CACHE_HOME/posturewatch/tfjs/node_modules/@tensorflow/tfjs   (about 300 MB)
#   $XDG_CACHE_HOME/posturewatch/tfjs/models/{movenet-lightning,blazeface,facemesh}.{json,bin}
#   $XDG_CACHE_HOME/posturewatch/tfjs/ready                           (written last)
# Idempotent: when `ready` names the same versions it only checks the files exist.
# Usage: bash models/tfjs-setup.sh      (`make tfjs-ref` calls it)
# Env:   XDG_CACHE_HOME  cache root (default ~/.cache)
set -euo pipefail

# The TF.js version @vladmandic/human 3.3.6 itself bundles (package/dist/tfjs.version.js).
TFJS_VERSION="4.22.0"
GRAPHS=(movenet-lightning blazeface facemesh)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { echo "models/tfjs-setup.sh: $*"; }
die() { echo "models/tfjs-setup.sh: error: $*" >&2; exit 1; }

# shellcheck source=human-package.sh
. "$here/human-package.sh"

dir="${XDG_CACHE_HOME:-$HOME/.cache}/posturewatch/tfjs"
stamp="$dir/ready"
want_stamp="@tensorflow/tfjs@${TFJS_VERSION}; models from ${PKG_NAME}@${PKG_VERSION}: ${GRAPHS[*]}"
tfjs_pkg="$dir/node_modules/@tensorflow/tfjs/package.json"

files_present() {
  [ -f "$tfjs_pkg" ] || return 1
  local g
  for g in "${GRAPHS[@]}"; do
    [ -f "$dir/models/$g.json" ] && [ -f "$dir/models/$g.bin" ] || return 1
  done
}

# 1. Fast path.
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] && files_present; then
  exit 0
fi
rm -f "$stamp"
mkdir -p "$dir" || die "cannot create the cache directory $dir"
command -v node >/dev/null || die "node not found: run \`make deps\` (or apt-get install -y nodejs npm)"

# 2. @tensorflow/tfjs, unless the right version is already there.
have="$(node -e 'try{process.stdout.write(require(process.argv[1]).version)}catch(e){}' "$tfjs_pkg" 2>/dev/null || true)"
if [ "$have" != "$TFJS_VERSION" ]; then
  command -v npm >/dev/null || die "npm not found: run \`make deps\` (or apt-get install -y npm)"
  say "installing @tensorflow/tfjs@${TFJS_VERSION} with npm into $dir (about 300 MB, once)"
  tmp="$(mktemp -d "$dir/.install.XXXXXX")"
  # --ignore-scripts: nothing needs building (pure JS); --no-save/--no-package-lock:
  # no package.json or lock file is written anywhere.
  if ! npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
      --omit=dev --loglevel=error "@tensorflow/tfjs@${TFJS_VERSION}" >"$tmp/npm.log" 2>&1; then
    cat "$tmp/npm.log" >&2 || true
    rm -rf "$tmp"
    die "npm install @tensorflow/tfjs@${TFJS_VERSION} failed (no network or npm registry unreachable?); check \`npm config get registry\` and retry"
  fi
  [ -f "$tmp/node_modules/@tensorflow/tfjs/package.json" ] || { rm -rf "$tmp"; die "npm install did not produce @tensorflow/tfjs"; }
  rm -rf "$dir/node_modules"
  mv "$tmp/node_modules" "$dir/node_modules"
  rm -rf "$tmp"
fi

# 3. The TF.js graph models, from the cached package.
files=()
for g in "${GRAPHS[@]}"; do files+=("package/models/$g.json" "package/models/$g.bin"); done
ensure_package "${files[@]}"
tmp="$(mktemp -d "$dir/.models.XXXXXX")"
if ! tar -xzf "$tgz" -C "$tmp" "${files[@]}"; then
  rm -rf "$tmp"
  die "cannot extract the models from $tgz: delete the cache dir $npm_cache and run again"
fi
rm -rf "$dir/models"
mv "$tmp/package/models" "$dir/models"
rm -rf "$tmp"

# 4. A smoke test, so a broken install fails here and not in the Go test.
node -e 'if (require(process.argv[1]).version.tfjs !== process.argv[2]) process.exit(1)' \
    "$dir/node_modules/@tensorflow/tfjs" "$TFJS_VERSION" >/dev/null 2>&1 \
  || die "@tensorflow/tfjs@${TFJS_VERSION} in $dir does not load in node $(node --version); delete $dir and run again"
echo "$want_stamp" >"$stamp"
say "ready: $dir"
