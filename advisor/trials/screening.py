"""The search's first trials: one value changed at a time, each kept where it helped.

A sampler's random start-up trials change several dimensions at once, so a single noisy trial says
little about any one value; on the 2-vCPU benchmark machine the Bi-LSTM study needed most of its
budget before the setting it applied was measured. The screening changes one value per trial, so
every trial measures one value's effect directly. It is adaptive (adaptive one-factor-at-a-time,
Frey, Engelhardt & Greitzer 2003): a value that beats the setting it was changed from by more than
``MIN_GAIN`` is kept, and the next dimension's values are tried over it. The helpful values are
therefore measured together as the screening goes, not in one trial after every value alone: on
the benchmark machine the setting the rounds chose was such a combination in three of six oracle
runs, first measured after 21-29% of the grid's time where bucket batches alone took 6-7%. The
sampler takes over from there, with these trials as its history, to look for what the path missed.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import AbstractSet, Dict, List, Optional

from .setting import BASELINE, SearchSpace, Setting
from .stats import MIN_GAIN

__all__ = ["ScreeningStep", "layout_prior", "screening", "screening_step"]


PADDED = 0.2  # a padding fraction above which the batch layout is screened first
# A padded batch layout's one trial this far below the config's, or further, is taken at its word
# (the layout's own costs, sorting and smaller batches, can outweigh the padding it saves); above it,
# the padding's prior sends it to the rounds (:func:`layout_prior`).
PRIOR_FLOOR = 0.9


def _padded(padding_fraction: Optional[float]) -> bool:
    return padding_fraction is not None and padding_fraction > PADDED


def _dimensions(space: SearchSpace, padding_fraction: Optional[float]) -> List[str]:
    """The screening's order of dimensions.

    In-process dimensions come first: a live worker switches them between trials, while a
    process-level value (allocator, OpenMP variables) costs a worker start (seconds). Among them
    the batch layout comes first where the config's batches are more than ``PADDED`` padding (the
    model's facts, known before the first trial, say so): a budget that ends within the screening
    should have measured the likeliest gain. On a 2-vCPU AMD EPYC (Zen 3) a 60 s budget measured
    two of the GRU tagger's trials, neither of them bucket batches (x1.28 at 120 s).
    """
    padded = _padded(padding_fraction)
    return sorted(space.choices,
                  key=lambda name: (name in Setting.PROCESS_LEVEL, not (padded and name == "batch_layout")))


def screening(space: SearchSpace, padding_fraction: Optional[float] = None) -> List[Setting]:
    """The baseline with one value changed, for every value the space holds beyond the baseline's,
    in the screening's order: its first trials before anything is measured (the workers to start,
    a heavy model's untried candidates)."""
    seeds = [replace(BASELINE, **{name: value}) for name in _dimensions(space, padding_fraction)
             for value in space.choices[name] if value != getattr(BASELINE, name)]
    return [s for s in seeds if space.fits(s)]


@dataclass(frozen=True)
class ScreeningStep:
    """Where the screening stands: its next trial (None once every dimension is screened) and the
    setting the values kept so far make (the baseline before any helped)."""

    next: Optional[Setting]
    anchor: Setting


def screening_step(space: SearchSpace, measured: Dict[Setting, float], given_up: AbstractSet[Setting] = frozenset(),
                   padding_fraction: Optional[float] = None) -> ScreeningStep:
    """The screening's next trial, replayed from what is measured (so a resumed study goes on where
    the last one stopped).

    Dimension by dimension, every other value is tried over the anchor (the baseline, then the values
    kept); the fastest that beats the anchor by more than ``MIN_GAIN`` is kept. A setting in
    ``given_up`` (failed, skipped, or measured under other load) counts as no help. Without the
    anchor's own rate (a failed baseline) nothing is kept: each value is then tried alone.
    """
    anchor = BASELINE
    for name in _dimensions(space, padding_fraction):
        base = measured.get(anchor)
        fastest: Optional[Setting] = None
        for value in space.choices[name]:
            candidate = replace(anchor, **{name: value})
            if value == getattr(anchor, name) or not space.fits(candidate) or candidate in given_up:
                continue
            if candidate not in measured:
                return ScreeningStep(candidate, anchor)
            if base and measured[candidate] > base * (1 + MIN_GAIN) and \
                    (fastest is None or measured[candidate] > measured[fastest]):
                fastest = candidate
        if fastest is not None:
            anchor = fastest
    return ScreeningStep(None, anchor)


def layout_prior(space: SearchSpace, measured: Dict[Setting, float], anchor: Setting,
                 padding_fraction: Optional[float]) -> Optional[Setting]:
    """The batch layout's screening trial, for the leaders' rounds where the screening left it out.

    On padded batches (more than ``PADDED`` of the positions) the layout's gain is the likeliest in the
    space, yet one paired trial is the screening's whole evidence: on the 2-vCPU benchmark machine bucket
    batches measured under the 3% mark in one of eight oracle runs, so the path went on without them and
    the config was kept at 0.87 of the grid's best (bucket alone was x1.15). Where the screening did not
    keep the layout (``anchor``) and no faster trial has it, its fastest value goes to the rounds unless
    its trial measured clearly slower than the config (``PRIOR_FLOOR``): the rounds' interleaved
    repeats, not one trial, then decide.
    """
    base = measured.get(BASELINE)
    if not _padded(padding_fraction) or not base or "batch_layout" not in space.choices or anchor.batch_layout != BASELINE.batch_layout:
        return None
    fastest = max((s for s in measured if s.speed_only), key=measured.__getitem__)
    if fastest.batch_layout != BASELINE.batch_layout:  # a faster trial has it already
        return None
    tried = [s for s in (replace(BASELINE, batch_layout=v) for v in space.choices["batch_layout"])
             if s != BASELINE and s in measured and s.speed_only]
    layout = max(tried, key=measured.__getitem__, default=None)
    return layout if layout is not None and measured[layout] >= PRIOR_FLOOR * base else None
