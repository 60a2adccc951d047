# Sourced by models/setup.sh and models/tfjs-setup.sh: where the npm package
# @vladmandic/human (which ships the three TF.js graph models) is cached, and
# ensure_package, which fetches it once with `npm pack`.
# Needs: say, die (defined by the caller); sets PKG_*, npm_cache, tgz.

PKG_NAME="@vladmandic/human"
PKG_VERSION="3.3.6"
TGZ_NAME="vladmandic-human-${PKG_VERSION}.tgz"
npm_cache="${XDG_CACHE_HOME:-$HOME/.cache}/posturewatch/npm"
tgz="$npm_cache/$TGZ_NAME"

# ensure_package FILE...: makes sure $tgz exists and holds the package files named
# (paths inside the tarball); a damaged cached file is fetched again.
ensure_package() {
  mkdir -p "$npm_cache" || die "cannot create the cache directory $npm_cache"
  if [ -f "$tgz" ] && ! tar -tzf "$tgz" "$@" >/dev/null 2>&1; then
    say "cached $tgz is damaged: fetching it again"
    rm -f "$tgz"
  fi
  [ -f "$tgz" ] && return 0
  command -v npm >/dev/null || die "npm not found: run \`make deps\` (or apt-get install -y npm)"
  say "fetching ${PKG_NAME}@${PKG_VERSION} with npm pack into $npm_cache (about 29 MB, once)"
  local dl
  dl="$(mktemp -d "$npm_cache/.pack.XXXXXX")"
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
  tar -tzf "$tgz" "$@" >/dev/null 2>&1 || die "$tgz lacks some of: $*"
}
