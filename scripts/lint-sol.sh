#!/usr/bin/env bash
# solhint over the tracked Solidity sources (generated verifiers are git-ignored
# and left exactly as snarkjs wrote them, so they are not linted).
set -euo pipefail
mapfile -t files < <(git ls-files 'contracts/*.sol' 'contracts/**/*.sol')
if [ "${#files[@]}" -eq 0 ]; then
  echo "solhint: no hand-written Solidity sources yet"
  exit 0
fi
exec solhint --max-warnings 0 --disc --noPoster "${files[@]}"
