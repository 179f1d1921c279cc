"""Overhead: wall time of `advisor check` and of `advisor analyze` at the default budget, per example.

Targets: check under 3 s; analyze under 3 minutes per example. The first `check` runs with an empty
cache of the torch-build facts (it imports torch, ``probes.torch_cache``), the next three with them.

    .venv/bin/python benchmarks/overhead.py [--budget 120] [EXAMPLE ...]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _analyze import advice
from _common import REPO, header, median, publish, table

EXT = {"gpu_habits": ["-V", "DATA_DIR=examples/gpu_habits/data/full"]}


def _wall(cmd, env=None) -> tuple:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env)
    return time.perf_counter() - start, proc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("examples", nargs="*", default=["bilstm_classifier", "gru_tagger", "cnn_classifier",
                                                        "transformer_classifier", "bert_classifier", "gpu_habits"])
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.chdir(REPO)
    rows = []
    for name in args.examples:
        subprocess.run([sys.executable, "examples/generate.py", name], check=True, capture_output=True)
        config = f"examples/{name}/config.jsonnet"
        check = [sys.executable, "-m", "advisor", "check", config, *EXT.get(name, [])]
        with tempfile.TemporaryDirectory() as cache:  # the torch-build facts' cache (probes.torch_cache), empty
            env = {**os.environ, "CPU_ADVISOR_CACHE_DIR": cache}
            cold = _wall(check, env)[0]  # imports torch for the torch-build facts, and keeps them
            checks = [_wall(check, env)[0] for _ in range(3)]
        with tempfile.TemporaryDirectory() as tmp:
            report, _, wall = advice(name, args.budget, Path(tmp) / "a", fresh=True)
        overhead = (report.get("study") or {}).get("overhead") or {}
        rows.append([name, f"{cold:.2f}", f"{median(checks):.2f}", f"{wall:.0f}", overhead.get("worker_starts", "-"),
                     f"{overhead.get('worker_start_s', 0):.0f}", f"{overhead.get('decided_s', 0):.0f}",
                     f"{overhead.get('total_s', 0):.0f}",
                     "ok" if max(cold, median(checks)) < 3 and wall < 180 else "MISSED"])
        study = report.get("study") or {}
        print(name, rows[-1], (study.get("best") or {}).get("verdict"), study.get("notes"), flush=True)
    lines = header("overhead: advisor check and advisor analyze wall time")
    lines += table(["example", "check s (first, empty torch-facts cache)", "check s (median of the next 3)", "analyze s (wall)", "worker starts", "building s",
                    "decided after s", "study s", "targets (check < 3 s, analyze < 180 s)"], rows)
    lines += ["", "\"decided after\": seconds from the study's start until the applied setting was final (search and "
                  "the leaders' rounds); the level window, the behaviour values' rounds and the what-ifs follow."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
