"""How many steps a piece needs to read a batch layout's gain: bucket against the config's batches.

    .venv/bin/python benchmarks/layout_pieces.py [--example gpu_habits] [--repeats 6] [--steps 12]
                                                 [--same-batches] [--out FILE]

A heavy model's pieces time a few steps each (``advisor/trials/heavy.py``). Bucketed batches' steps
vary several-fold with their length, so a piece of few of them reads the layout's gain with a spread
that more steps narrow. Here one trial runner begins the config's setting and bucket batches in turn,
``--repeats`` times, each begin at another offset (a replayed epoch starts further on; a live loader's
epoch is shuffled by its own seed, as ``--same-batches`` leaves out: then every begin of a live
loader starts on the batches the analysis's pieces start on, ``runner.begin``'s seed), times
``--steps`` steps, and scales windows of 2, 4, 6 and all steps after one warm-up step to the epoch
as a trial does (``advisor/trials/estimate.py: epoch_rate``). The ratio's spread over the begins is
what one piece per setting would read. A second ratio scales each window by real tokens instead
(the window's seconds per token times the epoch's tokens): a packed LSTM's step follows its real
tokens (``batch_cost.py``), so with each begin on its own batches this scaling may read the same gain
with less spread.
"""
from __future__ import annotations

import math
import random
import statistics
from dataclasses import replace
from typing import Dict, List, Optional

from _analyze import example_experiment, example_runner
from _common import diagnostic_args, header, publish, table

from advisor.trials import BASELINE
from advisor.trials.estimate import EpochProfile, epoch_rate
from advisor.trials.runner import TrialRunner


class _Seeded(TrialRunner):
    """A trial runner whose live loader's epoch is shuffled by the begin's offset (the runner seeds 0)."""

    def begin(self, setting, warmup_steps, offset=0, slow_s=None):
        seed = random.seed
        random.seed = lambda _=None: seed(offset)  # the runner's random.seed(0), for this begin only
        try:
            return super().begin(setting, warmup_steps, offset, slow_s)
        finally:
            random.seed = seed


def _by_positions(out: Dict[str, List[float]], a: int, b: int, profile: Optional[EpochProfile]) -> float:
    """The window's instances/s scaled to the epoch as a trial's is."""
    return epoch_rate(out["seconds"][a:b], out["positions"][a:b], out["instances"][a:b], profile)


def _by_tokens(out: Dict[str, List[float]], a: int, b: int, profile: Optional[EpochProfile]) -> float:
    """The window's instances/s scaled to the epoch by real tokens (its own rate without a profile)."""
    seconds, tokens = sum(out["seconds"][a:b]), sum(out["tokens"][a:b])
    if profile is None or not profile.tokens or not tokens:
        return sum(out["instances"][a:b]) / seconds
    return profile.instances / (seconds / tokens * profile.tokens)


SCALINGS = {"trial": _by_positions, "tokens": _by_tokens}


def _ratio(bucket: List[float], config: List[float]) -> str:
    ratios = [x / y for x, y in zip(bucket, config)]
    sd = statistics.stdev(math.log(r) for r in ratios) if len(ratios) > 1 else 0.0
    return f"x{statistics.median(ratios):.2f} (x{min(ratios):.2f}-x{max(ratios):.2f}), {sd:.3f}"


def main() -> None:
    def more(parser) -> None:
        parser.add_argument("--steps", type=int, default=12)
        parser.add_argument("--same-batches", action="store_true")

    args = diagnostic_args(6, budget=False, example="gpu_habits", more=more)
    runner_type = TrialRunner if args.same_batches else _Seeded
    runner = example_runner(example_experiment(args.example), runner_type=runner_type)  # the default sample
    settings = {"config": BASELINE, "bucket": replace(BASELINE, batch_layout="bucket")}
    spans = [(1, 3), (1, 5), (1, 7), (1, args.steps)]
    # rates[scaling][setting name][span]: one rate per begin
    rates = {scaling: {name: [[] for _ in spans] for name in settings} for scaling in SCALINGS}
    for repeat in range(args.repeats):
        for name, setting in settings.items():  # in turn: the machine's drift falls on both
            begun = runner.begin(setting, 0, offset=0 if args.same_batches else repeat * 7919)
            profile = EpochProfile(**begun["epoch"]) if begun.get("epoch") else None
            out = runner.steps(args.steps)
            runner.end()
            for scaling, scale in SCALINGS.items():
                for column, (a, b) in zip(rates[scaling][name], spans):
                    column.append(scale(out, a, b, profile))
    rows = []
    for i, (a, b) in enumerate(spans):
        trial, tokens = rates["trial"], rates["tokens"]
        rows.append([f"{b - a} (steps {a + 1}-{b})", f"{statistics.median(trial['config'][i]):.1f}",
                     f"{statistics.median(trial['bucket'][i]):.1f}", _ratio(trial["bucket"][i], trial["config"][i]),
                     _ratio(tokens["bucket"][i], tokens["config"][i])])
    batches = "the same first batches at every begin" if args.same_batches else "each begin its own batches"
    lines = header(f"layout pieces: bucket against the config's batches over pieces of a few steps ({args.example})")
    lines += table(["timed steps after one warm-up step", "config inst/s (median)", "bucket inst/s (median)",
                    "bucket / config per begin: median (min-max), sd of log",
                    "the same, windows scaled by real tokens"], rows)
    lines += ["", f"{args.repeats} begins of each setting, in turn, in one trial runner, {batches}; each window "
              "scaled to the epoch as a trial's is."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
