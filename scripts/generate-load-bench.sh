#!/usr/bin/env bash
# Issue 13, item 8 (capacity): POST /generate under C concurrent callers, measured with wrk (Debian's), against the
# engine's own rate for the same model. Starts the service (Release) on 127.0.0.1 with its bundled models, sends a
# small request (the bundled default model, 200 steps as bench generates, or STEPS, k 25, a fixed seed, MIDI), and
# prints wrk's requests/s, latency percentiles and how many answers were not 2xx (wrk's count). Each of ROUNDS rounds
# (default 3) first measures the engine on that model file with every core at once (`rnnrbm bench --model`, no
# service involved), then drives the service: the machine's speed drifts by 10-20% between minutes on a shared host,
# so each round's ratio compares figures taken seconds apart.
# Usage: scripts/generate-load-bench.sh [connections] [seconds] [service settings...]
#   scripts/generate-load-bench.sh 4 20
# Set NO_BUILD=1 to reuse src/Api/bin/Release and src/Cli/bin/Release. The figures are recorded in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-4}
seconds=${2:-20}
shift 2 || true
command -v wrk > /dev/null || apt-get install -y wrk > /dev/null
if [ "${NO_BUILD:-0}" != 1 ]; then
    dotnet build src/Api -c Release -v quiet -nologo > /dev/null
    dotnet build src/Cli -c Release -v quiet -nologo > /dev/null
fi
model_file=models/nottingham-default.rnnrbm
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
model=$(curl -sf "http://127.0.0.1:$port/api/models" | python3 -c "import json,sys; print(next(m['id'] for m in json.load(sys.stdin) if m['name'] == 'Nottingham default'))")
body="{\"modelId\":\"$model\",\"steps\":${STEPS:-200},\"gibbsK\":25,\"seed\":1}"
# Each request its own seed (each wrk thread its own range), as the engine's measurement samples distinct pieces: a
# piece's cost depends on how many notes it sounds.
cat > "$work/post.lua" <<LUA
seed = 0
local threads = 0
setup = function(thread) threads = threads + 1; thread:set("seed", threads * 100000000) end
request = function()
  seed = seed + 1
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" },
    '{"modelId":"$model","steps":${STEPS:-200},"gibbsK":25,"seed":' .. seed .. '}')
end
done = function(summary, latency, requests)
  io.write(string.format("requests %d, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA
# Warm-up: the model parsed and cached, the endpoint past tiered compilation (a few requests are not enough: the
# first seconds run unoptimised code and read several times slower, and the JIT's background work would otherwise
# still share the cores with the first round's engine measurement).
curl -sf -o /dev/null -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/generate"
wrk -t1 -c1 -d5s -s "$work/post.lua" "http://127.0.0.1:$port/generate" > /dev/null
wrk -t2 -c"$connections" -d10s -s "$work/post.lua" "http://127.0.0.1:$port/generate" > /dev/null
echo "POST /generate, ${STEPS:-200} steps, k 25, MIDI, model $model_file; $connections connections, $seconds s (wrk, 2 threads at most):"
rates=()
for round in $(seq 1 "${ROUNDS:-3}"); do
    engine=""
    if [ "${STEPS:-200}" = 200 ]; then
        engine=$(dotnet src/Cli/bin/Release/net10.0/rnnrbm.dll bench --model "$model_file" --json | python3 -c "import json,sys; print('%.1f' % json.loads(sys.stdin.readline())['allCoresPiecesPerSecond'])")
    fi
    out=$(wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${seconds}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port/generate")
    served=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    echo "$out" | grep -E "requests [0-9]|Non-2xx" | sed "s/^/round $round: /"
    if [ -n "$engine" ]; then
        ratio=$(python3 -c "print('%.0f' % (100 * $served / $engine))")
        rates+=("$ratio")
        echo "round $round: service $served requests/s, engine $engine pieces/s on every core at once: $ratio% of the engine's rate"
    else
        echo "round $round: service $served requests/s"
    fi
done
[ ${#rates[@]} -eq 0 ] || echo "median: $(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')% of the engine's rate"
