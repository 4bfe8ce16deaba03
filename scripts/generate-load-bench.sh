#!/usr/bin/env bash
# Issue 13, item 8 (capacity): POST /generate under C concurrent callers, measured with wrk (Debian's), against the
# engine's own rate. Starts the service (Release) on 127.0.0.1 with its bundled models, sends the same small request
# the engine benchmark samples (the bundled demo model, 200 steps as bench generates, or STEPS, k 25, a fixed seed, MIDI), and prints wrk's
# requests/s and latency percentiles, and how many answers were not 2xx (wrk's count).
# Usage: scripts/generate-load-bench.sh [connections] [seconds] [service settings...]
#   scripts/generate-load-bench.sh 4 20
# Set NO_BUILD=1 to reuse src/Api/bin/Release. The figures are recorded in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-4}
seconds=${2:-20}
shift 2 || true
command -v wrk > /dev/null || apt-get install -y wrk > /dev/null
[ "${NO_BUILD:-0}" = 1 ] || dotnet build src/Api -c Release -v quiet -nologo > /dev/null
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dotnet src/Api/bin/Release/net10.0/RnnRbm.Api.dll --urls "http://127.0.0.1:$port" --RnnRbm:DataFolder "$work/var" \
    --RnnRbm:Workers 0 "$@" > "$work/service.log" 2>&1 &
service=$!
trap 'kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$port/healthz/ready" > /dev/null && break
    sleep 0.5
done
model=$(curl -sf "http://127.0.0.1:$port/api/models" | python3 -c "import json,sys; print(next(m['id'] for m in json.load(sys.stdin) if m['origin'] == 'bundled'))")
body="{\"modelId\":\"$model\",\"steps\":${STEPS:-200},\"gibbsK\":25,\"seed\":1}"
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  io.write(string.format("requests %d, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA
# Warm-up: the model parsed and cached, the endpoint past tiered compilation (a few requests are not enough: the
# first seconds run unoptimised code and read several times slower).
curl -sf -o /dev/null -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/generate"
wrk -t1 -c1 -d5s -s "$work/post.lua" "http://127.0.0.1:$port/generate" > /dev/null
echo "POST /generate, ${STEPS:-200} steps, k 25, MIDI; $connections connections, $seconds s (wrk, 2 threads at most):"
wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port/generate" | grep -E "Requests/sec|requests [0-9]|Non-2xx|Latency "
