#!/usr/bin/env bash
# Measures every snapshot of a training (OUT.eNNNN.rnnrbm written by `train --save-every N`, and OUT itself) on a
# validation folder by the bracket estimator (converged by its doubling check), one JSON file per snapshot beside it,
# and prints "snapshot  LL  converged  seconds" lines: how the recipe search of docs/results.md chose a stopping epoch.
#   scripts/experiments/snapshots.sh OUT.rnnrbm VALID_DIR
set -euo pipefail
out=${1:?the --out of the training}; valid=${2:?a folder of validation MIDI files}
cli=${RNNRBM_CLI:-"dotnet run -c Release --project $(dirname "$0")/../../src/Cli --"}
for model in "${out%.rnnrbm}".e*.rnnrbm "$out"; do
  [ -f "$model" ] || continue
  json="${model%.rnnrbm}.valid.json"
  if [ ! -s "$json" ]; then
    $cli evaluate --model "$model" --data "$valid" --estimator bracket --no-accuracy --json > "$json.tmp" 2>&1 && mv "$json.tmp" "$json"
  fi
  python3 - "$model" "$json" <<'PY'
import json, sys
model, path = sys.argv[1], sys.argv[2]
line = [l for l in open(path) if '"evaluation"' in l][-1]
e = json.loads(line)
print(f"{model}\t{e.get('logLikelihood'):.4f}\t{e.get('bracketConverged')}\t{e.get('bracketSeconds', 0):.0f}")
PY
done
