"""Predict: the advisor's predicted epoch time against one real `allennlp train` epoch.

For each example: `advisor analyze` predicts the epoch's training steps under its advice (finding
T001, from two level windows pooled, with each window's own epoch time and the range the rounds'
speeds give: the machine's drift over the analysis); then real epochs on the full generated data
train with the advised config and env.sh, without validation, each a fresh `allennlp train` run
back to back. Prints the error in percent (target: within ±15%), whether the
real epochs fell in the range, and how far the real epochs differed from each other.

Right before each real epoch, a lone trial worker times one 4 s window of the applied setting, as
the analysis's level windows do (the same worker code, the same sample). Its epoch time splits each
error in two: how far the machine's speed moved between the analysis and the epoch (analysis vs
this window), and the method's own error at the epoch's minute (this window vs the real epoch).

The reference for the ±15% target: each real epoch taken as the forecast of the next one. It is
what a perfect method would predict from a measurement about one epoch earlier, so its misses are
the machine's own, over a horizon like the analysis's (its level windows end about a minute before
the first real epoch starts). With ``--epochs 3`` every run gives two such forecasts per example.

    .venv/bin/python benchmarks/predict.py [--budget 120] [--epochs 2] [--runs 1] [EXAMPLE ...]
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from _analyze import advice, applied_setting, lone_pool, real_epoch, replay_in_fresh_process
from _common import REPO, header, median, publish, table

from advisor.trials import StudyOptions
from advisor.trials.level import WINDOW_S
from advisor.trials.measure import measure_window, metrics_of
from advisor.trials.setting import Setting


def analysis_line(name: str, report: dict) -> str:
    """What the analysis measured and decided, as oracle.py prints it: why a run applied what it did."""
    study = report["study"]
    trials = ", ".join(f"{Setting(**t['setting']).label()} {t['value']:.0f}" for t in study["trials"]
                       if t["state"] == "complete" and t.get("value") is not None)
    best = study.get("best") or {}
    return (f"{name}: trials (search value) {trials}; verdict {best.get('verdict')}; "
            + "; ".join(f"{k}: {c['verdict']}" for k, c in study["comparisons"].items())
            + (f"; notes: {' | '.join(study['notes'])}" if study["notes"] else ""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("examples", nargs="*", default=["bilstm_classifier", "gru_tagger"])
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--epochs", type=int, default=2,
                        help="real epochs, each a fresh `allennlp train` run back to back (their spread is the "
                             "machine's own noise floor for this target)")
    parser.add_argument("--runs", type=int, default=1, help="fresh analyses per example, one after another "
                        "(the totals below the table pool them)")
    parser.add_argument("--fresh-replay", action="store_true",
                        help="before each real epoch, also replay the sample in a fresh process (no worker): "
                             "whether the worker's window or the fresh process matches the real epoch")
    parser.add_argument("--sample-instances", type=int, default=None,
                        help="the analysis's and the lone worker's sample (default: the advisor's)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.chdir(REPO)
    rows, totals = [], {"advisor": [], "advisor, first epoch": [], "previous real epoch": []}
    for run, name in [(run, name) for run in range(1, args.runs + 1) for name in args.examples]:
        with tempfile.TemporaryDirectory() as tmp:
            report, advised, _ = advice(name, args.budget, Path(tmp) / "advice", sample_instances=args.sample_instances)
            print(analysis_line(name, report), flush=True)
            t001 = next(f for f in report["findings"] if f["code"] == "T001")
            evidence = t001["evidence"]
            # AllenNLP reads and indexes the whole file before the trainer starts (without
            # max_instances_in_memory), so the trainer's training_duration is the steps alone.
            predicted = evidence["epoch seconds advised"]
            at_rounds = evidence.get("epoch seconds advised, range over the rounds' speeds")
            at_windows = evidence.get("epoch seconds advised, at each level window") or []
            _, setting, env = applied_setting(name, report, advised)
            pool = lone_pool(name, Path(tmp) / "logs", args.sample_instances)
            reals, probes, fresh, options = [], [], [], StudyOptions()
            try:
                # The analysis's level windows come in a worker that has run many windows before them.
                for _ in range(3):
                    measure_window(pool, setting, options, target_s=WINDOW_S)
                for i in range(args.epochs):
                    window = measure_window(pool, setting, options, target_s=WINDOW_S)
                    probes.append(evidence["instances per epoch"] / metrics_of(window).instances_per_s)
                    if args.fresh_replay:
                        fresh.append(replay_in_fresh_process(name, advised / "config.cpu.jsonnet", setting,
                                                             evidence["instances per epoch"],
                                                             pool.allocator_paths)["seconds"])
                    reals.append(real_epoch(advised, env, Path(tmp) / f"run{i}"))
            finally:
                pool.close()
        errors = [(predicted - real) / real for real in reals]
        moved = [(predicted - probe) / probe for probe in probes]  # analysis vs the window at the epoch
        method = [(probe - real) / real for probe, real in zip(probes, reals)]
        chained = [(before - after) / after for before, after in zip(reals, reals[1:])]
        within = sum(abs(e) <= 0.15 for e in errors)
        totals["advisor"] += errors
        totals["advisor, first epoch"].append(errors[0])
        totals["previous real epoch"] += chained
        inside = "-" if not at_rounds else f"{sum(at_rounds[0] <= r <= at_rounds[1] for r in reals)} of {len(reals)}"
        rows.append([name if args.runs == 1 else f"{name} (run {run})", setting.label(), evidence["instances per epoch"], f"{predicted:.1f}",
                     ", ".join(f"{w:.1f}" for w in at_windows) or "-",
                     f"{at_rounds[0]:.1f}-{at_rounds[1]:.1f}" if at_rounds else "-",
                     ", ".join(f"{r:.1f}" for r in reals), ", ".join(f"{e:+.1%}" for e in errors),
                     f"{max(reals) / min(reals) - 1:.1%}", inside, f"{within} of {len(reals)}",
                     ", ".join(f"{p:.1f}" for p in probes), ", ".join(f"{m:+.1%}" for m in moved),
                     ", ".join(f"{m:+.1%}" for m in method), ", ".join(f"{c:+.1%}" for c in chained) or "-"])
        if fresh:
            rows[-1].append(", ".join(f"{f:.1f} ({(f - r) / r:+.1%})" for f, r in zip(fresh, reals)))
        print(name, rows[-1], flush=True)
    lines = header("predict: predicted vs real first epoch (advised config, no validation)")
    lines += table(["example", "applied setting", "instances", "predicted s", "at each level window s",
                    "range at the rounds' speeds s", "real s (runs back to back)", "error", "real vs real",
                    "real inside the range", "within ±15%", "window right before each epoch s",
                    "machine moved (predicted vs that window)", "method at the epoch (that window vs real)",
                    "previous real epoch as the forecast (error)"]
                   + (["fresh replay of the sample before each epoch s (vs real)"] if args.fresh_replay else []), rows)
    lines += ["", "Each real epoch is a fresh `allennlp train` run on the full generated data; \"real vs real\" "
                  "is how much the slowest of them took longer than the fastest, the machine's own spread. "
                  "Before each, a lone trial worker timed one 4 s window of the applied setting: "
                  "(1 + error) = (1 + machine moved) x (1 + method at the epoch). The last column takes each "
                  "real epoch as the forecast of the next: the machine's own error over about one epoch.", ""]
    lines += [f"- within ±15%, {who}: {sum(abs(e) <= 0.15 for e in errs)} of {len(errs)} (median |error| "
              f"{median([abs(e) for e in errs]):.1%}, largest {max(abs(e) for e in errs):.1%})"
              for who, errs in totals.items() if errs]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
