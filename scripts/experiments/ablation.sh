#!/usr/bin/env bash
# The ablation of issue 10 (docs/results.md, "What each improvement buys"): one base recipe, then the base plus
# one improvement at a time, all with the same seed and the same fixed number of epochs (no early stopping, the last
# epoch kept), so that only the improvement differs. The valid log-likelihood of each model is measured afterwards on
# every 4th valid file (the first in name order) with
#   rnnrbm evaluate --model OUT/NAME.rnnrbm --data QUARTER --estimator bracket --no-accuracy --json
# (docs/results.md, "What each improvement buys").
#   scripts/experiments/ablation.sh DATASET_DIR OUT_DIR [EPOCHS]
# Example: scripts/experiments/ablation.sh datasets/nottingham /tmp/ablation-nottingham 25
set -euo pipefail
data=${1:?dataset folder with train/ and valid/}; out=${2:?output folder}; epochs=${3:-25}
cli=${RNNRBM_CLI:-"dotnet run -c Release --project $(dirname "$0")/../../src/Cli --"}
mkdir -p "$out"
# The base: the tutorial's recipe with 2 steps per quarter note and a 10x learning rate (0.001 barely moves in 25 epochs).
base=(--recipe seed --steps-per-quarter 2 --hidden 150 --recurrent 100 --batch-size 100 --cd-k 15
      --epochs "$epochs" --seed 1234 --no-validation --keep-last --patience 0 --json)
declare -A variants=(
  [base]="--learning-rate 0.01"
  [momentum]="--momentum 0.9 --learning-rate 0.001"
  [carry-state]="--learning-rate 0.01 --carry-state"
  [learn-u0]="--learning-rate 0.01 --learn-u0"
  [transpose]="--learning-rate 0.01 --transpose 6"
  [gru]="--learning-rate 0.01 --recurrence gru"
  [rbm-pretrain]="--learning-rate 0.01 --rbm-pretrain-epochs 10"
  [rnn-pretrain]="--learning-rate 0.01 --rnn-pretrain-epochs 10"
)
for name in ${ABLATION_VARIANTS:-base momentum carry-state learn-u0 transpose gru rnn-pretrain rbm-pretrain}; do
  [ -f "$out/$name.rnnrbm" ] && continue
  start=$(date +%s)
  # shellcheck disable=SC2086 # the variant's flags are words
  $cli train --data "$data" "${base[@]}" ${variants[$name]} --out "$out/$name.rnnrbm" > "$out/$name.log" 2>&1
  echo "$name trained in $(( $(date +%s) - start )) s"
done
