"""The level time predictions use: continuous windows of the applied setting, pooled."""
from __future__ import annotations

import time

import pytest

from advisor.trials import BASELINE, StudyOptions
from advisor.trials.level import WINDOW_S, Level
from advisor.trials.measure import Window


def _window(step_s: float, steps: int = 10, instances: int = 32) -> Window:
    """Steps of one length each (no epoch profile: the window's own rate)."""
    collected = {"seconds": [step_s] * steps, "instances": [instances] * steps, "tokens": [instances * 20] * steps,
                 "positions": [instances * 24] * steps, "loss": [1.0] * steps}
    return Window(collected, None, 1, 1 << 20, 2, None, 1)


class _NoPool:
    def get(self, setting):
        raise AssertionError("no window was due")


def test_two_windows_pool_into_the_rate_over_all_their_steps():
    level = Level(_NoPool(), BASELINE, StudyOptions())
    level.windows = [_window(0.1), _window(0.3)]  # 320 inst/s and 106.7 inst/s, 1 s and 3 s long
    assert level.rates() == (320.0, 106.67)
    # 640 instances in 4 s: the time-weighted rate, not the mean of the two rates (213)
    assert level.pooled() == pytest.approx(160.0)


def test_no_window_is_begun_that_cannot_end_by_the_deadline_and_none_without_a_setting():
    soon = time.perf_counter() + WINDOW_S  # the window would end about then: too late by the margin
    level = Level(_NoPool(), BASELINE, StudyOptions())
    level.take(deadline=soon)
    assert level.windows == [] and level.pooled() is None and level.rates() == ()
    Level(_NoPool(), None, StudyOptions()).take()


def test_a_window_longer_than_the_nominal_one_sets_the_cost_the_deadline_is_checked_against():
    level = Level(_NoPool(), BASELINE, StudyOptions())
    level.longest_s = 30.0  # a heavy model's first window: warm-up, loader start and the minimum steps
    level.take(deadline=time.perf_counter() + 3 * WINDOW_S)  # room for a nominal window, not for that one
    assert level.windows == []


class _ReplayWorker:
    """Answers a window's requests as a worker replaying a 40-batch epoch would, noting each begin's offset."""

    number = 1

    def __init__(self):
        self.offsets = []

    def request(self, message, timeout):
        if message["op"] == "begin":
            self.offsets.append(message["offset"])
            return {"threads": 2, "warmup": {"seconds": [0.5] * message["warmup"]},
                    "epoch": {"batches": 40, "instances": 1280, "positions": 30720, "tokens": 25600}}
        if message["op"] == "steps":
            n = message["n"]
            return {"seconds": [0.5] * n, "instances": [32] * n, "tokens": [640] * n, "positions": [768] * n,
                    "loss": [1.0] * n}
        return {"peak_rss_bytes": 1 << 20}


class _OneWorkerPool:
    def __init__(self):
        self.worker = _ReplayWorker()

    def get(self, setting):
        return self.worker


def test_the_second_window_times_other_batches_half_an_epoch_further_on():
    pool = _OneWorkerPool()
    level = Level(pool, BASELINE, StudyOptions())
    level.take()
    level.take()
    assert pool.worker.offsets == [0, 20]
    assert len(level.windows) == 2 and level.pooled() == pytest.approx(64.0)  # 32 instances per 0.5 s step
