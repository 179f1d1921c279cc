"""Noise-aware statistics: medians, spread, and when a difference is real.

A setting is called better than another only when the gain holds across
interleaved repeats: the ratio's bootstrap interval must clear 1 (and the
smallest gain worth reporting). Otherwise the verdict is "no significant
difference".
"""
from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from typing import List, Sequence, Tuple

__all__ = ["Spread", "Comparison", "spread", "compare", "MIN_GAIN"]

MIN_GAIN = 0.03  # gains under 3% are not worth a config change even when real


@dataclass(frozen=True)
class Spread:
    n: int
    median: float
    p25: float
    p75: float
    min: float
    max: float


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def spread(values: Sequence[float]) -> Spread:
    if not values:
        raise ValueError("spread of no values")
    return Spread(len(values), statistics.median(values), _quantile(values, 0.25), _quantile(values, 0.75),
                  min(values), max(values))


@dataclass(frozen=True)
class Comparison:
    """Candidate vs reference throughput from interleaved repeats (ratio > 1: candidate faster)."""

    ratio: float  # median of per-round ratios
    ci_low: float
    ci_high: float
    rounds: int
    significant: bool
    verdict: str


def _bootstrap_ci(ratios: Sequence[float], confidence: float, seed: int, draws: int = 2000) -> Tuple[float, float]:
    rng = random.Random(seed)
    medians = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(draws))
    tail = (1 - confidence) / 2
    return medians[int(tail * draws)], medians[min(draws - 1, int((1 - tail) * draws))]


def compare(reference: Sequence[float], candidate: Sequence[float], *, confidence: float = 0.9,
            min_gain: float = MIN_GAIN, seed: int = 0) -> Comparison:
    """Compare paired throughputs measured in the same rounds (reference[i] with candidate[i])."""
    if len(reference) != len(candidate) or not reference:
        raise ValueError("compare needs paired, non-empty measurements")
    ratios: List[float] = [c / r for r, c in zip(reference, candidate) if r > 0]
    ratio = statistics.median(ratios)
    low, high = _bootstrap_ci(ratios, confidence, seed) if len(ratios) > 1 else (ratio, ratio)
    if len(ratios) < 3:
        return Comparison(ratio, low, high, len(ratios), False,
                          f"x{ratio:.2f} from {len(ratios)} round(s): too few repeats to tell")
    if low > 1 + min_gain:
        return Comparison(ratio, low, high, len(ratios), True,
                          f"x{ratio:.2f} faster ({confidence:.0%} CI x{low:.2f}-x{high:.2f})")
    if high < 1 - min_gain:
        return Comparison(ratio, low, high, len(ratios), True,
                          f"x{ratio:.2f}: slower ({confidence:.0%} CI x{low:.2f}-x{high:.2f})")
    return Comparison(ratio, low, high, len(ratios), False,
                      f"no significant difference (x{ratio:.2f}, {confidence:.0%} CI x{low:.2f}-x{high:.2f})")
