#!/usr/bin/env bash
# Rewrites docs/openapi.json with the OpenAPI document the service serves (as the test host produces it), through
# the test that otherwise checks the copy (tests/RnnRbm.Api.Tests/OpenApiDocumentTests.cs). Review the diff and
# commit it: src/Client and tests/RnnRbm.Client.Tests generate their clients from this copy at build time.
set -euo pipefail
cd "$(dirname "$0")/.."
RNNRBM_UPDATE_OPENAPI=1 dotnet test tests/RnnRbm.Api.Tests -c Release \
  --filter "FullyQualifiedName~OpenApiDocumentTests.CheckedInCopy_IsWhatTheServiceServes" --logger "console;verbosity=minimal"
git --no-pager diff --stat -- docs/openapi.json
