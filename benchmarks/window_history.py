"""Window history: is a level window slower after the worker ran other settings?

A diagnostic for ``predict.py``. In an analysis, the worker that takes the level windows of the
applied setting has run the search's and the rounds' windows of other settings before: another
thread count (the OpenMP pool shrinks and grows again) or the config's own batches (a second
replayed epoch in memory). In one lone worker, each repeat times 4 s windows of the applied
setting (A, bucket batches) right after a window of A, after two windows of A with one thread,
and after two windows of the config as-is (the baseline): the ratios are paired within a repeat.

    .venv/bin/python benchmarks/window_history.py [--example bilstm_classifier] [--repeats 8]
"""
from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from _common import REPO, diagnostic_args, header, paired_rows, publish, table

from advisor.config import load_experiment
from advisor.trials import Setting, StudyOptions
from advisor.trials.level import WINDOW_S
from advisor.trials.measure import measure_window, metrics_of
from advisor.trials.pool import WorkerJob, WorkerPool
from advisor.trials.setting import BASELINE


def main() -> None:
    args = diagnostic_args(8, budget=False)
    applied = Setting(batch_layout="bucket")
    before = {"after A": None, "after A with 1 thread": replace(applied, intra_op_threads=1),
              "after the baseline": BASELINE}
    experiment = load_experiment(REPO / "examples" / args.example / "config.jsonnet")
    options = StudyOptions()
    rates = {name: [] for name in before}
    with tempfile.TemporaryDirectory() as tmp:
        pool = WorkerPool(WorkerJob.of(experiment, options.sample_instances, options.sample_seconds), Path(tmp),
                          memory_limit=None, max_alive=1, allocator_paths={})

        def window(setting: Setting) -> float:
            return metrics_of(measure_window(pool, setting, options, target_s=WINDOW_S)).instances_per_s

        try:
            for setting in (applied, *filter(None, before.values()), applied):  # every epoch collated, warm
                window(setting)
            for repeat in range(args.repeats):
                for name, other in before.items():
                    for _ in range(2):
                        window(other or applied)
                    rates[name].append(window(applied))
                print(repeat, {k: round(v[-1], 1) for k, v in rates.items()}, flush=True)
        finally:
            pool.close()
    # The time of a window after the other setting over the time of one after A (rates inverted).
    rows = paired_rows(rates, "after A", lambda rate, after_a: after_a / rate, lambda r: r > 1)
    lines = header(f"window history: {args.example}, 4 s windows of {applied.label()} (instances/s)")
    lines += table(["window of A", "median", "min-max", "time vs after A (paired, median)", "min-max",
                    "slower than after A"], rows)
    publish(lines, args.out)


if __name__ == "__main__":
    main()
