"""Worker vs trainer: do the trial worker's timed steps run at the real trainer's speed?

A diagnostic for ``predict.py``. In turn, each repeat times the applied setting of one analysis:

- (real) one `allennlp train` epoch on the full file in a fresh process, the advised config and
  env.sh (the trainer's ``training_duration``);
- (window) a 4 s window in a lone trial worker (the same worker all along, warmed by three
  windows first): what the analysis's level windows measure;
- (sample epoch) the same worker replaying one whole epoch of the sample (its steps also time the
  window's batches again, from the same start of the replay: whether those batches, or a window's
  first steps, are slower than the epoch's average);
- (no pool) a fresh process that builds the sample and replays it with the same runner code,
  without the worker pool (two epochs after a warm one).

Every time is scaled to the full file's instances. If the worker's steps ran slower than the
trainer's, (window) and (sample epoch) would sit above (real) in most repeats; if the pool were
the cause, (no pool) would not.

    .venv/bin/python benchmarks/worker_vs_trainer.py [--example bilstm_classifier] [--repeats 5]
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from _analyze import advice, applied_setting, lone_pool, real_epoch, replay_in_fresh_process
from _common import diagnostic_args, header, median, paired_rows, publish, table

from advisor.trials import StudyOptions
from advisor.trials.level import WINDOW_S
from advisor.trials.measure import measure_window, metrics_of


def main() -> None:
    args = diagnostic_args(5)
    name = args.example
    columns = {"real": [], "window": [], "sample epoch": [], "no pool": []}
    same = []  # per repeat: the window's steps' seconds / the same batches' seconds inside the sample epoch
    with tempfile.TemporaryDirectory() as tmp:
        report, advised, _ = advice(name, args.budget, Path(tmp) / "advice")
        full, setting, env = applied_setting(name, report, advised)
        options = StudyOptions()
        pool = lone_pool(name, Path(tmp) / "logs")
        try:
            for _ in range(3):
                measure_window(pool, setting, options, target_s=WINDOW_S)
            for repeat in range(args.repeats):
                columns["real"].append(real_epoch(advised, env, Path(tmp) / f"run{repeat}"))
                window = measure_window(pool, setting, options, target_s=WINDOW_S)
                columns["window"].append(full / metrics_of(window).instances_per_s)
                # One whole epoch of the sample: a warm-up step and every other batch once.
                epoch = measure_window(pool, setting, options, steps=window.profile.batches - 1, warmup=1)
                columns["sample epoch"].append(full / metrics_of(epoch).instances_per_s)
                # The window's batches (after its 3 warm-up steps) timed again inside the epoch (after its 1).
                timed = len(window.steps["seconds"])
                same.append(sum(window.steps["seconds"]) / sum(epoch.steps["seconds"][2:2 + timed]))
                columns["no pool"].append(replay_in_fresh_process(name, advised / "config.cpu.jsonnet", setting, full,
                                                                  pool.allocator_paths)["seconds"])
                print(repeat, {k: round(v[-1], 1) for k, v in columns.items()}, flush=True)
        finally:
            pool.close()
    rows = paired_rows(columns, "real", lambda seconds, real: seconds / real, lambda r: r > 1)
    lines = header(f"worker vs trainer: {name}, {setting.label()}, epoch seconds on the full file, in turn")
    lines += table(["measured", "median s", "min-max s", "vs real (paired, median)", "vs real min-max",
                    "slower than real"], rows)
    lines += ["", f"The window's own batches, timed again inside the sample epoch that followed it: window / epoch "
                  f"{median(same):.3f} (median; {min(same):.3f}-{max(same):.3f}; slower in the window "
                  f"{sum(r > 1 for r in same)} of {len(same)})."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
