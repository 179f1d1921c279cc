#!/usr/bin/env bash
# Run every benchmark and write benchmarks/results/<fingerprint>.md (heavy: about an hour on 2 CPUs).
#   bash benchmarks/run_all.sh            # after `bash scripts/demo` or `bash scripts/test` set up .venv
# Keep the machine otherwise idle while it runs: every number here is a timing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=.venv/bin/python
fp=$($PY -c 'from probes import probe_machine; print(probe_machine().fingerprint.value)')
out="benchmarks/results/$fp.md"
mkdir -p benchmarks/results
# One advisor analysis per example, timed by overhead.py and reused by the others (benchmarks/_analyze.py).
BENCH_ADVICE_DIR=$(mktemp -d -t advisor-bench-XXXXXX)
export BENCH_ADVICE_DIR
trap 'rm -rf "$BENCH_ADVICE_DIR"' EXIT
echo "# Benchmarks on machine $fp" > "$out"
$PY examples/generate.py
$PY benchmarks/overhead.py --out "$out"
$PY benchmarks/speedup.py --out "$out"
$PY benchmarks/oracle.py --out "$out"
$PY benchmarks/predict.py --out "$out"
$PY benchmarks/roofline.py --out "$out"
$PY benchmarks/rounds_power.py --out "$out"
$PY benchmarks/starts.py --out "$out"
$PY benchmarks/drift.py --out "$out"
echo "wrote $out"
