#!/usr/bin/env bash
# Issue 14, item 4 (scale): how a search's throughput grows with its workers. For each worker count W (default 1 and
# 2) and each of ROUNDS rounds (default 2), starts a throwaway PostgreSQL cluster's fresh database, one web node and W
# worker processes (RnnRbm:Workers = 1 each, as docker-compose.yml runs them; the release build of src/Api, bound to
# 127.0.0.1), uploads a small corpus (the first 4 demo files to train, the 5th to valid), runs a warm-up search of
# half a minute (so that the measured one does not include compiling the training code) and then one search for
# BUDGET minutes with no limit on trials, and prints what it finished, read from the database: trials started,
# trials that reached their first rung, rung segments completed (each a job), epochs, and the workers that trained
# them, per hour of budget, and the CPU time the worker processes got from the (shared) machine meanwhile. By default trials are small (H 32, U 16, CD-3; rungs 2, 4, 8 epochs) so that a short budget holds many.
# Usage: scripts/search-scale-bench.sh [budget minutes] [worker counts...]
#   scripts/search-scale-bench.sh 3 1 2
# Set NO_BUILD=1 to reuse src/Api/bin/Release. CORPUS_DIR (default datasets/demo: the first TRAIN_FILES files train, the
# next one validates), TRAIN_FILES, HIDDEN, RECURRENT and CDK (default 4, 32, 16, 3) size the
# trials: larger ones make the per-job and database work a smaller share. MIN_EPOCHS and MAX_EPOCHS (default 2 and 8)
# are the first and last rungs (η 2): longer stretches between rungs do the same. "machine CPU-s" is what every process of the
# machine used meanwhile (from /proc/stat), the workers' share of it beside. The figures are recorded in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-3}
shift || true
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(1 2)
[ "${NO_BUILD:-0}" != 1 ] && dotnet build src/Api -c Release -v quiet -nologo > /dev/null
dll=src/Api/bin/Release/net10.0/RnnRbm.Api.dll

# PostgreSQL on loopback, as scripts/test.sh starts it; stopped (and removed) at exit.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
work=$(mktemp -d /tmp/rnnrbm-bench.XXXXXX)
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$work"
pids=()
stop_nodes() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; pids=(); }
cleanup() {
    stop_nodes
    [ -f "$work/pg/postmaster.pid" ] && as_pg "'$pg_bin/pg_ctl' -D '$work/pg' -m fast -w stop" > /dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "'$pg_bin/initdb' -D '$work/pg' -U postgres -A trust --no-sync" > /dev/null
as_pg "'$pg_bin/pg_ctl' -D '$work/pg' -l '$work/pg.log' -w -o '-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$work -c fsync=off' start" > /dev/null
sql() { "$pg_bin/psql" -qtAX "host=127.0.0.1 port=$pg_port user=postgres dbname=$1" -c "$2"; }

corpus_dir=${CORPUS_DIR:-datasets/demo} train_files=${TRAIN_FILES:-4} hidden=${HIDDEN:-32} recurrent=${RECURRENT:-16} cdk=${CDK:-3}
min_epochs=${MIN_EPOCHS:-2} max_epochs=${MAX_EPOCHS:-8}
python3 - "$work/corpus.zip" "$train_files" "$corpus_dir" <<'PY'
import sys, zipfile, glob
files = sorted(glob.glob(sys.argv[3] + "/*.mid"))
with zipfile.ZipFile(sys.argv[1], "w") as z:
    n = int(sys.argv[2])
    for f in files[:n]:
        z.write(f, "train/" + f.split("/")[-1])
    z.write(files[n], "valid/" + files[n].split("/")[-1])
PY

# CPU seconds the whole machine spent busy so far (user, nice, system, irq, softirq, steal).
machine_seconds() { python3 -c "import os; f = open('/proc/stat').readline().split()[1:]; print(sum(int(f[i]) for i in (0, 1, 2, 5, 6, 7)) / os.sysconf('SC_CLK_TCK'))"; }
# CPU seconds (user + system) the given processes used so far: what the shared machine gave them.
cpu_seconds() { python3 -c "import os, sys; t = os.sysconf('SC_CLK_TCK'); print(sum(sum(int(x) for x in open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()[11:13]) for p in sys.argv[1:]) / t)" "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_node() { # role port database log
    dotnet "$dll" --urls "http://127.0.0.1:$2" --RnnRbm:Role "$1" --RnnRbm:Database postgres \
        --ConnectionStrings:Postgres "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$3" \
        --RnnRbm:DataFolder "$work/$3-$2" --RnnRbm:SeedDemo false --RnnRbm:Workers "$([ "$1" = web ] && echo 0 || echo 1)" > "$4" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 240); do
        curl -sf "http://127.0.0.1:$2/healthz/ready" > /dev/null && return 0
        sleep 0.5
    done
    echo "node $1 on $2 did not start:"; tail -n 20 "$4"; exit 1
}

run_search() { # base corpus minutes seed: runs a search to its end, prints its id
    local id state=queued
    id=$(curl -sf -H 'Content-Type: application/json' -d "{\"corpusId\":\"$2\",\"budgetMinutes\":$3,\"seed\":$4,\"minEpochs\":$min_epochs,\"maxEpochs\":$max_epochs,\"reduction\":2,\"hidden\":[$hidden],\"recurrent\":[$recurrent],\"cdK\":[$cdk],\"rbmPretrainEpochs\":[0],\"rnnPretrainEpochs\":[0]}" \
        "$1/api/searches" | python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
    while [ "$state" != succeeded ] && [ "$state" != failed ] && [ "$state" != cancelled ]; do
        sleep 2
        state=$(curl -sf "$1/api/searches/$id" | python3 -c "import json,sys; print(json.load(sys.stdin)['state'])")
    done
    echo "$id"
}

echo "search of $minutes minutes, $train_files train files of $corpus_dir, trials H $hidden, U $recurrent, CD-$cdk, rungs from $min_epochs to $max_epochs epochs (η 2); $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "${ROUNDS:-2}"); do
    for workers in "${counts[@]}"; do
        db="bench_${round}_${workers}"
        sql postgres "CREATE DATABASE $db"
        web=$(free_port)
        start_node web "$web" "$db" "$work/$db-web.log"
        worker_pids=()
        for w in $(seq 1 "$workers"); do
            start_node worker "$(free_port)" "$db" "$work/$db-worker$w.log"
            worker_pids+=("${pids[-1]}")
        done
        base="http://127.0.0.1:$web"
        corpus=$(curl -sf -F name=bench -F "files=@$work/corpus.zip" "$base/api/corpora" | python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
        # A warm-up search of half a minute first, so that no worker compiles the training code within the measured budget.
        run_search "$base" "$corpus" 0.5 $((round + 100)) > /dev/null
        cpu_before=$(cpu_seconds "${worker_pids[@]}")
        machine_before=$(machine_seconds)
        search=$(run_search "$base" "$corpus" "$minutes" "$round")
        cpu=$(python3 -c "print(f'{$(cpu_seconds "${worker_pids[@]}") - $cpu_before:.0f}')")
        machine=$(python3 -c "print(f'{$(machine_seconds) - $machine_before:.0f}')")
        state=$(curl -sf "$base/api/searches/$search" | python3 -c "import json,sys; print(json.load(sys.stdin)['state'])")
        read -r trials rung0 segments epochs nodes < <(sql "$db" "
            SELECT count(*), count(*) FILTER (WHERE \"Rung\" >= 0), coalesce(sum(\"Rung\" + 1), 0),
                   (SELECT count(*) FROM search_trial_epochs e JOIN search_trials t ON t.\"Id\" = e.\"TrialId\" WHERE t.\"SearchId\" = '$search'),
                   (SELECT count(DISTINCT e.\"Worker\") FROM search_trial_epochs e JOIN search_trials t ON t.\"Id\" = e.\"TrialId\" WHERE t.\"SearchId\" = '$search')
            FROM search_trials WHERE \"SearchId\" = '$search'" | tr '|' ' ')
        python3 - "$round" "$workers" "$state" "$minutes" "$trials" "$rung0" "$segments" "$epochs" "$nodes" "$cpu" "$machine" <<'PY'
import sys
r, w, state, minutes, trials, rung0, segments, epochs, nodes, cpu, machine = sys.argv[1:]
h = float(minutes) / 60
print(f"round {r}, {w} worker(s): {state}; trials started {trials}, reached rung 0 {rung0} ({int(rung0) / h:.0f}/h), "
      f"rung segments {segments} ({int(segments) / h:.0f}/h), epochs {epochs} ({int(epochs) / h:.0f}/h), trained on {nodes} worker(s); "
      f"the workers used {cpu} CPU-s of {float(minutes) * 60 * 2:.0f} ({float(cpu) / max(int(epochs), 1):.2f} per epoch), the machine {machine}")
PY
        stop_nodes
        sql postgres "DROP DATABASE $db WITH (FORCE)"
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
