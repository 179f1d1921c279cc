"""Seconds per instance of a sample's bucketed epoch against the whole file's, in one trial runner process.

    .venv/bin/python benchmarks/file_seconds.py [--example transformer_classifier] [--sample 250] [--repeats 2]

``file_padding.py`` counts the whole file's bucket batches less padded than a small sample's, yet
predictions scaled to that count came out too fast (its docstring). Here two trial runners, one on
the sample and one on the whole file, replay their bucket epochs (no loader workers) in turn, every
step timed: seconds per instance of each epoch, their ratio against the ratio of padded positions,
and a least-squares fit of a step's seconds on its padded positions and their square (per batch).
"""
from __future__ import annotations

import statistics
from dataclasses import replace

from _analyze import example_experiment, example_runner
from _common import diagnostic_args, header, publish, table

from advisor.trials import BASELINE
from advisor.trials.runner import TrialRunner

BUCKET = replace(BASELINE, batch_layout="bucket", num_workers=0)


def _epoch(runner: TrialRunner):
    begun = runner.begin(BUCKET, 1)
    out = runner.steps(begun["epoch"]["batches"])
    runner.end()
    return out


def main() -> None:
    args = diagnostic_args(2, budget=False, example="transformer_classifier",
                           more=lambda p: p.add_argument("--sample", type=int, default=250))
    experiment = example_experiment(args.example)
    runners = {"sample": example_runner(experiment, args.sample), "whole": example_runner(experiment, 10 ** 9)}
    per_instance = {name: [] for name in runners}
    steps = {name: {"seconds": [], "positions": [], "instances": []} for name in runners}
    for _ in range(args.repeats):
        for name, runner in runners.items():  # in turn: the machine's drift falls on both
            rounds = max(1, 2000 // len(runner.built.instances)) if name == "sample" else 1
            for _ in range(rounds):
                out = _epoch(runner)
                per_instance[name].append(sum(out["seconds"]) / sum(out["instances"]))
                for key in steps[name]:
                    steps[name][key].extend(out[key])
    import numpy as np

    rows, positions = [], {}
    for name, s in steps.items():
        positions[name] = sum(s["positions"]) / sum(s["instances"])  # every epoch of a runner is the same batches
        x = np.array([[1.0, p, p * p] for p in s["positions"]])
        coef, *_ = np.linalg.lstsq(x, np.array(s["seconds"]), rcond=None)
        rows.append([name, f"{len(runners[name].built.instances):,}", f"{positions[name]:.2f}",
                     f"{1e3 * statistics.median(per_instance[name]):.3f}",
                     f"{1e3 * min(per_instance[name]):.3f}-{1e3 * max(per_instance[name]):.3f}",
                     f"{1e3 * coef[0]:.1f} ms + {1e6 * coef[1]:.1f} µs·p + {1e9 * coef[2]:.2f} ns·p²"])
    ratio_s = statistics.median(per_instance["whole"]) / statistics.median(per_instance["sample"])
    ratio_p = positions["whole"] / positions["sample"]
    lines = header(f"file seconds: a sample's bucketed epoch against the whole file's ({args.example})")
    lines += table(["epoch", "instances", "padded positions per instance", "ms per instance (median)",
                    "range", "a step's seconds fitted on its padded positions p"], rows)
    lines += ["", f"whole / sample: seconds per instance x{ratio_s:.3f}, padded positions per instance x{ratio_p:.3f}",
              "", f"{args.repeats} repeats, in turn; the sample's epoch replayed until it covers about 2,000 "
              "instances per repeat; every step timed after one warm-up step."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
