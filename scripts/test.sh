#!/usr/bin/env bash
# Installs what the tests need, then builds and runs every test project.
# Ends with one line "N passed, N failed" (CI reads it).
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --tests || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
dotnet build RnnRbm.sln -c Release 2>&1 | tail -n 3
build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then
  dotnet build RnnRbm.sln -c Release 2>&1 | grep -E 'error' | sort -u | head -n 40
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test RnnRbm.sln -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One summary line per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the runner failed without counting a failure (crash, no tests): never report green
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
