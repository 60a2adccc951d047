#!/usr/bin/env bash
# Installs the Debian packages posturewatch needs, only those that are missing.
# Usage: scripts/deps.sh [build|models|test]...  (build is always included)
set -euo pipefail

want=(build-essential pkg-config libopencv-dev opencv-data)
for part in "$@"; do
  case "$part" in
    build) ;;
    models) want+=(python3-onnx python3-numpy) ;;
    test) want+=(chromium chromium-driver fonts-dejavu-core dbus) ;;
    *) echo "deps.sh: unknown part '$part' (want build, models or test)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
need_npm=0
for part in "$@"; do [ "$part" = models ] && ! command -v npm >/dev/null && need_npm=1; done
[ "$need_npm" = 1 ] && missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "posturewatch: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "posturewatch: these packages are missing and you are not root: ${missing[*]}" >&2
    echo "  install them with: apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "posturewatch: installed ${missing[*]}"
