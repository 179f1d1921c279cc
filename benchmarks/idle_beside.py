"""Idle beside: does an idle trial worker, alive next to a measurement, slow it?

A diagnostic for ``predict.py``. On the 2-vCPU VM the measurements taken while a trial worker
stayed alive beside them (a replay without the pool in ``worker_vs_trainer.py``, +5%) leaned slow
against a real epoch, and the same replay with no worker alive (``sample_vs_whole.py``) did not.
Here each repeat starts a lone trial worker, runs one 4 s window of the applied setting in it, and
then replays the analysis's sample in a fresh process (one warm epoch, two timed, scaled to the
full file) either with that worker still alive and idle (``beside``) or after it has quit
(``alone``). The two alternate, the first of each pair rotating. Every other step is the same.

    .venv/bin/python benchmarks/idle_beside.py [--example bilstm_classifier] [--repeats 6]
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from _analyze import advice, applied_setting, lone_pool, replay_in_fresh_process
from _common import diagnostic_args, header, paired_rows, publish, table

from advisor.trials import StudyOptions
from advisor.trials.level import WINDOW_S
from advisor.trials.measure import measure_window


def main() -> None:
    args = diagnostic_args(6)
    name = args.example
    columns = {"alone": [], "beside": []}
    with tempfile.TemporaryDirectory() as tmp:
        report, advised, _ = advice(name, args.budget, Path(tmp) / "advice")
        full, setting, _ = applied_setting(name, report, advised)
        config = advised / "config.cpu.jsonnet"

        def replay(beside: bool, logs: Path) -> float:
            pool = lone_pool(name, logs)
            try:
                measure_window(pool, setting, StudyOptions(), target_s=WINDOW_S)
                if not beside:
                    pool.close()
                return replay_in_fresh_process(name, config, setting, full, pool.allocator_paths)["seconds"]
            finally:
                pool.close()

        for repeat in range(args.repeats):
            order = ["alone", "beside"] if repeat % 2 == 0 else ["beside", "alone"]
            for cell in order:
                columns[cell].append(replay(cell == "beside", Path(tmp) / f"logs{repeat}-{cell}"))
            print(repeat, {k: round(v[-1], 1) for k, v in columns.items()}, flush=True)
    rows = paired_rows(columns, "alone", lambda seconds, alone: seconds / alone, lambda r: r > 1)
    lines = header(f"idle beside: {name}, {setting.label()}, a fresh replay of the sample, epoch seconds on the "
                   f"full file, with an idle trial worker alive beside it or not, in turn")
    lines += table(["replay", "median s", "min-max s", "vs alone (paired, median)", "min-max", "slower than alone"],
                   rows)
    publish(lines, args.out)


if __name__ == "__main__":
    main()
