"""The decision rule on synthetic rounds: its error rates and length, without a model.

Each synthetic round gives the baseline a drift it shares with the candidate, and the candidate a
true gain times log-normal noise. The defaults (8% noise on a round's paired ratio, 15% drift of
the machine's speed between rounds) are of the order the rounds' intervals show on the 2-vCPU
benchmark machine; ``benchmarks/rounds_power.py`` also runs 12%. A seed fixes a decision's rounds, so two
variants of the rule run on the same seeds see the same rounds and can be compared pair by pair.
Used by the tests of the rule and by ``benchmarks/rounds_power.py``.
"""
from __future__ import annotations

import math
import random
from dataclasses import replace
from typing import Dict, List, NamedTuple

from .measure import StudyOptions
from .remeasure import remeasure
from .setting import BASELINE, SearchSpace, Setting

__all__ = ["SimulatedDecision", "simulate", "CANDIDATE"]

CANDIDATE = replace(BASELINE, batch_layout="bucket")
_SPACE = SearchSpace({"batch_layout": ("config", "bucket")})


class SimulatedDecision(NamedTuple):
    called_faster: bool  # the candidate was applied
    rounds: int


class _NoPool:
    max_alive = 1


def simulate(gain: float, seeds: int, options: StudyOptions, sigma: float = 0.08,
             drift: float = 0.15) -> List[SimulatedDecision]:
    """One decision per seed between the config and a candidate ``gain`` times as fast."""
    out = []
    for seed in range(seeds):
        def synthetic_round(pool, settings, opts, number, *rest, seed=seed) -> tuple:
            rng = random.Random(seed * 1000 + number)
            level = 100.0 * math.exp(rng.gauss(0, drift))
            speeds: Dict[Setting, float] = {BASELINE: level, CANDIDATE: level * gain * math.exp(rng.gauss(0, sigma))}
            return {s: speeds[s] for s in settings}, True

        decision = remeasure(_NoPool(), {BASELINE: 100.0, CANDIDATE: 100.0 * gain}, options, lambda *a: None,
                             deadline=float("inf"), space=_SPACE, round_fn=synthetic_round)
        out.append(SimulatedDecision(decision.best.setting == CANDIDATE, decision.rounds))
    return out
