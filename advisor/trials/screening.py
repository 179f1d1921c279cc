"""The search's first trials: every value alone, then the values that helped, together.

A sampler's random start-up trials change several dimensions at once, so a single noisy trial says
little about any one value; on the 2-vCPU benchmark machine the Bi-LSTM study needed most of its
budget before the setting it applied was measured. A screening design measures each non-baseline
value once with everything else left as the config has it (one trial per value, each paired with
the baseline), which gives every main effect directly; the values that beat the baseline beyond
``MIN_GAIN`` are then measured together. The sampler takes over from there, with these trials as
its history, to look for what an additive picture misses (interactions).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional

from .setting import BASELINE, SearchSpace, Setting
from .stats import MIN_GAIN

__all__ = ["screening", "combination"]


PADDED = 0.2  # a padding fraction above which the batch layout is screened first


def screening(space: SearchSpace, padding_fraction: Optional[float] = None) -> List[Setting]:
    """The baseline with one value changed, for every value the space holds beyond the baseline's.

    In-process dimensions come first: a live worker switches them between trials, while a
    process-level value (allocator, OpenMP variables) costs a worker start (seconds). Among them
    the batch layout comes first where the config's batches are more than ``PADDED`` padding (the
    model's facts, known before the first trial, say so): a budget that ends within the screening
    should have measured the likeliest gain. On a 2-vCPU AMD EPYC (Zen 3) a 60 s budget measured
    two of the GRU tagger's trials, neither of them bucket batches (x1.28 at 120 s).
    """
    padded = padding_fraction is not None and padding_fraction > PADDED
    names = sorted(space.choices,
                   key=lambda name: (name in Setting.PROCESS_LEVEL, not (padded and name == "batch_layout")))
    seeds = [replace(BASELINE, **{name: value}) for name in names for value in space.choices[name]
             if value != getattr(BASELINE, name)]
    return [s for s in seeds if space.fits(s)]


def combination(measured: Dict[Setting, float], space: SearchSpace) -> Optional[Setting]:
    """Each dimension's screened value that beat the baseline by more than ``MIN_GAIN`` (the fastest
    such value where several did), all together; None when fewer than two values did (nothing to
    combine) or the baseline was not measured."""
    base = measured.get(BASELINE)
    if not base:
        return None
    chosen = {}
    for name, values in space.choices.items():
        screened = {}  # value -> its rate, measured alone
        for value in values:
            rate = measured.get(replace(BASELINE, **{name: value}))
            if value != getattr(BASELINE, name) and rate:
                screened[value] = rate
        fastest = max(screened, key=screened.get, default=None)
        if fastest is not None and screened[fastest] > base * (1 + MIN_GAIN):
            chosen[name] = fastest
    together = replace(BASELINE, **chosen)
    return together if len(chosen) >= 2 and space.fits(together) else None
