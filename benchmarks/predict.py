"""Predict: the advisor's predicted epoch time against one real `allennlp train` epoch.

For each example: `advisor analyze` predicts the first epoch (reading included) under its advice
(finding T001); then one real epoch on the full generated data trains with the advised config and
env.sh, without validation. Prints the error in percent (target: within ±15%).

    .venv/bin/python benchmarks/predict.py [--budget 120] [EXAMPLE ...]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _analyze import EXT, advice
from _common import REPO, env_exports, header, publish, table


def _seconds(duration: str) -> float:
    h, m, s = duration.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("examples", nargs="*", default=["bilstm_classifier", "gru_tagger"])
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.chdir(REPO)
    rows = []
    for name in args.examples:
        with tempfile.TemporaryDirectory() as tmp:
            report, advised, _ = advice(name, args.budget, Path(tmp) / "advice")
            t001 = next(f for f in report["findings"] if f["code"] == "T001")
            evidence = t001["evidence"]
            # AllenNLP reads and indexes the whole file before the trainer starts (without
            # max_instances_in_memory), so the trainer's training_duration is the steps alone.
            predicted = evidence["epoch seconds advised"]
            env = {**os.environ, **EXT.get(name, {}), **env_exports(advised / "env.sh")}
            overrides = {"trainer.num_epochs": 1, "validation_data_path": None}
            cmd = [sys.executable, "-m", "allennlp", "train", str(advised / "config.cpu.jsonnet"),
                   "-s", f"{tmp}/model", "-o", json.dumps(overrides)]
            if "cpu_bf16" in (advised / "config.cpu.jsonnet").read_text():
                cmd += ["--include-package", "advisor.integration"]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr[-2000:])
            real = _seconds(json.loads(Path(f"{tmp}/model/metrics.json").read_text())["training_duration"])
        error = (predicted - real) / real
        rows.append([name, evidence["instances per epoch"], f"{predicted:.1f}", f"{real:.1f}",
                     f"{error:+.1%}", "ok" if abs(error) <= 0.15 else "MISSED"])
        print(name, rows[-1], flush=True)
    lines = header("predict: predicted vs real first epoch (advised config, no validation)")
    lines += table(["example", "instances", "predicted s", "real s", "error", "target ±15%"], rows)
    publish(lines, args.out)


if __name__ == "__main__":
    main()
