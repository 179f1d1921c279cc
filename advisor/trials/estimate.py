"""From a short window of timed steps to the throughput of a whole epoch of the sample.

A window holds a few batches; with bucketed or max-tokens batches those differ in length
several-fold, so the window's own instances/s says as much about which batches it drew as
about the setting. Step time is modelled as a fixed cost per step plus a cost per padded
position, fitted on the window, and summed over every batch of the epoch (the profile the
worker sends with each trial). Where the fit cannot be trusted (too few steps, lengths that
hardly vary, a negative slope or intercept), time proportional to padded positions is used.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Optional, Sequence

__all__ = ["EpochProfile", "epoch_rate"]


@dataclass(frozen=True)
class EpochProfile:
    """Totals over one epoch of the sample: what scaling a window to the epoch needs."""

    batches: int
    instances: int
    positions: int  # padded positions
    tokens: int = 0  # real tokens


_MIN_SPREAD = 0.05  # relative spread of window positions below which a slope is not fitted


def epoch_rate(seconds: Sequence[float], positions: Sequence[int], instances: Sequence[int],
               profile: Optional[EpochProfile]) -> float:
    """Instances per second over one epoch of ``profile``, from the window's timed steps.

    Without a profile (or without positions to go by), the window's own instances/s.
    """
    window = sum(instances) / sum(seconds)
    if profile is None or not profile.batches or not profile.positions or not sum(positions):
        return window
    n = len(seconds)
    mean_pos = sum(positions) / n
    spread = (max(positions) - min(positions)) / mean_pos if mean_pos else 0.0
    fit = statistics.linear_regression(positions, seconds) if n >= 4 and spread >= _MIN_SPREAD else None
    if fit is not None and fit.intercept >= 0 and fit.slope >= 0:
        epoch_s = fit.intercept * profile.batches + fit.slope * profile.positions
    else:
        epoch_s = sum(seconds) / sum(positions) * profile.positions
    return profile.instances / epoch_s if epoch_s > 0 else window
