"""Window vs epoch: does a 4 s window's epoch estimate depend on its batches, or on its process?

A diagnostic for ``predict.py``. Its lone worker's 4 s window leaned slow against the real epoch
(10 of 12 positive in the fifteenth session) while a fresh-process replay of the whole sample
before the same epochs did not (6 of 12). Two things set them apart, and this script takes them in
turn in one lone worker, each repeat in a rotated order:

- which batches a window times: 4 s windows beginning at 0, 1/4, 1/2 and 3/4 of the sample's
  replayed epoch, each scaled to the epoch through the fitted step-time model (:mod:`advisor.trials.estimate`);
- the process: the worker's own whole sample epoch (every batch once, no scaling) against a fresh
  process replaying the sample (one warm epoch, two timed, as ``sample_vs_whole.py``'s "runner,
  sample").

Everything is compared, paired per repeat, with the worker's whole sample epoch. All are epoch
seconds on the full file.

    .venv/bin/python benchmarks/window_vs_epoch.py [--example bilstm_classifier] [--repeats 6]
"""
from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from _analyze import advice, applied_setting, lone_pool, replay_in_fresh_process
from _common import diagnostic_args, header, paired_rows, publish, table

from advisor.trials import StudyOptions
from advisor.trials.level import MAX_STEPS, WINDOW_S
from advisor.trials.measure import measure_window, metrics_of

WHOLE = "worker, whole sample epoch"
FRESH = "fresh process, whole sample epochs"
QUARTERS = {f"4 s window at {q}/4": q for q in range(4)}


def main() -> None:
    args = diagnostic_args(6)
    name = args.example
    options = replace(StudyOptions(), max_steps=MAX_STEPS)  # as the level's windows
    cells = [*QUARTERS, WHOLE, FRESH]
    columns = {cell: [] for cell in cells}
    with tempfile.TemporaryDirectory() as tmp:
        report, advised, _ = advice(name, args.budget, Path(tmp) / "advice")
        full, setting, _ = applied_setting(name, report, advised)
        config = advised / "config.cpu.jsonnet"
        pool = lone_pool(name, Path(tmp) / "logs")
        try:
            for _ in range(3):  # the analysis's level windows come in a worker that has run many before
                batches = measure_window(pool, setting, options, target_s=WINDOW_S).profile.batches

            def seconds(cell: str) -> float:
                if cell == FRESH:
                    return replay_in_fresh_process(name, config, setting, full, pool.allocator_paths)["seconds"]
                if cell == WHOLE:
                    window = measure_window(pool, setting, options, steps=batches, offset=0)
                else:
                    window = measure_window(pool, setting, options, target_s=WINDOW_S,
                                            offset=QUARTERS[cell] * batches // 4)
                return full / metrics_of(window).instances_per_s

            for repeat in range(args.repeats):
                shift = repeat % len(cells)
                for cell in cells[shift:] + cells[:shift]:
                    columns[cell].append(seconds(cell))
                print(repeat, {k: round(v[-1], 1) for k, v in columns.items()}, flush=True)
        finally:
            pool.close()
    rows = paired_rows(columns, WHOLE, lambda value, whole: value / whole, lambda r: r > 1)
    lines = header(f"window vs epoch: {name}, {setting.label()}, epoch seconds on the full file ({full:,} "
                   f"instances), in one lone worker and a fresh process, in turn")
    lines += table(["measurement", "median s", "min-max s", "vs the worker's whole epoch (paired, median)",
                    "min-max", "slower than it"], rows)
    publish(lines, args.out)


if __name__ == "__main__":
    main()
