"""Oracle: the advisor's search against an exhaustive grid over the same space.

For each example: run the advisor's study (at each ``--budget``; default 120 s), then measure
every point of the search space with the same trial procedure as the advisor's search (each point
in pieces beside the baseline's, as paired search trials are; ``--single-window`` for one plain
window per point), then re-measure the grid's best and the advisor's choices interleaved. Prints
best-of-grid throughput, the advisor's, their ratio, and the wall time of both searches.
Targets: ratio >= 0.95, the advisor's choice found in <= 20% of the grid's wall time, and advisor
overhead (worker start-up) under 25% of the budget.

Like is compared with like: the advice ``analyze`` applies is speed-only, so its ratio is taken
against the grid's best speed-only point; the advice with the behaviour changes it suggests
(bf16, max-tokens batches, where their gain was significant) is compared with the grid's best
point overall. "found after" is when the search first measured the setting it finally chose, or,
for the main-effects fit's prediction that no trial measured, when the search ended. "search ended
after" is the search's last trial: like the grid, a search without confirmation. "decided
after" is when the applied setting was final (search and the leaders' interleaved rounds); the
level window, the behaviour values' rounds over the applied setting and the what-ifs (model
variants: vocabulary, model size, outside the grid's space) come after it, in "advisor s".

    .venv/bin/python benchmarks/oracle.py [--budget 120 [--budget 60]] [--rounds 5] [EXAMPLE ...]
"""
from __future__ import annotations

import argparse
import datetime
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple, Tuple

import optuna
from optuna.trial import TrialState

from _common import REPO, header, median, publish, table

from advisor.config import load_experiment
from advisor.trials import BASELINE, Setting, StudyOptions, build_space, run_study
from advisor.trials.pool import TrialFailure, WorkerJob, WorkerPool
from advisor.trials.measure import beside_baseline, measure
from advisor.trials.remeasure import one_round
from probes import probe_machine


class AdvisorRun(NamedTuple):
    """One advisor study at one budget: its choice, what it suggests on top, and its times."""

    budget: float
    study: object
    chosen: Setting
    suggested: Setting
    wall_s: float
    found_s: float
    searched_s: float
    measured: Tuple[Tuple[float, Setting], ...]  # (seconds from the start, setting) of each trial it measured


def grid_search(experiment, machine, space, options, log_dir):
    """Every point of the space, measured as the advisor's search measures a trial: the baseline in
    one window first, then each point in pieces interleaved with the baseline's, its value the
    paired gain in units of the baseline's first rate (``--single-window``: one window per point)."""
    job = WorkerJob.of(experiment, options.sample_instances, options.sample_seconds)
    pool = WorkerPool(job, log_dir, memory_limit=None, max_alive=3,
                      allocator_paths={a.name: a.path for a in machine.runtime.allocators})
    results = {}
    sizes = {}
    start = time.perf_counter()
    try:
        reference = measure(pool, BASELINE, options)[0].instances_per_s
        results[BASELINE] = reference
        points = [s for s in space.grid() if s != BASELINE]
        for number, setting in enumerate(sorted(points, key=lambda s: str(s.process_key()))):  # few restarts
            try:
                if not options.paired_search:
                    results[setting] = measure(pool, setting, options)[0].instances_per_s
                    continue
                metrics = beside_baseline(pool, setting, options, number, sizes, None, None)[0]
                paired = metrics.baseline_instances_per_s  # None where the baseline's pieces failed
                results[setting] = metrics.instances_per_s / paired * reference if paired else metrics.instances_per_s
            except TrialFailure:
                results[setting] = 0.0
        wall = time.perf_counter() - start
        return results, wall, pool
    except BaseException:
        pool.close()
        raise


def _search_times(study, chosen, started_at) -> Tuple[float, float, Tuple[Tuple[float, Setting], ...]]:
    """Seconds from the start until the search first measured the setting it finally chose (for a
    setting no trial measured, the main-effects fit's prediction: until the search's last trial),
    until the search's last trial ended (the leaders' rounds begin there), and each setting the
    search measured with the seconds until its trial ended, in that order."""
    stored = optuna.load_study(study_name=study.study_name, storage=study.storage)
    done = sorted((t for t in stored.get_trials(deepcopy=False) if t.datetime_complete is not None),
                  key=lambda t: t.datetime_complete)
    ended = max(((t.datetime_complete - started_at).total_seconds() for t in done), default=float("nan"))
    measured = tuple(((t.datetime_complete - started_at).total_seconds(), Setting.from_params(t.params))
                     for t in done if t.state == TrialState.COMPLETE and t.user_attrs.get("reused_from") is None)
    found = next((seconds for seconds, setting in measured if setting == chosen), ended)
    return found, ended, measured


def near_best_s(measured: Tuple[Tuple[float, Setting], ...], grid: dict, best: Setting, share: float = 0.95) -> float:
    """Seconds until the search first measured a setting the grid measured at ``share`` of its best
    speed-only point or more (nan where none): when the search had a near-best setting in hand, by
    the grid's own trial of each point (one paired trial each, so within its noise)."""
    return next((seconds for seconds, setting in measured if setting.speed_only
                 and grid.get(setting, 0.0) >= share * grid[best]), float("nan"))


def interleave(pool, settings, options, rounds):
    """Rounds as the advisor's re-measure runs them (its own round: every window in pieces taken in turn)."""
    values = {s: [] for s in settings}
    sizes = {}
    for number in range(rounds):
        got, _ = one_round(pool, settings, options, 1000 + number, sizes, None, None, None)
        for s in settings:
            values[s].append(got[s])  # 0 where the setting failed
    return values


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("examples", nargs="*", default=["bilstm_classifier", "gru_tagger"])
    parser.add_argument("--budget", type=float, action="append",
                        help="the advisor's budget in seconds (repeat to compare budgets against one grid; default 120)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--single-window", action="store_true",
                        help="grid points in one window each, not paired with the baseline (faster, noisier)")
    parser.add_argument("--out", type=Path, default=None, help="append the Markdown table to this file")
    args = parser.parse_args()
    args.budget = args.budget or [120.0]
    os.chdir(REPO)
    machine = probe_machine()
    lines = header("oracle: advisor vs exhaustive grid")
    rows = []
    for name in args.examples:
        experiment = load_experiment(f"examples/{name}/config.jsonnet")
        space = build_space(machine, experiment)
        with tempfile.TemporaryDirectory() as tmp:
            runs = []  # per budget: the advisor's study, its choice and its times
            for budget in args.budget:
                started_at = datetime.datetime.now()  # Optuna stamps trials with naive local time
                t0 = time.perf_counter()
                study = run_study(experiment, machine, space, Path(tmp) / f"study-{budget:g}",
                                  options=StudyOptions(budget_s=budget))
                wall = time.perf_counter() - t0
                chosen = study.best.setting if study.best else BASELINE
                suggested = chosen
                for key, gain in study.behaviour_gains.items():
                    if gain.significant and gain.ratio > 1:
                        field, value = key.split("=", 1)
                        suggested = replace(suggested, **{field: value})
                runs.append(AdvisorRun(budget, study, chosen, suggested, wall, *_search_times(study, chosen, started_at)))
                fresh = [t for t in study.trials if t.state != "reused"]
                print(f"{name} @ {budget:g}s: {len(fresh)} trials measured; verdict "
                      f"{study.best.verdict if study.best else None}; "
                      + "; ".join(f"{k}: {c.verdict}" for k, c in study.comparisons.items())
                      + "; behaviour: " + ("; ".join(f"{k}: {g.verdict}" for k, g in study.behaviour_gains.items())
                                           or "none measured")
                      + (f"; notes: {' | '.join(study.notes)}" if study.notes else ""), flush=True)
            (Path(tmp) / "grid").mkdir()
            options = StudyOptions()
            grid_options = replace(options, paired_search=not args.single_window)
            grid, grid_wall, pool = grid_search(experiment, machine, space, grid_options, Path(tmp) / "grid")
            try:
                grid_best = max(grid, key=grid.get)
                grid_best_speed = max((s for s in grid if s.speed_only), key=grid.get)
                settings = [grid_best_speed, grid_best, *(s for run in runs for s in (run.chosen, run.suggested))]
                settings = list(dict.fromkeys([*settings, BASELINE]))
                again = interleave(pool, settings, options, args.rounds)
            finally:
                pool.close()
        for budget, study, chosen, suggested, wall, found_s, searched_s, measured in runs:
            near_s = near_best_s(measured, grid, grid_best_speed)
            ratio = median([a / g for a, g in zip(again[chosen], again[grid_best_speed])])
            ratio_all = median([a / g for a, g in zip(again[suggested], again[grid_best])])
            decided = study.overhead.decided_s
            rows.append([name, f"{budget:g}", len(grid), f"{median(again[grid_best_speed]):.1f}",
                         f"{median(again[chosen]):.1f}", f"{median(again[BASELINE]):.1f}", f"{ratio:.3f}",
                         f"{ratio_all:.3f}", f"{found_s:.0f}", f"{near_s:.0f}", f"{searched_s:.0f}", f"{decided:.0f}", f"{wall:.0f}",
                         f"{grid_wall:.0f}", f"{found_s / grid_wall:.0%}", f"{near_s / grid_wall:.0%}",
                         f"{searched_s / grid_wall:.0%}",
                         f"{decided / grid_wall:.0%}", f"{wall / grid_wall:.0%}",
                         f"{study.overhead.fraction_of_budget:.0%}", chosen.label(), grid_best_speed.label(),
                         suggested.label(), grid_best.label()])
            print(f"{name} @ {budget:g}s: advisor/grid {ratio:.3f} (with behaviour changes {ratio_all:.3f}), "
                  f"found after {found_s:.0f}s, a near-best setting after {near_s:.0f}s, search ended after {searched_s:.0f}s, decided after {decided:.0f}s, "
                  f"advisor {wall:.0f}s vs grid "
                  f"{grid_wall:.0f}s", flush=True)
    lines += table(["example", "budget s", "grid points", "grid best speed-only inst/s", "advisor inst/s", "baseline inst/s",
                    "advisor / grid best speed-only", "advisor+suggested / grid best overall", "found after s",
                    "near-best measured after s", "search ended after s", "decided after s", "advisor s", "grid s",
                    "found / grid time", "near-best / grid time", "search ended / grid time", "decided / grid time",
                    "advisor / grid time", "overhead / budget",
                    "advisor's setting", "grid's best speed-only", "advisor+suggested", "grid's best overall"], rows)
    procedure = "one window per point" if args.single_window else "each point paired with the baseline, as search trials are"
    lines += ["", f"Targets: ratio >= 0.95; found in <= 20% of the grid's time; overhead < 25% of the "
                  f"budget. \"found after\": when the search first measured the setting it finally chose; "
                  f"\"near-best measured after\": when it first measured a speed-only setting the grid measured "
                  f"at 0.95 of its best speed-only point or more (by the grid's one paired trial of each point); "
                  f"\"search ended after\": its last trial, where the leaders' rounds begin (the grid, a search "
                  f"too, has no such rounds); \"decided after\": when the applied setting was final (search and "
                  f"the leaders' interleaved rounds); the level window, the behaviour values' rounds and the what-ifs (model "
                  f"variants outside the grid's space) come after it. Ratios are "
                  f"medians of paired interleaved rounds ({args.rounds}). "
                  f"Grid: {procedure}."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
