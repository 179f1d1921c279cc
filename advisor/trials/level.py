"""The applied setting's absolute speed, the level time predictions use.

The rounds compare settings in short interleaved pieces, where the machine's drift cancels out of
their ratios; a prediction needs the absolute rate instead, taken from continuous windows of the
applied setting alone. One window carries the machine's short-term noise into the prediction. On
a 2-vCPU AMD EPYC VM (``benchmarks/drift.py``: a bi-LSTM's steps timed second by second for ten
minutes), the rate of one 4 s window was within ±15% of the rate over a 40 s epoch beginning 10 s
or 60 s later at 87-93% of the positions; two 4 s windows 20 s or 60 s apart, pooled, at 96-98%;
one 16 s window at 97-100%. Two windows, one right after the decision and one after the behaviour
values' rounds, cost 4 s more of the budget than one, where 16 s would cost 12 s more.

The second window begins half an epoch of the sample further into the replay than the first, so the
two time different batches: twice as many of the epoch's batches carry the scaling to the whole
epoch (:mod:`.estimate`) as when both time the same ones.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import List, Optional, Tuple

from .measure import StudyOptions, Window, measure_window, metrics_of
from .pool import TrialFailure, WorkerPool
from .setting import Setting

__all__ = ["WINDOW_S", "WINDOW_COST_S", "MAX_STEPS", "Level"]

WINDOW_S = 4.0  # seconds of one continuous level window
WINDOW_COST_S = WINDOW_S + 1.0  # its wall time at least: warm-up and the worker's reply besides (4.3-5.3 s here)
MAX_STEPS = 400  # a tiny model's steps are milliseconds: the window is sized by time, not capped low


class Level:
    """Continuous windows of one setting, taken at points of the analysis, pooled into one rate."""

    def __init__(self, pool: WorkerPool, setting: Optional[Setting], options: StudyOptions) -> None:
        self.pool, self.setting = pool, setting
        self.options = replace(options, max_steps=MAX_STEPS)
        self.windows: List[Window] = []
        self.longest_s = 0.0  # the longest window's wall time so far, its warm-up and loader start included

    def take(self, deadline: Optional[float] = None) -> None:
        """One more window, unless there is no setting, or it cannot end before ``deadline``.

        A window times at least ``min_steps`` steps after its warm-up, so a heavy model's takes far
        longer than ``WINDOW_S``: the GPU-habits example's (3.2 s steps, a live loader of 8 workers)
        took about 35 s, and a second one begun 5 s before the deadline ran the analysis 11% past
        its budget. So the cost expected is the longest window so far where that is longer.
        """
        if self.setting is None or (deadline is not None and time.perf_counter() + self.cost_s() > deadline):
            return
        batches = self.windows[0].profile.batches if self.windows and self.windows[0].profile else 0
        offset = len(self.windows) * (batches // 2)
        began = time.perf_counter()
        try:
            self.windows.append(measure_window(self.pool, self.setting, self.options, target_s=WINDOW_S,
                                               offset=offset))
        except TrialFailure:
            pass  # a prediction without this window; the decision does not depend on it
        self.longest_s = max(self.longest_s, time.perf_counter() - began)

    def cost_s(self) -> float:
        """What the next window is expected to take: ``WINDOW_S`` and a second, or the longest so far."""
        return max(WINDOW_COST_S, self.longest_s)

    def rates(self) -> Tuple[float, ...]:
        """Each window's own instances/s, in the order taken."""
        return tuple(round(metrics_of(w).instances_per_s, 2) for w in self.windows)

    def pooled(self) -> Optional[float]:
        """Instances/s over every window's steps together (None without a window)."""
        if not self.windows:
            return None
        merged = self.windows[0]
        for window in self.windows[1:]:
            merged = merged.merged(window)
        return metrics_of(merged).instances_per_s
