#!/usr/bin/env bash
# The main job: install what is needed, then start the RnnRbm service with its embedded defaults
# (SQLite under ./var, the bundled demo corpus and default model seeded on first start).
# Usage: scripts/start.sh [port]   (default 5080; binds 127.0.0.1 — set RNNRBM_HOST=0.0.0.0 to listen on all interfaces)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
port=${1:-${PORT:-5080}}
host=${RNNRBM_HOST:-127.0.0.1}
dotnet build src/Api -c Release -v quiet -nologo
echo "RnnRbm is starting at http://$host:$port/ (Swagger: /swagger, jobs: /hangfire, health: /healthz/ready); Ctrl+C stops it"
exec dotnet src/Api/bin/Release/net10.0/RnnRbm.Api.dll --urls "http://$host:$port" --RnnRbm:DataFolder "$PWD/var"
