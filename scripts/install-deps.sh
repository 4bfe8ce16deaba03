#!/usr/bin/env bash
# Installs what RnnRbm needs on Debian 12 (run as root, or with sudo available).
# Idempotent: re-running it only checks. Usage: scripts/install-deps.sh [--tests]
#   always: the .NET 10 SDK is expected on PATH (see README), Intel MKL (non-free) and OpenBLAS, FluidSynth with a soundfont and opusenc
#   --tests: also what the test suite needs beyond that (Chromium for the browser tests, PostgreSQL and docker-compose
#            for the scale-out tests)
set -euo pipefail

want_tests=0
for arg in "$@"; do
  case "$arg" in
    --tests) want_tests=1 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
apt_install() { "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; }

# fluidsynth + timgm6mb-soundfont + opus-tools: the audio preview (POST /api/audio renders MIDI to Ogg Opus).
packages=(libopenblas0-pthread libmkl-rt fonts-dejavu-core fluidsynth timgm6mb-soundfont opus-tools)
# chromium: Debian's browser for the Playwright tests (tests/RnnRbm.Web.Tests launch /usr/bin/chromium with
# --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
# --disable-component-update --disable-sync). Playwright itself never downloads a browser.
# postgresql: the scale-out tests run against a throwaway cluster that scripts/test.sh starts on 127.0.0.1.
# docker-compose (v1): checks docker-compose.yml offline (`docker-compose config`); no Docker engine is needed.
if [ "$want_tests" -eq 1 ]; then packages+=(chromium postgresql docker-compose); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  # MKL lives in Debian's non-free component: add it beside the machine's own mirror.
  nonfree=/etc/apt/sources.list.d/debian-nonfree.sources
  if [ ! -f "$nonfree" ]; then
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    printf 'Types: deb\nURIs: %s\nSuites: bookworm\nComponents: non-free\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" \
      | "${sudo_cmd[@]}" tee "$nonfree" >/dev/null
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  apt_install "${missing[@]}"
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is not on PATH: install it (packages-microsoft-prod or dotnet-install) and retry." >&2
  exit 1
fi
