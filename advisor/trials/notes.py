"""The study's notes: what the report says about how the search and the rounds went, and why.

Kept apart from :mod:`.study`, which decides when each applies, so that the wording is in one place
and the study reads as the sequence of stages it is.
"""
from __future__ import annotations

import math
from typing import Dict, Iterable, Optional, Tuple

from .remeasure import INTERIM_CONFIDENCE, INTERIM_MIN_GAIN
from .result import BestSetting, Comparison
from .setting import Setting
from .stats import MIN_GAIN

__all__ = ["search_cut", "budget_ended", "prior_leader", "settled", "converged", "round_notes"]


def search_cut(least_s: float, trial_s: float, settings: int, share: float) -> str:
    """The search stopped to leave the least decision its time (a ``share`` of the budget at most)."""
    return (f"three rounds of the config and one candidate take about {least_s:.0f} s (the trials took "
            f"{trial_s:.0f} s a setting), so the search stopped after {settings} settings to leave them room: "
            f"a budget of about {60 * math.ceil(least_s / share / 60):.0f} s lets it measure more")


def budget_ended(budget_s: float, trial_s: float, wanted_s: float) -> str:
    return (f"the {budget_s:.0f} s budget ended after the baseline's trial ({trial_s:.0f} s), so no candidate "
            f"was measured: a budget of about {wanted_s:.0f} s lets the search measure some")


def prior_leader(prior: Setting, padding_fraction: float, ratio: float) -> str:
    return (f"{prior.label()} went into the leaders' rounds for the config's padding ({padding_fraction:.0%} of "
            f"the token positions), though its one trial measured x{ratio:.2f} against the config, under the "
            f"{MIN_GAIN:.0%} for which the screening keeps a value")


def settled(rounds: int, most_rounds: int, best: Setting) -> str:
    return (f"the leaders' rounds stopped after {rounds} of up to {most_rounds}: {best.label()} beat the config by "
            f"more than {INTERIM_MIN_GAIN:.0%} at the stricter interim test ({INTERIM_CONFIDENCE:.0%}), and no "
            "other leader could still take its place")


def converged(settings: int, patience: int, screened: bool) -> str:
    after = "after the screening, " if screened else ""
    return (f"the search stopped after {settings} settings: {after}none of the last {patience} measured beat "
            f"the best so far by more than {MIN_GAIN:.0%}")


def round_notes(failed_again: Dict[Setting, str], kept_again: Iterable[Setting], passed_over: Tuple[Setting, ...],
                comparisons: Dict[str, Comparison], best: Optional[BestSetting]) -> list:
    """Settings that failed in the rounds (without a verdict), and leaders passed over for changing more."""
    kept = set(kept_again)
    notes = [f"{setting.label()} failed when measured in the re-measure, so it has no verdict: {reason}"
             for setting, reason in failed_again.items() if setting not in kept]
    notes += [f"{leader.label()} measured {comparisons[leader.label()].verdict}, not beyond the noise of the "
              f"applied {best.setting.label()} ({best.verdict}), which changes fewer settings"
              for leader in passed_over]
    return notes
