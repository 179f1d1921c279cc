"""Pooling the search's trials: the setting an additive model of their main effects predicts best.

Each trial is one noisy window (10% or more on a small shared machine), so the single fastest
trial is often a lucky draw that carries a harmful extra change (on the Bi-LSTM example: bucket
batches plus a loader worker that competes with training for the two cores). A main-effects
model fitted to every completed trial (log throughput = sum of one term per chosen value, ridge
regularised) pools the evidence for each value across all trials that used it; its predicted
best joins the leaders that the interleaved re-measure decides between.
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

import numpy  # Optuna's own dependency

from .setting import Choice, SearchSpace, Setting

__all__ = ["predicted_best"]

RIDGE = 0.5  # shrinks effects that few trials support towards none
MIN_TRIALS = 6


def _features(space: SearchSpace) -> List[Tuple[str, Choice]]:
    """One indicator per non-first value of every dimension that varies (the first is the baseline's)."""
    return [(name, value) for name, values in space.choices.items() if len(values) > 1 for value in values[1:]]


def predicted_best(measured: Dict[Setting, float], space: SearchSpace) -> Optional[Setting]:
    """The point of ``space`` with the highest predicted throughput, or None with too few trials."""
    points = [(s, v) for s, v in measured.items() if v and v > 0 and space.fits(s)]
    features = _features(space)
    if len(points) < MIN_TRIALS or not features:
        return None
    rows = [[1.0 if getattr(s, name) == value else 0.0 for name, value in features] for s, _ in points]
    ys = [math.log(v) for _, v in points]
    mean = sum(ys) / len(ys)
    ys = [y - mean for y in ys]
    p = len(features)
    # Centre the indicators so the ridge shrinks effects, not the overall level.
    centres = [sum(r[j] for r in rows) / len(rows) for j in range(p)]
    xs = [[r[j] - centres[j] for j in range(p)] for r in rows]
    gram = [[sum(x[i] * x[j] for x in xs) + (RIDGE if i == j else 0.0) for j in range(p)] for i in range(p)]
    rhs = [sum(x[i] * y for x, y in zip(xs, ys)) for i in range(p)]
    effect = dict(zip(features, (float(x) for x in numpy.linalg.solve(gram, rhs))))  # regular: ridge
    candidates = [s for s in space.grid() if space.fits(s)]
    if not candidates:
        return None
    return max(candidates, key=lambda s: sum(effect.get((name, getattr(s, name)), 0.0) for name in space.choices))
