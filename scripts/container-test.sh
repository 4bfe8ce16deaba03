#!/usr/bin/env bash
# The container image and the compose stack, for real, with podman (no Docker engine and no image registry here):
# installs podman and friends, makes the local base images (scripts/container-bases.sh, cached), builds the RnnRbm
# image, starts docker-compose.yml (PostgreSQL, one web node, two workers) and drives it as an operator would:
#   every node healthy (the image's own health check: database reachable), the same numerics backend on every node;
#   a corpus uploaded through the web node; a training; the worker holding it killed (podman kill); the other worker
#   takes it over and every epoch is recorded once; a MIDI generated from the web node; the stack taken down and
#   brought up again, with the corpus, the training, the model and the generation still there.
# Ends with one line of figures. Exit status 0 when everything held. Every container, pod, network and volume it made
# is removed at exit; it touches no other.
# Usage: scripts/container-test.sh   (root; about 6-15 min cold on 2 cores, less with the caches warm)
# Environment: RNNRBM_CONTAINER_CACHE (debootstrap tarball; default /var/cache/rnnrbm-container),
#              RNNRBM_CONTAINER_SLIM=0 to skip building the image variant without MKL.
set -uo pipefail
cd "$(dirname "$0")/.."

t0=$(date +%s)
project=rnnrbmct$$
image=localhost/rnnrbm:container-test
slim_image=localhost/rnnrbm:container-test-slim
work=$(mktemp -d /tmp/rnnrbm-container-test.XXXXXX)
say() { echo "container-test: [$(( $(date +%s) - t0 )) s] $*"; }
compose() { timeout "${COMPOSE_TIMEOUT:-300}" podman-compose -p "$project" -f docker-compose.yml "$@" >>"$work/compose.log" 2>&1; }
containers() { podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}' 2>/dev/null | sort; }

dump() {
  echo "--- podman-compose (last lines) ---"; tail -n 30 "$work/compose.log" 2>/dev/null
  for c in $(containers); do
    echo "--- $c: $(podman inspect --format '{{.State.Status}} exit {{.State.ExitCode}}' "$c" 2>/dev/null) (last log lines) ---"
    timeout 20 podman logs --tail 25 "$c" 2>&1
  done
}
fail() { echo "container-test: FAILED after $(( $(date +%s) - t0 )) s: $*" >&2; dump >&2; exit 1; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  # Only what this run made: its project's containers, pod, network and volumes.
  local names; names=$(containers)
  [ -n "$names" ] && timeout 120 podman rm -f -t 5 $names >/dev/null 2>&1
  podman pod rm -f "pod_$project" >/dev/null 2>&1
  for v in $(podman volume ls -q --filter "label=io.podman.compose.project=$project" 2>/dev/null) "${project}_pgdata"; do
    podman volume rm -f "$v" >/dev/null 2>&1
  done
  podman network rm -f "${project}_default" >/dev/null 2>&1
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- podman and friends ---------------------------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || fail "run as root (podman with runc and cgroupfs, debootstrap)"
# dnsname: the name "postgres" resolves on a compose network (podman 4.3 uses CNI here; without the plugin the
# nodes fail with "Name or service not known").
missing=()
for p in podman runc debootstrap podman-compose golang-github-containernetworking-plugin-dnsname; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  { timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y --no-install-recommends \
      "${missing[@]}" slirp4netns uidmap containernetworking-plugins iptables; } >"$work/apt.log" 2>&1 \
    || { tail -n 20 "$work/apt.log"; fail "apt-get install ${missing[*]}"; }
fi
# Debian 12's podman defaults to crun ("cgroups in hybrid mode not supported" here) and to ulimits the sandbox
# refuses: this run's own containers.conf, leaving the machine's alone.
cat > "$work/containers.conf" <<'EOF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
EOF
export CONTAINERS_CONF=$work/containers.conf
timeout 60 podman info >/dev/null 2>&1 || fail "podman info failed: $(timeout 60 podman info 2>&1 | tail -n 3)"

# --- base images and the RnnRbm image ----------------------------------------------------------------------------------
timeout 1500 scripts/container-bases.sh || fail "making the base images (scripts/container-bases.sh)"
say "base images ready"

# The build restores NuGet packages from this machine's packages folder, mounted read-only: the container cannot
# make this machine's NuGet traffic itself (HTTPS through an intercepting proxy whose CA only the host trusts).
# The host restore fills the folder (scripts/test.sh has built the solution already; this is quick then).
timeout 600 dotnet restore src/Api/RnnRbm.Api.csproj >"$work/restore.log" 2>&1 || { tail -n 20 "$work/restore.log"; fail "dotnet restore"; }
nuget_packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
build_image() { # $1 tag, then extra build arguments
  local tag=$1; shift
  timeout 1500 podman build --format docker -t "$tag" \
    --build-arg SDK_IMAGE=localhost/rnnrbm-base/dotnet-sdk:10.0 \
    --build-arg DOTNET_IMAGE=localhost/rnnrbm-base/dotnet-aspnet:10.0 \
    --build-arg BASE_IMAGE=localhost/rnnrbm-base/debian:12-minbase \
    --build-arg NUGET_SOURCE=/nuget -v "$nuget_packages:/nuget:ro" "$@" . >"$work/build.log" 2>&1 \
    || { grep -E 'error|STEP' "$work/build.log" | tail -n 15; tail -n 15 "$work/build.log"; fail "podman build $tag"; }
}
start=$(date +%s)
build_image "$image"
say "built $image in $(( $(date +%s) - start )) s"
size() { podman image inspect --format '{{.Size}}' "$1" | awk '{printf "%.0f MiB", $1 / 1048576}'; }
image_size=$(size "$image")
slim_size="not built"
if [ "${RNNRBM_CONTAINER_SLIM:-1}" != 0 ]; then
  start=$(date +%s)
  build_image "$slim_image" --build-arg NATIVE_BLAS=libopenblas0-pthread
  slim_size=$(size "$slim_image")
  say "built $slim_image in $(( $(date +%s) - start )) s"
fi
say "image sizes: full (MKL) $image_size, slim (no MKL) $slim_size"

# What MKL is worth on this CPU: the full image measuring every backend at start (RnnRbm:NumericsBackend auto); and
# the image without MKL starts and finds the other two.
start_numerics() { # $1 image; echoes its "Numerics backend: ..." log line
  local name=${project}_numerics line deadline=$(( $(date +%s) + 180 ))
  timeout 60 podman run -d --name "$name" --label "io.podman.compose.project=$project" \
    -e RnnRbm__NumericsBackend=auto -e RnnRbm__Role=worker "$1" >/dev/null || fail "podman run $1"
  until line=$(timeout 30 podman logs "$name" 2>&1 | grep -m1 -o 'Numerics backend: .*'); do
    [ "$(date +%s)" -ge "$deadline" ] && fail "$1 logged no numerics backend within 180 s"
    sleep 1
  done
  timeout 60 podman rm -f -t 5 "$name" >/dev/null 2>&1
  echo "$line"
}
numerics=$(start_numerics "$image") || exit 1
say "full image, auto: $numerics"
numerics_times=$(sed -n 's/.*(median per call): \(.*\)\.$/\1/p' <<<"$numerics")
if [ "${RNNRBM_CONTAINER_SLIM:-1}" != 0 ]; then
  slim_numerics=$(start_numerics "$slim_image") || exit 1
  say "image without MKL, auto: $slim_numerics"
  case "$(sed -n 's/.*(median per call): //p' <<<"$slim_numerics")" in
    *mkl*) fail "the image without MKL still measured MKL: $slim_numerics" ;;
  esac
fi

# --- the stack ----------------------------------------------------------------------------------------------------------
# A free port on 127.0.0.1 for the web node, away from the tests' PostgreSQL (55434) and the service's 5080.
port=18080
while (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
export POSTGRES_PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
# An API key, as a deployment reachable by others would have: every mutating request below sends it.
export RNNRBM_API_KEY=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
key=(-H "X-Api-Key: $RNNRBM_API_KEY")
export RNNRBM_IMAGE=$image POSTGRES_IMAGE=localhost/rnnrbm-base/postgres:15 RNNRBM_WORKERS=2 \
  RNNRBM_PUBLISH=127.0.0.1:$port RNNRBM_NUMERICS=simd
B=http://127.0.0.1:$port
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
psql_q() { timeout 30 podman exec "${project}_postgres_1" psql -U rnnrbm -d rnnrbm -tAc "$1"; }

# Podman runs health checks from systemd timers, and there is no systemd here: run each container's own health
# check (the image's HEALTHCHECK, the compose file's for PostgreSQL) until all pass, as a timer would.
wait_healthy() { # $1 deadline in seconds, then the services; fails on timeout
  local limit=$1 deadline=$(( $(date +%s) + $1 )) c pending
  shift
  while :; do
    pending=()
    for c in "$@"; do
      c=${project}_$c
      timeout 30 podman healthcheck run "$c" >/dev/null 2>&1 || pending+=("$c")
    done
    [ ${#pending[@]} -eq 0 ] && return 0
    [ "$(date +%s)" -ge "$deadline" ] && fail "not healthy within $limit s: ${pending[*]}"
    sleep 1
  done
}
# PostgreSQL's connections per node (client address), sampled while the stack works; the peaks are read at the end.
# Samples go to a file: the polling runs inside command substitutions (subshells).
sample_connections() {
  psql_q "select client_addr, count(*) from pg_stat_activity where datname = 'rnnrbm' and client_addr is not null group by 1" \
    >> "$work/connections.txt" 2>/dev/null
}
declare -A hosts=()
map_hosts() { # container IP -> service name
  local c ip
  for c in "${project}_web_1" "${project}_worker_1" "${project}_worker_2"; do
    ip=$(podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$c")
    [ -n "$ip" ] || fail "$c has no address on the compose network"
    hosts[$ip]=${c#"${project}_"}
  done
}
peaks() {
  local addr n
  declare -A peak=()
  [ -f "$work/connections.txt" ] || return 0
  while IFS='|' read -r addr n; do
    addr=${hosts[$addr]:-}
    [ -n "$addr" ] && [ "${peak[$addr]:-0}" -lt "$n" ] && peak[$addr]=$n
  done < "$work/connections.txt"
  for addr in "${!peak[@]}"; do echo "$addr ${peak[$addr]}"; done | sort | awk '{printf "%s%s %s", (NR>1 ? ", " : ""), $1, $2}'
}

# podman-compose 1.0.3 ignores depends_on's condition: service_healthy (docker compose waits for it), and nodes started
# before PostgreSQL answers exit and are restarted by their restart policy. So, as an operator would with it:
# PostgreSQL first, until healthy, then the rest.
up() {
  compose up -d --no-build postgres || fail "podman-compose up postgres"
  wait_healthy 120 postgres_1
  compose up -d --no-build || fail "podman-compose up"
  wait_healthy 300 postgres_1 web_1 worker_1 worker_2
}
say "starting the stack (project $project, web on $B)"
start=$(date +%s)
up
ready_s=$(( $(date +%s) - start ))
say "every node healthy $ready_s s after 'up'"
map_hosts
for c in web_1 worker_1 worker_2; do
  backend=$(timeout 30 podman exec "${project}_$c" curl -fsS http://127.0.0.1:8080/healthz/ready | json "d['numerics']['backend']") \
    || fail "$c: /healthz/ready"
  [ "$backend" = simd ] || fail "$c trains on $backend, not the compose file's simd"
done
say "numerics backend simd on every node"

# A corpus through the web node: five demo files, the last as validation (a zip keeps a split; files get 90/10).
files=()
for f in $(ls datasets/demo/*.mid | sort | head -n 5); do files+=(-F "files=@$f"); done
curl -sS --fail-with-body --max-time 120 "${key[@]}" -F name=container-test "${files[@]}" "$B/api/corpora" > "$work/corpus.json" || fail "upload: $(cat "$work/corpus.json")"
cid=$(json "d['id']" < "$work/corpus.json")
say "corpus $cid uploaded"

# A tiny training (the scale-out tests' recipe: epochs of a fraction of a second) planned far longer than the test:
# killed at epoch 2, taken over, then cancelled once the survivor has run a few epochs (a cancelled training keeps
# its model), so the test takes the same time however fast the machine trains.
epochs=5000
curl -sS --fail-with-body --max-time 60 "${key[@]}" -H 'Content-Type: application/json' \
  -d "{\"corpusId\":\"$cid\",\"stepsPerQuarter\":2,\"hidden\":16,\"recurrent\":8,\"cdK\":1,\"epochs\":$epochs,\"seed\":7,\"patience\":0}" \
  "$B/api/trainings" > "$work/training.json" || fail "start training: $(cat "$work/training.json")"
tid=$(json "d['id']" < "$work/training.json")
training() { curl -fsS --max-time 30 "$B/api/trainings/$tid"; }
last_sample=0
wait_training() { # $1 python condition on d, $2 deadline s; echoes the last state
  local deadline=$(( $(date +%s) + $2 )) body
  while :; do
    body=$(training) && [ "$(json "$1" <<<"$body")" = True ] && { echo "$body"; return 0; }
    # PostgreSQL's connections every 5 s (a podman exec takes a while; it must not slow the polling).
    [ $(( $(date +%s) - last_sample )) -ge 5 ] && { sample_connections; last_sample=$(date +%s); }
    [ "$(date +%s)" -ge "$deadline" ] && { echo "$body"; return 1; }
    sleep 0.5
  done
}
body=$(wait_training "d['epoch'] >= 2 or d['state'] in ('succeeded','failed','cancelled')" 300) \
  || fail "training $tid did not reach epoch 2: $body"
[ "$(json "d['state']" <<<"$body")" = running ] || fail "training ended before the kill: $body"
owner=$(psql_q "select \"LeaseOwner\" from trainings where \"Id\" = '$tid'") || fail "read lease owner"
owner_host=${owner%%/*}
victim="" survivor=""
for c in "${project}_worker_1" "${project}_worker_2"; do
  if [ "$(podman inspect --format '{{.Config.Hostname}}' "$c")" = "$owner_host" ]; then victim=$c; else survivor=$c; fi
done
[ -n "$victim" ] || fail "lease owner $owner is no worker of this stack"
survivor_host=$(podman inspect --format '{{.Config.Hostname}}' "$survivor")
timeout 30 podman kill "$victim" >/dev/null || fail "podman kill $victim"
killed=$(date +%s)
epoch_at_kill=$(psql_q "select \"EpochsCompleted\" from trainings where \"Id\" = '$tid'")
say "killed $victim (held training $tid at epoch $epoch_at_kill of $epochs)"

# The web node shows it stalled, then the survivor takes it over (TakeoverDelay, 30 s) and trains on.
body=$(wait_training "d['state'] != 'running'" 120) || fail "training never left running after the kill: $body"
[ "$(json "d['state']" <<<"$body")" = stalled ] || fail "after the kill the training went to $(json "d['state']" <<<"$body"), not stalled"
say "the web node shows it stalled"
deadline=$(( $(date +%s) + 240 ))
while :; do
  now_owner=$(psql_q "select coalesce(\"LeaseOwner\", '') from trainings where \"Id\" = '$tid' and \"State\" = 'running'")
  [ "${now_owner%%/*}" = "$survivor_host" ] && break
  [ "$(date +%s)" -ge "$deadline" ] && fail "the survivor did not take training $tid over within 240 s (owner now: '$now_owner')"
  sleep 0.5
done
takeover_s=$(( $(date +%s) - killed ))
say "$survivor took the training over $takeover_s s after the kill"
[ "$(podman inspect --format '{{.State.Status}}' "$victim")" != running ] || fail "$victim is running again (restart policy?)"
body=$(wait_training "d['epoch'] >= $epoch_at_kill + 3 or d['state'] in ('succeeded','failed','cancelled')" 300) \
  || fail "the survivor did not complete 3 epochs: $body"
curl -sS --fail-with-body --max-time 60 "${key[@]}" -X POST "$B/api/trainings/$tid/cancel" > "$work/cancel.json" \
  || fail "cancel: $(cat "$work/cancel.json")"
body=$(wait_training "d['state'] in ('succeeded','failed','cancelled') and d['modelId'] is not None" 300) || fail "training did not stop: $body"
[ "$(json "d['state']" <<<"$body")" = cancelled ] || fail "training ended $(json "d['state'], d.get('error')" <<<"$body")"
# The history: epochs 1..n once each, past the kill (after a cancel its last entry may be the epoch in flight,
# which the model keeps; it has no record below, which holds completed epochs only).
epochs_done=$(json "len(d['history'])" <<<"$body")
[ "$(json "[e['epoch'] for e in d['history']] == list(range(1, len(d['history']) + 1)) and len(d['history']) > $epoch_at_kill" <<<"$body")" = True ] \
  || fail "history is not epochs 1..n once each, beyond the kill's $epoch_at_kill"
mid=$(json "d['modelId']" <<<"$body")
final=$(json "d['state'], d['modelId'], len(d['history'])" <<<"$body")
# Each epoch recorded once (the table's key), by the victim up to the kill and by the survivor after it.
psql_q "select \"Epoch\", split_part(\"Worker\", '/', 1) from training_epochs where \"TrainingId\" = '$tid' order by 1" \
  > "$work/epochs.txt" || fail "read training_epochs"
python3 - "$work/epochs.txt" "$epochs_done" "$epoch_at_kill" "$owner_host" "$survivor_host" <<'PY' || fail "epoch records"
import sys
rows = [l.split('|') for l in open(sys.argv[1]).read().split()]
epochs, at_kill, victim, survivor = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
numbers = [int(e) for e, _ in rows]
assert numbers == list(range(1, len(rows) + 1)), f"epoch records are not 1..n once each: {numbers}"
assert len(rows) in (epochs, epochs - 1), f"{len(rows)} epoch records, {epochs} epochs in the training's history"
assert all(w == victim for e, w in rows if int(e) <= at_kill), f"epochs up to {at_kill} not all by {victim}: {rows}"
assert all(w == survivor for e, w in rows if int(e) > at_kill), f"epochs after {at_kill} not all by {survivor}: {rows}"
print(f"container-test: epochs 1-{at_kill} by the killed worker, {at_kill + 1}-{len(rows)} by the survivor, each once")
PY

# A piece from the web node, kept as a generation.
curl -sS --fail-with-body --max-time 120 "${key[@]}" -H 'Content-Type: application/json' -d "{\"modelId\":\"$mid\",\"steps\":200,\"seed\":42}" \
  "$B/api/generations" > "$work/generation.json" || fail "generate: $(cat "$work/generation.json")"
gid=$(json "d['id']" < "$work/generation.json")
curl -fsS --max-time 60 "$B/api/generations/$gid/midi" -o "$work/piece.mid" || fail "download the MIDI"
[ "$(head -c 4 "$work/piece.mid")" = MThd ] || fail "the generation's MIDI does not start with MThd"
midi_sha=$(sha256sum < "$work/piece.mid")
say "generated $gid from model $mid: $(stat -c %s "$work/piece.mid") bytes of MIDI"
sample_connections

connections=$(peaks)

# Down and up again: new containers, the same named volume.
start=$(date +%s)
COMPOSE_TIMEOUT=240 compose down || fail "podman-compose down"
[ -z "$(containers)" ] || fail "containers left after down: $(containers)"
say "stack down in $(( $(date +%s) - start )) s"
start=$(date +%s)
up
again_s=$(( $(date +%s) - start ))
say "up again, every node healthy after $again_s s"
[ "$(training | json "d['state'], d['modelId'], len(d['history'])")" = "$final" ] || fail "the training is not as it was ($final) after the restart"
curl -fsS --max-time 30 "$B/api/corpora" | json "any(c['id'] == '$cid' for c in d)" | grep -qx True || fail "the corpus is gone"
curl -fsS --max-time 60 "$B/api/generations/$gid/midi" -o "$work/again.mid" || fail "the generation is gone"
[ "$(sha256sum < "$work/again.mid")" = "$midi_sha" ] || fail "the generation's MIDI changed across the restart"
curl -fsS --max-time 30 -o /dev/null "$B/api/models/$mid" || fail "the model is gone"
say "after down and up: the corpus, the training, its model and the generation's MIDI (same bytes) are there"

say "peak PostgreSQL connections per node (Maximum Pool Size 8), before the restart: ${connections:-none seen}"
echo "container-test: figures: image $image_size (without MKL: $slim_size; auto measured ${numerics_times:-n/a}), start-to-ready ${ready_s} s (again: ${again_s} s), takeover ${takeover_s} s, total $(( $(date +%s) - t0 )) s"
