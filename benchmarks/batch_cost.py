"""What a training step's time follows: a batch's padded positions or its real tokens.

    .venv/bin/python benchmarks/batch_cost.py [--example gpu_habits] [--repeats 4] [--steps 12] [--out FILE]

A trial's window is scaled to the epoch by padded positions (``advisor/trials/estimate.py``: the
window's seconds per position, or a fit of seconds on positions where the window has enough steps).
That is right where a step's cost grows with the padded tensor; a packed LSTM (AllenNLP's seq2vec
LSTM packs its sequences) skips the padding, so its cost may follow the real tokens instead, and a
window of other batches then reads another epoch time. Here one trial runner replays the example's
config layout and bucket batches (no loader workers, so each begin's offset draws other batches),
``--repeats`` begins each, ``--steps`` steps from each begin after a warm-up step, and fits the
steps' seconds on positions, on real tokens, and on both (least squares, with an intercept per
batch): the smaller a model's residual, the better it times a batch it has not seen.
"""
from __future__ import annotations

import statistics
from dataclasses import replace
from typing import Dict, List, Sequence

from _analyze import example_experiment, example_runner
from _common import diagnostic_args, header, publish, table

from advisor.trials import BASELINE

MODELS = {"seconds ∝ positions": ("positions",), "a + b·positions": ("one", "positions"),
          "a + c·tokens": ("one", "tokens"), "a + b·positions + c·tokens": ("one", "positions", "tokens")}


def _fit(steps: Dict[str, List[float]], columns: Sequence[str]) -> List[float]:
    """Relative residuals |fit - seconds| / seconds of a least-squares fit on ``columns``."""
    import numpy as np

    x = np.array([[1.0 if c == "one" else steps[c][i] for c in columns] for i in range(len(steps["seconds"]))])
    y = np.array(steps["seconds"])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    return [abs(f - s) / s for f, s in zip(x @ coef, y)]


def main() -> None:
    args = diagnostic_args(4, budget=False, example="gpu_habits",
                           more=lambda p: p.add_argument("--steps", type=int, default=12))
    runner = example_runner(example_experiment(args.example))  # the analysis's default sample
    layouts = {"config": replace(BASELINE, num_workers=0), "bucket": replace(BASELINE, num_workers=0,
                                                                             batch_layout="bucket")}
    steps: Dict[str, Dict[str, List[float]]] = {name: {"seconds": [], "positions": [], "tokens": []}
                                                for name in layouts}
    for repeat in range(args.repeats):
        for name, setting in layouts.items():  # in turn: the machine's drift falls on both
            runner.begin(setting, 1, offset=repeat * 7919)
            out = runner.steps(args.steps)
            runner.end()
            for key in steps[name]:
                steps[name][key].extend(out[key])
    both = {key: steps["config"][key] + steps["bucket"][key] for key in steps["config"]}
    rows = []
    for label, columns in MODELS.items():
        cells = [f"{statistics.median(r):.1%} ({max(r):.0%})" for r in
                 (_fit(steps["config"], columns), _fit(steps["bucket"], columns), _fit(both, columns))]
        rows.append([label, *cells])
    lines = header(f"batch cost: a step's seconds against its batch's positions and real tokens ({args.example})")
    lines += table(["model of a step's seconds", "config batches: median |residual| (largest)", "bucket batches",
                    "both layouts, one fit"], rows)
    per = [[name, f"{statistics.median(s['seconds']):.2f}",
            f"{1e3 * sum(s['seconds']) / sum(s['positions']):.3f}", f"{1e3 * sum(s['seconds']) / sum(s['tokens']):.3f}"]
           for name, s in steps.items()]
    lines += [""] + table(["layout", "median step s", "ms per position", "ms per real token"], per)
    lines += ["", f"{args.repeats} begins of each layout, in turn, in one trial runner replaying the sample without "
              f"loader workers, {args.steps} steps from each after one warm-up step, each begin at another offset. "
              "A fit on both layouts at once is what scaling a window of one layout to an epoch of another asks of "
              "the cost model."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
