"""Oracle: the advisor's search against an exhaustive grid over the same space.

For each example: run the advisor's study (default budget), then measure every point of the
search space with the same trial procedure, then re-measure the grid's best and the advisor's
choice interleaved. Prints best-of-grid throughput, the advisor's, their ratio, and the wall
time of both searches. Targets: ratio >= 0.95, advisor wall time <= 20% of the grid's, and
advisor overhead (worker start-up) under 25% of the budget.

    .venv/bin/python benchmarks/oracle.py [--budget 120] [--rounds 5] [EXAMPLE ...]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from _common import REPO, header, median, publish, table

from advisor.config import load_experiment
from advisor.trials import BASELINE, StudyOptions, build_space, run_study
from advisor.trials.pool import TrialFailure, WorkerJob, WorkerPool
from advisor.trials.study import _measure
from probes import probe_machine


def grid_search(experiment, machine, space, options, log_dir):
    job = WorkerJob(str(experiment.path), experiment.ext_vars, experiment.overrides, experiment.include_packages,
                    options.sample_instances, options.sample_seconds)
    pool = WorkerPool(job, log_dir, memory_limit=None, max_alive=3,
                      allocator_paths={a.name: a.path for a in machine.runtime.allocators})
    results = {}
    start = time.perf_counter()
    try:
        for setting in sorted(space.grid(), key=lambda s: str(s.process_key())):  # few worker restarts
            try:
                results[setting] = _measure(pool, setting, options)[0].instances_per_s
            except TrialFailure:
                results[setting] = 0.0
        wall = time.perf_counter() - start
        return results, wall, pool
    except BaseException:
        pool.close()
        raise


def interleave(pool, settings, options, rounds):
    values = {s: [] for s in settings}
    for _ in range(rounds):
        for s in settings:
            values[s].append(_measure(pool, s, options)[0].instances_per_s)
    return values


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("examples", nargs="*", default=["bilstm_classifier", "gru_tagger"])
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="append the Markdown table to this file")
    args = parser.parse_args()
    os.chdir(REPO)
    machine = probe_machine()
    lines = header("oracle: advisor vs exhaustive grid")
    rows = []
    for name in args.examples:
        experiment = load_experiment(f"examples/{name}/config.jsonnet")
        space = build_space(machine, experiment)
        options = StudyOptions(budget_s=args.budget)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            study = run_study(experiment, machine, space, Path(tmp) / "study", options=options)
            advisor_wall = time.perf_counter() - t0
            chosen = study.best.setting if study.best else BASELINE
            (Path(tmp) / "grid").mkdir()
            grid, grid_wall, pool = grid_search(experiment, machine, space, options, Path(tmp) / "grid")
            try:
                grid_best = max(grid, key=grid.get)
                settings = list(dict.fromkeys([grid_best, chosen, BASELINE]))
                again = interleave(pool, settings, options, args.rounds)
            finally:
                pool.close()
        ratio = median([a / g for a, g in zip(again[chosen], again[grid_best])])
        rows.append([name, len(grid), f"{median(again[grid_best]):.1f}", f"{median(again[chosen]):.1f}",
                     f"{median(again[BASELINE]):.1f}", f"{ratio:.3f}", f"{advisor_wall:.0f}", f"{grid_wall:.0f}",
                     f"{advisor_wall / grid_wall:.0%}", f"{study.overhead.fraction_of_budget:.0%}",
                     chosen.label(), grid_best.label()])
        print(f"{name}: advisor/grid {ratio:.3f}, advisor {advisor_wall:.0f}s vs grid {grid_wall:.0f}s", flush=True)
    lines += table(["example", "grid points", "grid best inst/s", "advisor inst/s", "baseline inst/s",
                    "advisor / grid (median of paired rounds)", "advisor s", "grid s", "advisor/grid time",
                    "overhead / budget", "advisor's setting", "grid's best"], rows)
    lines += ["", f"Targets: ratio >= 0.95; advisor time <= 20% of grid time; overhead < 25% of the "
                  f"{args.budget:.0f} s budget. Re-measured interleaved, {args.rounds} rounds."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
