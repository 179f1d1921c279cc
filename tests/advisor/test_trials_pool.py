"""The worker pool: workers started side by side before the search, and reused by it."""
from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace

import psutil
import pytest

from advisor.errors import AdvisorError
from advisor.trials import BASELINE
from advisor.trials.pool import _RELIST_S, TrialFailure, WorkerJob, WorkerPool, _TreeMemory

from ..conftest import EXAMPLES

TINY = EXAMPLES / "cnn_classifier" / "tiny.jsonnet"


@pytest.fixture
def pool(tiny_data, in_repo, tmp_path):
    job = WorkerJob(str(TINY), {}, None, (), sample_instances=64, sample_seconds=10.0)
    pool = WorkerPool(job, tmp_path, memory_limit=None, max_alive=3,
                      allocator_paths={"jemalloc": str(tmp_path / "gone" / "libjemalloc.so.2")})
    yield pool
    pool.close()


def test_prestart_starts_each_process_key_once_side_by_side_and_get_reuses_them(pool):
    inter_op = replace(BASELINE, inter_op_threads=1)
    close = replace(BASELINE, omp_proc_bind="close")
    both = replace(inter_op, omp_proc_bind="close")
    in_process = replace(BASELINE, batch_layout="bucket")  # the baseline's worker switches it: no start of its own

    started = pool.prestart([BASELINE, in_process, inter_op, close, both])

    assert started == 3 == pool.started  # capped at max_alive: the fourth key waits for get()
    assert len(pool.start_times) == 3
    # Waited for side by side: the wall time spent is less than the starts' own times added up.
    assert pool.start_seconds < sum(pool.start_times)
    assert pool.model_facts is not None  # one of them measured the model's facts
    workers = {s: pool.get(s) for s in (BASELINE, in_process, inter_op, close)}
    assert pool.started == 3  # get() found every one of them running
    assert workers[BASELINE] is workers[in_process]
    assert len({w.number for w in workers.values()}) == 3
    # A heavy model's rounds with no search before them: the others' workers are closed, not left idle.
    kept = workers[BASELINE]
    pool.keep_only([BASELINE, in_process])
    assert list(pool.workers.values()) == [kept] and kept.alive()
    assert not workers[inter_op].alive() and not workers[close].alive()


def test_a_start_that_fails_in_prestart_is_raised_by_get(pool):
    missing = replace(BASELINE, allocator="jemalloc")  # its LD_PRELOAD library does not exist

    assert pool.prestart([BASELINE, missing]) == 1
    assert pool.get(BASELINE).alive()
    with pytest.raises(TrialFailure, match="does not exist"):
        pool.get(missing)


def test_an_experiment_no_worker_can_build_is_raised_by_prestart_and_leaves_none_running(tiny_data, in_repo, tmp_path):
    broken = tmp_path / "broken.jsonnet"
    broken.write_text(f'(import "{TINY}") + {{ model+: {{ type: "no_such_model" }} }}\n')
    job = WorkerJob(str(broken), {}, None, (), sample_instances=64, sample_seconds=10.0)
    pool = WorkerPool(job, tmp_path, memory_limit=None, max_alive=3, allocator_paths={})

    with pytest.raises(AdvisorError, match="no_such_model"):
        pool.prestart([BASELINE, replace(BASELINE, inter_op_threads=1)])
    assert not pool.workers and pool.started == 2


def test_memory_watch_counts_a_child_and_lists_the_tree_at_most_every_relist_interval():
    # A parent whose child holds 300 MiB it has written (resident, not just reserved).
    child = "import time; b = b'x' * (300 << 20); time.sleep(60)"
    code = f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {child!r}]); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code])
    watch = _TreeMemory(psutil.Process(proc.pid))
    try:
        deadline = time.perf_counter() + 30
        while watch.rss() < 300 << 20:
            assert time.perf_counter() < deadline, "the child's memory was never counted"
            time.sleep(0.1)
        assert len(watch.children) == 1
        listed = watch.listed
        watch.rss()
        assert watch.listed == listed or watch.listed - listed >= _RELIST_S  # polls between listings reuse the list
    finally:
        for p in [*psutil.Process(proc.pid).children(recursive=True), psutil.Process(proc.pid)]:
            p.kill()
        proc.wait()


def test_workers_that_would_not_fit_in_memory_together_are_not_kept_together(tiny_data, in_repo, tmp_path):
    job = WorkerJob(str(TINY), {}, None, (), sample_instances=64, sample_seconds=10.0)
    # Room for one worker of this size and not two (each holds a few hundred MB).
    pool = WorkerPool(job, tmp_path, memory_limit=None, max_alive=3, allocator_paths={}, memory_total=600 << 20)
    try:
        inter_op = replace(BASELINE, inter_op_threads=1)
        assert pool.prestart([BASELINE, inter_op]) == 1  # the first starts; a second would not fit beside it
        first = pool.get(BASELINE)
        second = pool.get(inter_op)
        assert list(pool.workers.values()) == [second] and not first.alive()
        assert pool.closed_for_memory == 1
        assert pool.get(inter_op) is second  # the kept one is reused
    finally:
        pool.close()
    roomy = WorkerPool(job, tmp_path, memory_limit=None, max_alive=3, allocator_paths={}, memory_total=8 << 30)
    try:
        assert roomy.prestart([BASELINE, replace(BASELINE, inter_op_threads=1)]) == 2
        assert roomy.closed_for_memory == 0
    finally:
        roomy.close()
