#!/usr/bin/env bash
# Issue 13, finding 1 (memory amplification): the service's resident memory while N copies of the attack zip
# (60 entries, each "MThd" and 8,000,000 zero bytes: about 0.5 MB deflated, 480 MB inflated) are uploaded at once.
# Prints the RSS before (after one warm-up upload), the peak during, and after, with every answer's status.
# Usage: scripts/upload-memory-bench.sh [copies] [service settings...]
#   scripts/upload-memory-bench.sh                                   # 8 copies, default settings
#   scripts/upload-memory-bench.sh 8 --RnnRbm:UploadConcurrency 8    # all 8 admitted at once
# Set NO_BUILD=1 to reuse src/Api/bin/Release. The figures are recorded in docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-8}
shift || true
[ "${NO_BUILD:-0}" = 1 ] || dotnet build src/Api -c Release -v quiet -nologo > /dev/null
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$work/attack.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for i in range(60):
        z.writestr(f"e{i:02}.mid", b"MThd" + bytes(8_000_000))
PY
dotnet src/Api/bin/Release/net10.0/RnnRbm.Api.dll --urls "http://127.0.0.1:$port" --RnnRbm:DataFolder "$work/var" \
    --RnnRbm:SeedDemo false "$@" > "$work/service.log" 2>&1 &
service=$!
trap 'kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break
    sleep 0.5
done
rss() { awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$service/status"; }

# Warm-up: one real upload, so the endpoint's code is loaded and jitted before the baseline.
curl -s -o /dev/null -F name=warmup -F files=@datasets/demo/nottingham_train_000.mid "http://127.0.0.1:$port/api/corpora"
sleep 2
baseline=$(rss)

# Sample RSS every 50 ms while the copies are uploaded at once.
( while kill -0 "$service" 2>/dev/null; do rss; echo; sleep 0.05; done ) > "$work/samples" &
sampler=$!
start=$(date +%s.%N)
pids=()
for i in $(seq 1 "$copies"); do
    curl -s -o "$work/answer$i.json" -w "%{http_code}\n" -F name="attack $i" -F files=@"$work/attack.zip" \
        "http://127.0.0.1:$port/api/corpora" > "$work/status$i" &
    pids+=($!)
done
wait "${pids[@]}"
elapsed=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
sleep 5
after=$(rss)
kill "$sampler" 2>/dev/null || true
peak=$(sort -n "$work/samples" | tail -1)

echo "zip: $(stat -c %s "$work/attack.zip") bytes, 60 entries of 8,000,004 bytes; copies at once: $copies; settings: ${*:-defaults}"
echo "answers: $(cat "$work"/status* | sort | uniq -c | awk '{ printf "%s×%s ", $1, $2 }')in ${elapsed} s"
echo "first answer: $(head -c 300 "$work/answer1.json")"
echo "RSS MB: baseline $baseline, peak during $peak, 5 s after $after (after - baseline: $((after - baseline)))"
