"""A live loader's first steps after a trial's begin, against its later ones.

    .venv/bin/python benchmarks/live_start.py [--example gpu_habits] [--repeats 3] [--steps 12] [--out FILE]

A streaming config (``max_instances_in_memory``) with loader workers is measured live
(``advisor/trials/runner.py``): every trial and every round's piece begins a new loader epoch, whose
workers all start reading at once. A heavy model's piece times two steps straight after that begin
(``advisor/trials/heavy.py``). Here one trial runner, in this process, begins the config's setting
(live workers) and ``num_workers=0`` (no workers: the replay, with the sample's reading time charged
per instance) in turn, times ``--steps`` steps from each begin, and compares the rates of the first
two steps with those of the rest: if the first two favour no workers by more than the rest do, a
two-step piece is biased against the live loader.
"""
from __future__ import annotations

import statistics
from dataclasses import replace

from _analyze import EXT
from _common import diagnostic_args, header, publish, table

from advisor.config import load_experiment
from advisor.inspect.build import SampleCaps, build_experiment
from advisor.trials import BASELINE
from advisor.trials.runner import TrialRunner


def main() -> None:
    args = diagnostic_args(3, budget=False, example="gpu_habits",
                           more=lambda p: p.add_argument("--steps", type=int, default=12))
    experiment = load_experiment(f"examples/{args.example}/config.jsonnet", ext_vars=EXT.get(args.example))
    runner = TrialRunner(build_experiment(experiment, SampleCaps()))  # the analysis's default sample
    if not (runner.config_mem and runner._config_workers() > 0):
        raise SystemExit(f"{args.example}: its config does not stream through loader workers")
    settings = {f"config ({runner._config_workers()} live workers)": BASELINE,
                "num_workers=0 (replay)": replace(BASELINE, num_workers=0)}
    rates = {name: ([], []) for name in settings}
    for _ in range(args.repeats):
        for name, setting in settings.items():  # in turn: the machine's drift falls on both
            runner.begin(setting, 0)
            out = runner.steps(args.steps)
            runner.end()
            seconds, instances = out["seconds"], out["instances"]
            rates[name][0].append(sum(instances[:2]) / sum(seconds[:2]))
            rates[name][1].append(sum(instances[2:]) / sum(seconds[2:]))
    rows = [[name, f"{statistics.median(first):.1f} ({min(first):.1f}-{max(first):.1f})",
             f"{statistics.median(rest):.1f} ({min(rest):.1f}-{max(rest):.1f})"]
            for name, (first, rest) in rates.items()]
    live, replay = rates.values()
    rows.append(["no workers / live workers",
                 f"x{statistics.median(replay[0]) / statistics.median(live[0]):.2f}",
                 f"x{statistics.median(replay[1]) / statistics.median(live[1]):.2f}"])
    lines = header(f"live start: a live loader's first two steps against the next ones ({args.example})")
    lines += table(["setting", "first 2 steps inst/s (min-max)", f"steps 3-{args.steps} inst/s (min-max)"], rows)
    lines += ["", f"{args.repeats} begins of each setting, in turn, in one trial runner; no warm-up step, as in "
              "a heavy model's piece. Medians of the per-begin rates."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
