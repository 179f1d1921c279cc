"""Worker starts: the screening's workers one after another against side by side.

For each example, the workers of the process-level settings the screening measures (the config's
own, 1 inter-op thread, OpenMP binding where the space has them) are started one after another
(``WorkerPool.get`` each) and side by side (``WorkerPool.prestart``), in alternating order over
``--repeats`` pairs. Prints the median wall time of each and their ratio: the time
``run_study`` saves before its search by starting them side by side.

    .venv/bin/python benchmarks/starts.py [--repeats 3] [EXAMPLE ...]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from _common import REPO, header, median, publish, table

from advisor.config import load_experiment
from advisor.trials import BASELINE, StudyOptions, build_space
from advisor.trials.pool import WorkerJob, WorkerPool
from advisor.trials.screening import screening
from probes import probe_machine


def _wall(job, machine, settings, log_dir: Path, side_by_side: bool) -> float:
    pool = WorkerPool(job, log_dir, memory_limit=None, max_alive=len(settings),
                      allocator_paths={a.name: a.path for a in machine.runtime.allocators})
    try:
        start = time.perf_counter()
        if side_by_side:
            pool.prestart(settings)
        else:
            for setting in settings:
                pool.get(setting)
        return time.perf_counter() - start
    finally:
        pool.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("examples", nargs="*", default=["bilstm_classifier", "gru_tagger"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    os.chdir(REPO)
    machine = probe_machine()
    options = StudyOptions()
    lines = header("worker starts: one after another vs side by side")
    rows = []
    for name in args.examples:
        experiment = load_experiment(f"examples/{name}/config.jsonnet")
        seeds = screening(build_space(machine, experiment).speed_only())
        keys = {s.process_key(): s for s in [BASELINE, *seeds]}  # one setting per worker the screening needs
        settings = list(keys.values())
        job = WorkerJob.of(experiment, options.sample_instances, options.sample_seconds)
        times = {False: [], True: []}
        with tempfile.TemporaryDirectory() as tmp:
            for repeat in range(args.repeats):
                for side_by_side in ((False, True) if repeat % 2 == 0 else (True, False)):
                    times[side_by_side].append(_wall(job, machine, settings, Path(tmp), side_by_side))
        one_by_one, together = median(times[False]), median(times[True])
        spans = {k: f"{median(v):.1f} ({min(v):.1f}-{max(v):.1f})" for k, v in times.items()}
        rows.append([name, len(settings), spans[False], spans[True], f"x{together / one_by_one:.2f}"])
        print(rows[-1], flush=True)
    lines += table(["example", "workers", "one after another s (min-max)", "side by side s (min-max)",
                    "side by side / one after another"], rows)
    lines += ["", f"Medians of {args.repeats} repeats, the order alternating. The workers are those of the "
                  "process-level settings the screening measures; each builds the experiment and reads the sample."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
