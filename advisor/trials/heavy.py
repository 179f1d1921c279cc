"""A heavy model: steps of seconds, where the usual trial design does not fit a budget.

The usual design times at least five steps after three warm-up steps per trial, and cuts each
setting's window into three pieces per re-measure round, each piece with its begin (threads,
optimizer state, a live loader's start) and a warm-up step. On the 2-vCPU AMD EPYC benchmark
machine the GPU-habits example (a 2-layer bi-LSTM, 512 hidden, a streaming loader of 8 workers)
takes 3.2 s a step: its baseline trial took 38 s, so its 120 s analysis measured the baseline and
nothing else, and three rounds of it beside one candidate would take about four minutes.

A step longer than the trial target (``StudyOptions.target_trial_s``) already spans more time than a
whole trial is meant to, so after the baseline's trial such a model gets a design of its own
(:func:`heavy_options`): paired trials and rounds of one piece per setting, two timed steps each at
the default budget (more where the budget affords them: :func:`piece_steps`) and no warm-up step (what
a warm-up step would absorb, thread and optimizer set-up, is milliseconds against seconds; a live
loader's fill is charged to the instances it made ready, whatever step waited for it), except where
the config streams its data: a live loader's first step after a begin is slow beyond its fill
(``benchmarks/live_start.py``, GPU habits: over steps 1-2 no workers look x1.27 faster than 8 live
workers, over steps 2-3 x1.02, steady x1.00), so there each piece takes one warm-up step. And where
even one paired trial would not leave room for the rounds, the rounds take the screening's first
candidates (:mod:`.screening`: the batch layout first where the config's batches are padded) straight
beside the config, untried: the rounds decide, the search only picks what goes into them. A resumed
study (or a second process on the same storage) takes the design from the stored baseline's trial,
which it does not measure again.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import List, NamedTuple, Optional, Sequence

from .measure import DECISION_SHARE, StudyOptions
from .result import TrialMetrics
from .setting import Setting

__all__ = ["PIECE_STEPS", "LIVE_PIECE_WARMUP", "WINDOW_WARMUP", "HeavyDesign", "design_for",
           "heavy", "heavy_note", "heavy_options", "piece_steps", "round_share_s", "level_window_s",
           "decision_s", "untried_leaders", "wanted_budget_s"]

PIECE_STEPS = 2  # the fewest timed steps in one setting's piece of a heavy model's trial or round (.piece_steps)
LIVE_PIECE_WARMUP = 1  # warm-up steps of such a piece where the config streams (live loader workers)
WINDOW_WARMUP = 2  # warm-up steps of a heavy model's continuous window (the level's), at most


class HeavyDesign(NamedTuple):
    """A heavy model's design, fixed after the baseline's trial."""

    options: StudyOptions  # for paired trials, rounds and the level's windows (:func:`heavy_options`)
    share_s: float  # one setting's share of a round or paired trial (:func:`round_share_s`)
    step_s: float  # the baseline's median step


def design_for(baseline: TrialMetrics, trial_s: float, options: StudyOptions,
               streaming: bool = False) -> Optional[HeavyDesign]:
    """The heavy design where the baseline's trial (``trial_s`` seconds) shows heavy steps, else None;
    ``streaming``: the config streams its data (``max_instances_in_memory``), so loaders may run live."""
    if not heavy(baseline, options):
        return None
    return _design(baseline, trial_s, options, streaming, piece_steps(baseline, trial_s, options, streaming))


def _design(baseline: TrialMetrics, trial_s: float, options: StudyOptions, streaming: bool, steps: int) -> HeavyDesign:
    """The heavy design with pieces of ``steps`` timed steps."""
    design = heavy_options(options, streaming, steps)
    return HeavyDesign(design, round_share_s(baseline, trial_s, design.piece_warmup, steps),
                       baseline.step_seconds.median)


def piece_steps(baseline: TrialMetrics, trial_s: float, options: StudyOptions, streaming: bool = False) -> int:
    """Timed steps per piece: the most, from the usual floor (``min_steps``) down to ``PIECE_STEPS``, for
    which the decision (:func:`decision_s`) fits the share of the budget the search leaves it.

    Two steps are what a step of seconds affords at the default budget, and they time a padded
    config's batches well enough (one such batch's length is much like the next's), but not
    length-grouped ones: bucketed steps vary x3-4 (GPU habits: 0.61-2.84 s). There,
    ``benchmarks/layout_pieces.py`` (one trial runner beginning bucket and the config in turn, six
    times, each begin on its own batches; two runs) read bucket/config over two steps after a warm-up
    step x1.12 (x0.93-x1.24) and x1.04 (x0.90-x1.08), over four x1.04 (x1.01-x1.14) and x1.04
    (x0.89-x1.10), over eleven x1.08 (x1.03-x1.12) and x1.08 (x0.97-x1.14): the spread narrows with
    more steps, not always by four. So where the budget has room, pieces are longer.
    """
    for steps in range(max(options.min_steps, PIECE_STEPS), PIECE_STEPS, -1):
        if decision_s(_design(baseline, trial_s, options, streaming, steps)) <= DECISION_SHARE * options.budget_s:
            return steps
    return PIECE_STEPS


def heavy(baseline: TrialMetrics, options: StudyOptions) -> bool:
    """Whether the baseline's steps are longer than a whole trial is meant to take.

    Not where a step just under the target makes the usual decision overrun the budget (GPU habits on
    the Zen 4 VM: 1.2-1.5 s steps, three rounds of 110 s, a 120 s analysis of 178 s that applied bucket
    batches at x1.10, x1.18 in real training). Made heavy there by that criterion (the usual decision,
    estimated from the baseline's trial, over 60% of the budget), its analysis fitted (100-123 s), but
    decided less: with two-step pieces, ``num_workers=0`` at x1.25 (real x1.00); with a live loader's
    warm-up step, bucket's paired trial x0.99 and nothing applied; with pieces of four steps, bucket
    x0.93 (90% CI x0.91-x0.97) after three rounds; of five, each piece on its own batches (a trial of
    ``runner.begin``'s seed), x1.05 (CI x1.03-x1.12): short of the 3% gain worth a change, where the
    usual design called x1.10. Better a right decision at 178 s than none at 115 s."""
    return baseline.step_seconds.median > options.target_trial_s


def heavy_options(options: StudyOptions, streaming: bool = False, steps: int = PIECE_STEPS) -> StudyOptions:
    """A heavy model's design: one piece per setting per paired trial and round, of ``steps`` timed
    steps and no warm-up step (``LIVE_PIECE_WARMUP`` where the config streams); two warm-up steps for a
    continuous window (the level's)."""
    return replace(options, warmup_steps=min(options.warmup_steps, WINDOW_WARMUP), min_steps=steps,
                   remeasure_chunks=1, search_pieces=1, piece_steps=steps,
                   piece_warmup=LIVE_PIECE_WARMUP if streaming else 0)


def round_share_s(baseline: TrialMetrics, trial_s: float, warmup: int = 0, steps: int = PIECE_STEPS) -> float:
    """One setting's share of a heavy model's round (or paired trial), from the baseline's trial of
    ``trial_s`` seconds: that trial's time beyond its steps at their median time (its begin and end,
    the loader's start, the first step's extra), which every piece pays again, and its ``warmup`` and
    ``steps`` timed steps."""
    return _overhead_s(baseline, trial_s) + (warmup + steps) * baseline.step_seconds.median


def _overhead_s(baseline: TrialMetrics, trial_s: float) -> float:
    """A trial's time beyond its steps at their median time: what every window pays again."""
    return max(0.0, trial_s - (baseline.warmup_steps + baseline.steps) * baseline.step_seconds.median)


def level_window_s(design: HeavyDesign) -> float:
    """What the level's window costs: a share (its begin and two timed steps, less a piece's warm-up)
    and the window's own warm-up steps."""
    return design.share_s + (WINDOW_WARMUP - design.options.piece_warmup) * design.step_s


def decision_s(design: HeavyDesign) -> float:
    """What a decision costs after the search: three rounds of the config and one candidate, then the
    level's window. It was eight shares (the window counted as two), more than three rounds of one
    behaviour value beside the applied setting after the window (:func:`.remeasure.suggestions`), so
    with time for one but not the other, the behaviour value's rounds took the time a speed decision
    should have had (GPU habits, resumed: the decision did not fit the 91 s left, and the max-tokens
    rounds took 78 s of them)."""
    return 3 * 2 * design.share_s + level_window_s(design)


def untried_leaders(seeds: Sequence[Setting], top_k: int, baseline: Setting) -> List[Setting]:
    """The screening's first ``top_k`` candidates, in its order (:func:`.screening.screening`)."""
    return [s for s in seeds if s != baseline][:top_k]


def wanted_budget_s(start_s: float, trial_s: float, rounds_cost: float, design: Optional[HeavyDesign]) -> float:
    """A budget (whole minutes) in which a search measures about six candidates, paired with the baseline,
    and the rounds still fit: what the note names where the budget ended with the baseline's trial.
    ``rounds_cost``: the planned rounds' settings in trial times (a heavy design's decision has its own)."""
    wanted = start_s + trial_s * (1 + 2 * 6 + rounds_cost)
    if design is not None:
        wanted = start_s + trial_s + 2 * 6 * design.share_s + decision_s(design)
    return 60 * math.ceil(wanted / 60)


def heavy_note(step_s: float, untried: Sequence[Setting], wanted_s: Optional[float],
               steps: int = PIECE_STEPS) -> str:
    """What the report says about a heavy model's design (pieces of ``steps`` timed steps)."""
    note = (f"steps of {step_s:.1f} s: after the baseline's trial, trials and rounds ran as one piece of "
            f"{steps} timed steps per setting")
    if untried:
        note += (f"; the budget had no room for a search, so the rounds measured the screening's first "
                 f"candidate(s) beside the config, untried ({', '.join(s.label() for s in untried)})")
        if wanted_s:
            note += f"; a budget of about {wanted_s:.0f} s lets a search measure more"
    return note
