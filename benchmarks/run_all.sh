#!/usr/bin/env bash
# Run every benchmark and write benchmarks/results/<fingerprint>.md (heavy: tens of minutes).
#   bash benchmarks/run_all.sh            # after `bash scripts/demo` or `bash scripts/test` set up .venv
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=.venv/bin/python
fp=$($PY -c 'from probes import probe_machine; print(probe_machine().fingerprint.value)')
out="benchmarks/results/$fp.md"
mkdir -p benchmarks/results
echo "# Benchmarks on machine $fp" > "$out"
$PY examples/generate.py
$PY benchmarks/overhead.py --out "$out"
$PY benchmarks/oracle.py --out "$out"
$PY benchmarks/predict.py --out "$out"
$PY benchmarks/roofline.py --out "$out"
$PY benchmarks/speedup.py --out "$out"
echo "wrote $out"
