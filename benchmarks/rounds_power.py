"""Rounds power: how often the leaders' rounds call a candidate faster, and how many they take.

The decision rule (``advisor.trials.remeasure``) on synthetic rounds (``advisor.trials.simulate``):
for true gains from none to x1.25 and per-round noise of 8% and 12%, the share of decisions that
apply the candidate and the mean rounds, with at most five rounds against up to eight, and
without the early stop. No model is trained; this measures the rule, not the machine.

    .venv/bin/python benchmarks/rounds_power.py [--seeds 200]
"""
from __future__ import annotations

import argparse

from _common import header, publish, table

from advisor.trials.measure import StudyOptions
from advisor.trials.simulate import simulate

VARIANTS = {"at most 5, early stop": StudyOptions(remeasure_rounds=5),
            "up to 8, early stop": StudyOptions(remeasure_rounds=8),
            "up to 8, no early stop": StudyOptions(remeasure_rounds=8, early_stop=False)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    lines = header("rounds power: the decision rule on synthetic rounds")
    rows = []
    for sigma in (0.08, 0.12):
        for gain in (1.0, 1.02, 1.10, 1.15, 1.25):
            row = [f"{sigma:.0%}", f"x{gain:.2f}"]
            for options in VARIANTS.values():
                runs = simulate(gain, args.seeds, options, sigma=sigma)
                row.append(f"{sum(r.called_faster for r in runs) / len(runs):.0%} "
                           f"({sum(r.rounds for r in runs) / len(runs):.1f} rounds)")
            rows.append(row)
            print(" | ".join(row), flush=True)
    lines += table(["noise per round", "true gain", *(f"called faster: {k}" for k in VARIANTS)], rows)
    lines += ["", f"{args.seeds} decisions per cell, the same seeds (rounds) in every column. A gain under "
                  "x1.03 is not worth a config change: calling it faster is the error; above, missing it is."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
