#!/usr/bin/env bash
# Makes the local base images the Dockerfile and docker-compose.yml can use where no image registry is reachable
# (docs/deployment.md, "With podman"), with podman:
#   localhost/rnnrbm-base/debian:12-minbase   Debian 12 by debootstrap, from the mirror apt already uses
#   localhost/rnnrbm-base/dotnet-sdk:10.0     that + this machine's .NET SDK folder        (stands in for dotnet/sdk:10.0)
#   localhost/rnnrbm-base/dotnet-aspnet:10.0  the runtime part of that folder only         (stands in for dotnet/aspnet:10.0)
#   localhost/rnnrbm-base/postgres:15         Debian + postgresql-15, postgres-like entrypoint (stands in for postgres:15)
# Cached: an image is rebuilt only when what it is made of changed (a label holds the hash of its inputs), and the
# debootstrap tarball is kept in $RNNRBM_CONTAINER_CACHE (default /var/cache/rnnrbm-container).
# Needs podman and debootstrap (scripts/container-test.sh installs them) and root.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${RNNRBM_CONTAINER_CACHE:-/var/cache/rnnrbm-container}
here=scripts/container
say() { echo "container-bases: $*"; }
mkdir -p "$cache"

# An image whose label rnnrbm.inputs equals $2 exists already.
current() { [ "$(podman image inspect --format '{{ index .Labels "rnnrbm.inputs" }}' "$1" 2>/dev/null)" = "$2" ]; }

# --- Debian 12 minbase -------------------------------------------------------------------------------------------
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)}
mirror=${mirror:-http://deb.debian.org/debian}
debian=localhost/rnnrbm-base/debian:12-minbase
tarball=$cache/debian-12-minbase.tar
# The tarball is reused for a week: the mirror moves on (point releases), and apt inside later builds updates anyway.
if [ ! -s "$tarball" ] || [ -n "$(find "$tarball" -mtime +7 2>/dev/null)" ]; then
  say "debootstrap --variant=minbase bookworm from $mirror"
  root=$(mktemp -d "$cache/rootfs.XXXXXX")
  start=$(date +%s)
  if ! timeout 900 debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1; then
    tail -n 20 "$cache/debootstrap.log"; rm -rf "$root"; say "debootstrap failed"; exit 1
  fi
  # apt inside the images: no package caches kept, no recommends (the Dockerfile says so too, but be safe).
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  rm -rf "$root"
  say "debootstrap done in $(( $(date +%s) - start )) s"
fi
key=$(sha256sum "$tarball" | cut -c1-16)
if ! current "$debian" "$key"; then
  say "importing $debian"
  podman import -q --change "LABEL rnnrbm.inputs=$key" --change 'CMD ["/bin/bash"]' "$tarball" "$debian" >/dev/null
fi

# Builds image $1 from Containerfile $2 with context $3; $4 is the hash of its inputs.
build() {
  if current "$1" "$4"; then say "$1 is current"; return; fi
  say "building $1"
  local start; start=$(date +%s)
  local log="$cache/build-$(basename "$2" .Containerfile).log"
  if ! podman build --format docker --label "rnnrbm.inputs=$4" --build-arg "BASE_IMAGE=$debian" \
    -t "$1" -f "$PWD/$2" "$3" >"$log" 2>&1; then
    tail -n 30 "$log"; say "building $1 failed (log: $log)"; exit 1
  fi
  say "built $1 in $(( $(date +%s) - start )) s"
}

# --- .NET: the installed SDK's folder ----------------------------------------------------------------------------
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
versions=$(dotnet --list-sdks | tr -d '\n'; dotnet --list-runtimes | tr -d '\n')
dotnet_key=$(printf '%s|%s|%s' "$key" "$versions" "$(cat "$here/dotnet-sdk.Containerfile")" | sha256sum | cut -c1-16)
build localhost/rnnrbm-base/dotnet-sdk:10.0 "$here/dotnet-sdk.Containerfile" "$dotnet_root" "$dotnet_key"
aspnet_key=$(printf '%s|%s' "$versions" "$(cat "$here/dotnet-runtime.Containerfile")" | sha256sum | cut -c1-16)
build localhost/rnnrbm-base/dotnet-aspnet:10.0 "$here/dotnet-runtime.Containerfile" "$dotnet_root" "$aspnet_key"

# --- PostgreSQL 15 from Debian's package ---------------------------------------------------------------------------
pg_key=$(cat "$here/postgres.Containerfile" "$here/postgres-entrypoint.sh" | { cat; echo "$key"; } | sha256sum | cut -c1-16)
build localhost/rnnrbm-base/postgres:15 "$here/postgres.Containerfile" "$here" "$pg_key"
