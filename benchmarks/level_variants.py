"""Level variants: which way of timing the applied setting's level comes closest to the real epoch?

A diagnostic for ``predict.py``. Each repeat runs one real `allennlp train` epoch on the full file
(the advised config and env.sh, in a fresh process), then, in one lone trial worker, windows of
the applied setting timed in different ways, each scaled to the full file's epoch:

- ``4 s`` (the analysis's level window: three warm-up steps, then 4 s of steps), once right after
  the real epoch (``4 s, first``) and once again last (``4 s, last``): whether the real process's
  end (its archive written, its memory freed) slows the window that follows it;
- ``4 s, 12 warm-up``: more warm-up steps before the same 4 s;
- ``16 s``: a four times longer window;
- ``4 s, other batches``: the 4 s window begun half an epoch further into the replay, so it times
  other batches (whether the batches the first level window times, scaled to the epoch, lean; the
  second now begins there, ``advisor.trials.level``).

The middle three run in a rotated order, so none always follows the real epoch. A variant whose
ratio to the real epoch sits nearer 1.0, in most repeats, is the better level measurement.

    .venv/bin/python benchmarks/level_variants.py [--example bilstm_classifier] [--repeats 6]
"""
from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from _analyze import advice, applied_setting, lone_pool, real_epoch
from _common import diagnostic_args, header, paired_rows, publish, table

from advisor.trials import StudyOptions
from advisor.trials.level import MAX_STEPS, WINDOW_S
from advisor.trials.measure import measure_window, metrics_of

# name -> measure_window keywords (``offset`` in epochs of the sample, turned into batches below)
VARIANTS = {
    "4 s, 12 warm-up": {"warmup": 12, "target_s": WINDOW_S},
    "16 s": {"target_s": 4 * WINDOW_S},
    "4 s, other batches": {"target_s": WINDOW_S, "offset": 0.5},
}


def main() -> None:
    args = diagnostic_args(6)
    name = args.example
    columns = {k: [] for k in ["real", "4 s, first", *VARIANTS, "4 s, last"]}
    with tempfile.TemporaryDirectory() as tmp:
        report, advised, _ = advice(name, args.budget, Path(tmp) / "advice")
        full, setting, env = applied_setting(name, report, advised)
        options = replace(StudyOptions(), max_steps=MAX_STEPS)  # as the level's windows
        pool = lone_pool(name, Path(tmp) / "logs")

        def epoch_s(**kwargs) -> float:
            return full / metrics_of(measure_window(pool, setting, options, **kwargs)).instances_per_s

        try:
            batches = measure_window(pool, setting, options, target_s=WINDOW_S).profile.batches
            for _ in range(2):  # the analysis's level windows come in a worker that has run many before
                measure_window(pool, setting, options, target_s=WINDOW_S)
            for repeat in range(args.repeats):
                columns["real"].append(real_epoch(advised, env, Path(tmp) / f"run{repeat}"))
                columns["4 s, first"].append(epoch_s(target_s=WINDOW_S))
                names = list(VARIANTS)
                for variant in names[repeat % len(names):] + names[:repeat % len(names)]:
                    kwargs = dict(VARIANTS[variant])
                    if "offset" in kwargs:
                        kwargs["offset"] = int(kwargs["offset"] * batches)
                    columns[variant].append(epoch_s(**kwargs))
                columns["4 s, last"].append(epoch_s(target_s=WINDOW_S))
                print(repeat, {k: round(v[-1], 1) for k, v in columns.items()}, flush=True)
        finally:
            pool.close()
    rows = paired_rows(columns, "real", lambda seconds, real: seconds / real, lambda r: r > 1)
    lines = header(f"level variants: {name}, {setting.label()}, epoch seconds on the full file")
    lines += table(["measured", "median s", "min-max s", "vs real (paired, median)", "vs real min-max",
                    "slower than real"], rows)
    publish(lines, args.out)


if __name__ == "__main__":
    main()
