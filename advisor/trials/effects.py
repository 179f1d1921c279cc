"""Pooling the search's trials: the setting an additive model of their main effects predicts best.

Each trial is one noisy window (10% or more on a small shared machine), so the single fastest
trial is often a lucky draw that carries a harmful extra change (on the Bi-LSTM example: bucket
batches plus a loader worker that competes with training for the two cores). A main-effects
model fitted to every completed trial (log throughput = sum of one term per chosen value, ridge
regularised) pools the evidence for each value across all trials that used it; its predicted
best joins the leaders that the interleaved re-measure decides between, and its effects say which
of the applied changes made the difference (an estimate, labelled as one in the report).
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

import numpy  # Optuna's own dependency

from .result import ValueEffect
from .setting import BASELINE, Choice, SearchSpace, Setting
from .stats import MIN_GAIN

__all__ = ["applied_effects", "main_effects", "predicted_best", "value_effects"]

RIDGE = 0.5  # shrinks effects that few trials support towards none
MIN_TRIALS = 6


def _features(space: SearchSpace) -> List[Tuple[str, Choice]]:
    """One indicator per non-first value of every dimension that varies (the first is the baseline's)."""
    return [(name, value) for name, values in space.choices.items() if len(values) > 1 for value in values[1:]]


def main_effects(measured: Dict[Setting, float], space: SearchSpace) -> Optional[Dict[Tuple[str, Choice], float]]:
    """Each non-first value's fitted effect on log throughput (the first value's is 0), or None with too few trials."""
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
    return dict(zip(features, (float(x) for x in numpy.linalg.solve(gram, rhs))))  # regular: ridge


def predicted_best(measured: Dict[Setting, float], space: SearchSpace) -> Optional[Setting]:
    """The point of ``space`` with the highest predicted throughput, changing only what the fit
    credits with a gain: a value within ``MIN_GAIN`` of the config's keeps the config's (the fit
    cannot tell them apart, and a change the evidence does not ask for is only risk). None with
    too few trials."""
    effect = main_effects(measured, space)
    candidates = [s for s in space.grid() if space.fits(s)]
    if effect is None or not candidates:
        return None
    margin = math.log(1 + MIN_GAIN)

    def score(s: Setting) -> float:
        total = 0.0
        for name, values in space.choices.items():
            value, before = getattr(s, name), getattr(BASELINE, name)
            gain = effect.get((name, value), 0.0) - effect.get((name, before), 0.0)
            if value != before and before in values and gain <= margin:
                return -math.inf  # an uncredited change
            total += gain
        return total

    return max(candidates, key=score)


def value_effects(measured: Dict[Setting, float], space: SearchSpace, chosen: Setting,
                  reference: Setting) -> Tuple[ValueEffect, ...]:
    """Which of the chosen setting's changes made the difference: the fitted gain of each value it
    changes from ``reference``, the others held (an estimate pooled over the search's trials)."""
    effect = main_effects(measured, space)
    if effect is None:
        return ()
    out: List[ValueEffect] = []
    for name in space.choices:
        value, before = getattr(chosen, name), getattr(reference, name)
        if value == before or len(space.choices[name]) < 2:  # a fixed dimension has no fitted effect
            continue
        log_gain = effect.get((name, value), 0.0) - effect.get((name, before), 0.0)
        out.append(ValueEffect(name, str(value), round(math.exp(log_gain), 3), _trials_with(measured, name, value)))
    return tuple(sorted(out, key=lambda e: -e.gain))


def applied_effects(measured: Dict[Setting, float], space: SearchSpace, chosen: Setting, reference: Setting,
                    gain: float) -> Tuple[ValueEffect, ...]:
    """Which change made the difference, for the report: where ``chosen`` changes one value only, that
    value, with ``gain`` as the rounds measured it (no fit needed, and none is made from too few
    trials); else the fit's estimate for each changed value (``value_effects``)."""
    changed = [name for name in space.choices if getattr(chosen, name) != getattr(reference, name)]
    if len(changed) != 1:
        return value_effects(measured, space, chosen, reference)
    name, value = changed[0], getattr(chosen, changed[0])
    return (ValueEffect(name, str(value), round(gain, 3), _trials_with(measured, name, value), "rounds"),)


def _trials_with(measured: Dict[Setting, float], name: str, value: Choice) -> int:
    """Search trials that measured ``name=value``."""
    return sum(1 for s, v in measured.items() if v and getattr(s, name) == value)
