"""A live loader's first steps after a trial's begin, against its later ones.

    .venv/bin/python benchmarks/live_start.py [--example gpu_habits] [--repeats 3] [--steps 12] [--out FILE]

A streaming config (``max_instances_in_memory``) with loader workers is measured live
(``advisor/trials/runner.py``): every trial and every round's piece begins a new loader epoch, whose
workers all start reading at once. A heavy model's piece times two steps straight after that begin
(``advisor/trials/heavy.py``). Here one trial runner, in this process, begins the config's setting
(live workers) and ``num_workers=0`` (no workers: the replay, with the sample's reading time charged
per instance) in turn, times ``--steps`` steps from each begin, and compares the rates of two-step
windows after no, one and two warm-up steps with that of the steps after them: where a window
favours no workers by more than the steady steps do, a piece timed there is biased against the live
loader.
"""
from __future__ import annotations

import statistics
from dataclasses import replace

from _analyze import example_experiment, example_runner
from _common import diagnostic_args, header, publish, table

from advisor.trials import BASELINE


def main() -> None:
    args = diagnostic_args(3, budget=False, example="gpu_habits",
                           more=lambda p: p.add_argument("--steps", type=int, default=12))
    experiment = example_experiment(args.example)
    loader = experiment.facts.data_loader
    if not (loader.max_instances_in_memory and loader.num_workers > 0):
        raise SystemExit(f"{args.example}: its config does not stream through loader workers")
    runner = example_runner(experiment)  # the analysis's default sample
    settings = {f"config ({loader.num_workers} live workers)": BASELINE,
                "num_workers=0 (replay)": replace(BASELINE, num_workers=0)}
    # Two-step windows after 0, 1 and 2 warm-up steps, and the steps after them (the steady rate).
    spans = [(0, 2), (1, 3), (2, 4), (4, args.steps)]
    rates = {name: [[] for _ in spans] for name in settings}
    for _ in range(args.repeats):
        for name, setting in settings.items():  # in turn: the machine's drift falls on both
            runner.begin(setting, 0)
            out = runner.steps(args.steps)
            runner.end()
            for column, (a, b) in zip(rates[name], spans):
                column.append(sum(out["instances"][a:b]) / sum(out["seconds"][a:b]))
    rows = [[name, *(f"{statistics.median(c):.1f} ({min(c):.1f}-{max(c):.1f})" for c in columns)]
            for name, columns in rates.items()]
    live, replay = rates.values()
    rows.append(["no workers / live workers",
                 *(f"x{statistics.median(r) / statistics.median(v):.2f}" for r, v in zip(replay, live))])
    lines = header(f"live start: a live loader's first steps after a begin against the next ones ({args.example})")
    lines += table(["setting", "steps 1-2 inst/s (min-max)", "steps 2-3 (one warm-up)", "steps 3-4 (two warm-up)",
                    f"steps 5-{args.steps}"], rows)
    lines += ["", f"{args.repeats} begins of each setting, in turn, in one trial runner, timing {args.steps} steps "
              "from each begin; a heavy model's piece times steps 1-2. Medians of the per-begin rates."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
