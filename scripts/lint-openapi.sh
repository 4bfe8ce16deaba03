#!/usr/bin/env bash
# Lints docs/openapi.json (the document the clients are generated from) with Spectral's OpenAPI rules (.spectral.yaml).
# Fails on any error; warnings are shown. Spectral (npm @stoplight/spectral-cli) is installed once per machine into a
# cache folder outside the clone, so a fresh clone does not download it again. scripts/test.sh counts it as a test.
set -uo pipefail
cd "$(dirname "$0")/.."

version=6.16.3
cache=${XDG_CACHE_HOME:-$HOME/.cache}/rnnrbm/spectral-cli-$version
spectral=$cache/node_modules/.bin/spectral
if [ ! -x "$spectral" ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is not installed: Node.js 20 and npm are needed to lint the OpenAPI document." >&2; exit 1; }
  mkdir -p "$(dirname "$cache")"
  staging=$(mktemp -d "$cache.XXXXXX")
  # Installed beside the cache and moved in whole: an interrupted install never leaves a half cache behind.
  if ! npm install --prefix "$staging" --no-audit --no-fund --loglevel=error "@stoplight/spectral-cli@$version" >"$staging.log" 2>&1; then
    tail -n 20 "$staging.log" >&2
    echo "Spectral $version could not be installed." >&2
    rm -rf "$staging" "$staging.log"
    exit 1
  fi
  rm -rf "$cache" "$staging.log"
  mv "$staging" "$cache"
fi

echo "Spectral $version: docs/openapi.json"
"$spectral" lint docs/openapi.json --ruleset .spectral.yaml --fail-severity error
