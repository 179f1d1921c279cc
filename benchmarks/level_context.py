"""Level context: is a level window slower inside an analysis than in a worker alone?

A diagnostic for ``predict.py``. An analysis takes its level windows in a pool where other trial
workers sit idle (one per process-level setting the search measured) and where the parent polls
each busy worker's memory every 0.1 s (the process tree's resident size; listing the tree scans
every process). ``predict.py``'s window right before each epoch, and ``level_vs_real.py``, use a
worker alone with no memory watch. Interleaved, in turn, 4 s windows of one setting (bucket
batches) in:

- an analysis-like pool: three sibling workers started and each measured once, memory watch on;
- the same pool with the memory watch off;
- a lone worker.

    .venv/bin/python benchmarks/level_context.py [--example bilstm_classifier] [--repeats 12]
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from _common import REPO, diagnostic_args, header, paired_rows, publish, table

from advisor.config import load_experiment
from advisor.trials import Setting, StudyOptions
from advisor.trials.measure import measure_window, metrics_of
from advisor.trials.pool import WorkerJob, WorkerPool

_SIBLINGS = (Setting(inter_op_threads=1), Setting(omp_proc_bind="close"), Setting(inter_op_threads=1,
                                                                                    omp_proc_bind="close"))


def main() -> None:
    args = diagnostic_args(12, budget=False)
    experiment = load_experiment(REPO / "examples" / args.example / "config.jsonnet")
    options = StudyOptions()
    setting = Setting(batch_layout="bucket")
    job = WorkerJob.of(experiment, options.sample_instances, options.sample_seconds)
    watch = 1 << 40  # a limit never reached: the watch runs, and never stops a worker
    rates = {"analysis-like: siblings, memory watch": [], "siblings, no memory watch": [], "lone worker": []}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "a").mkdir()
        (Path(tmp) / "b").mkdir()
        crowded = WorkerPool(job, Path(tmp) / "a", memory_limit=watch, max_alive=len(_SIBLINGS) + 1, allocator_paths={})
        lone = WorkerPool(job, Path(tmp) / "b", memory_limit=None, max_alive=1, allocator_paths={})
        try:
            crowded.prestart([setting, *_SIBLINGS])
            for other in _SIBLINGS:  # each sibling has run a window, as in a search
                measure_window(crowded, other, options, target_s=1.0)
            for pool in (crowded, lone):
                measure_window(pool, setting, options, target_s=1.0)
            order = [(name, pool, limit) for name, (pool, limit) in
                     zip(rates, ((crowded, watch), (crowded, None), (lone, None)))]
            for repeat in range(args.repeats):
                for name, pool, limit in order[repeat % 3:] + order[: repeat % 3]:  # each goes first in turn
                    pool.get(setting).memory_limit = limit
                    rates[name].append(metrics_of(measure_window(pool, setting, options, target_s=4.0)).instances_per_s)
                print(repeat, {k: round(v[-1], 1) for k, v in rates.items()}, flush=True)
        finally:
            crowded.close()
            lone.close()
    rows = paired_rows(rates, "lone worker", lambda rate, lone: rate / lone, lambda r: r < 1)
    out = header(f"level context: {args.example}, bucket batches, 4 s windows in turn (instances/s)")
    out += table(["where", "median", "min-max", "vs lone (paired, median)", "vs lone min-max", "slower than lone"], rows)
    publish(out, args.out)


if __name__ == "__main__":
    main()
