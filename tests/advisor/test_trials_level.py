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
