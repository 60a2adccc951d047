# Sourced by models/setup.sh, models/tfjs-setup.sh and models/runtime-setup.sh: the npm
# package cache, and ensure_npm_package, which fetches a package's tarball once with
# `npm pack` (nothing is installed or run from it). ensure_package does it for
# @vladmandic/human, which ships the three TF.js graph models.
# Needs: say, die (defined by the caller); sets PKG_*, npm_cache, tgz.

PKG_NAME="@vladmandic/human"
PKG_VERSION="3.3.6"
npm_cache="${XDG_CACHE_HOME:-$HOME/.cache}/posturewatch/npm"
tgz="$npm_cache/vladmandic-human-${PKG_VERSION}.tgz"

# ensure_npm_package NAME VERSION SIZE FILE...: makes sure the cached tarball of
# NAME@VERSION exists and holds the files named (paths inside the tarball), fetching it
# (about SIZE) if not; a damaged cached file is fetched again. Sets tgz to its path.
ensure_npm_package() {
  local name="$1" version="$2" size="$3"
  shift 3
  local tgz_name
  tgz_name="$(echo "${name#@}" | tr / -)-${version}.tgz"  # npm pack's file name
  tgz="$npm_cache/$tgz_name"
  mkdir -p "$npm_cache" || die "cannot create the cache directory $npm_cache"
  if [ -f "$tgz" ] && ! tar -tzf "$tgz" "$@" >/dev/null 2>&1; then
    say "cached $tgz is damaged: fetching it again"
    rm -f "$tgz"
  fi
  [ -f "$tgz" ] && return 0
  command -v npm >/dev/null || die "npm not found: run \`make deps\` (or apt-get install -y npm)"
  say "fetching ${name}@${version} with npm pack into $npm_cache (about $size, once)"
  local dl
  dl="$(mktemp -d "$npm_cache/.pack.XXXXXX")"
  if ! (cd "$dl" && npm pack "${name}@${version}" --pack-destination "$dl" >/dev/null 2>"$dl/npm.log"); then
    cat "$dl/npm.log" >&2 || true
    rm -rf "$dl"
    die "npm pack ${name}@${version} failed (no network or npm registry unreachable?); check \`npm config get registry\` and retry"
  fi
  if [ ! -f "$dl/$tgz_name" ]; then
    ls -la "$dl" >&2 || true
    rm -rf "$dl"
    die "npm pack did not produce $tgz_name"
  fi
  mv -f "$dl/$tgz_name" "$tgz"
  rm -rf "$dl"
  tar -tzf "$tgz" "$@" >/dev/null 2>&1 || die "$tgz lacks some of: $*"
}

# ensure_package FILE...: ensure_npm_package for @vladmandic/human.
ensure_package() { ensure_npm_package "$PKG_NAME" "$PKG_VERSION" "29 MB" "$@"; }
