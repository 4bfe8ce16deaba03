#!/usr/bin/env bash
# The main job until the web service lands: install what is needed, train briefly on the bundled demo
# corpus, then generate a piece (MIDI + piano-roll PNG) from it and from the bundled default model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dotnet build src/Cli -c Release -v quiet -nologo
rnnrbm() { dotnet src/Cli/bin/Release/net10.0/rnnrbm.dll "$@"; }
mkdir -p out
rnnrbm train --data datasets/demo --steps-per-quarter 2 --epochs 30 --out out/demo.rnnrbm
rnnrbm generate --model out/demo.rnnrbm --steps 200 --out out/demo.mid --png out/demo.png
if [ -f models/nottingham-default.rnnrbm ]; then
  rnnrbm generate --model models/nottingham-default.rnnrbm --steps 200 --out out/default.mid --png out/default.png
fi
echo "wrote out/demo.mid and out/demo.png (and out/default.* from the bundled model): play the MIDI files in any player"
