"""From a short window of timed steps to the throughput of a whole epoch of the sample.

A window holds a few batches; with bucketed or max-tokens batches those differ in length
several-fold, so the window's own instances/s says as much about which batches it drew as
about the setting. Step time is modelled as a fixed cost per step plus a cost per padded
position, fitted on the window, and summed over every batch of the epoch (the profile the
worker sends with each trial). Where the fit cannot be trusted (too few steps, lengths that
hardly vary, a negative slope or intercept), time proportional to padded positions is used.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

__all__ = ["EpochProfile", "epoch_rate"]


@dataclass(frozen=True)
class EpochProfile:
    """Instances, padded positions and real tokens of every batch in one epoch of the sample."""

    instances: Sequence[int]
    positions: Sequence[int]
    tokens: Sequence[int] = ()

    @property
    def batches(self) -> int:
        return len(self.instances)


_MIN_SPREAD = 0.05  # relative spread of window positions below which a slope is not fitted


def _fit(x: Sequence[float], y: Sequence[float]):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxx = sum((a - mx) ** 2 for a in x)
    if sxx <= 0:
        return None
    slope = sum((a - mx) * (b - my) for a, b in zip(x, y)) / sxx
    return my - slope * mx, slope


def epoch_rate(seconds: Sequence[float], positions: Sequence[int], instances: Sequence[int],
               profile: Optional[EpochProfile]) -> float:
    """Instances per second over one epoch of ``profile``, from the window's timed steps.

    Without a profile (or without positions to go by), the window's own instances/s.
    """
    window = sum(instances) / sum(seconds)
    if profile is None or not profile.batches or not sum(profile.positions) or not sum(positions):
        return window
    epoch_instances = sum(profile.instances)
    n = len(seconds)
    mean_pos = sum(positions) / n
    spread = (max(positions) - min(positions)) / mean_pos if mean_pos else 0.0
    fit = _fit(positions, seconds) if n >= 4 and spread >= _MIN_SPREAD else None
    if fit is not None and fit[0] >= 0 and fit[1] >= 0:
        intercept, slope = fit
        epoch_s = intercept * profile.batches + slope * sum(profile.positions)
    else:
        epoch_s = sum(seconds) / sum(positions) * sum(profile.positions)
    return epoch_instances / epoch_s if epoch_s > 0 else window
