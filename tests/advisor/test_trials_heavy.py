"""A heavy model's design: steps of seconds get windows, trials and rounds that fit a budget."""
from __future__ import annotations

import time
from dataclasses import replace

from advisor.trials import BASELINE
from advisor.trials.heavy import (LIVE_PIECE_WARMUP, PIECE_STEPS, HeavyDesign, decision_s, design_for,
                                  heavy, heavy_note, heavy_options, level_window_s, piece_steps, round_share_s,
                                  untried_leaders)
from advisor.trials.measure import DECISION_SHARE, StudyOptions, timed_steps
from advisor.trials.remeasure import ROUND_COST, _fitting, least_decision_s, remeasure, search_reserve
from advisor.trials.result import TrialMetrics
from advisor.trials.setting import SearchSpace
from advisor.trials.stats import spread

BUCKET = replace(BASELINE, batch_layout="bucket")
ONE_THREAD = replace(BASELINE, intra_op_threads=1)
SPACE = SearchSpace({"batch_layout": ("config", "bucket"), "intra_op_threads": ("default", 1)})


def metrics(step_s: float, warmup: int = 2, steps: int = 2) -> TrialMetrics:
    return TrialMetrics(warmup, steps, spread([step_s] * steps), 20.0, 400.0, 0.5, 1 << 30, 2, ())


def test_a_window_of_steps_longer_than_the_trial_target_times_two_not_five():
    options = StudyOptions()  # 1.5 s target, 5..40 steps
    assert timed_steps(0.1, 1.5, options) == 15
    assert timed_steps(0.5, 1.5, options) == 5  # fast steps keep the floor against one step's jitter
    assert timed_steps(0.001, 1.5, options) == 40
    assert timed_steps(3.2, 1.5, options) == 2  # GPU habits: five such steps were 16 s a window
    assert timed_steps(3.2, 4.0, options) == 2  # the level's 4 s window as well


def test_the_heavy_design_is_for_steps_longer_than_a_trial_is_meant_to_take():
    options = StudyOptions()
    assert not heavy(metrics(0.4), options) and heavy(metrics(3.2), options)
    design = heavy_options(options)
    assert (design.search_pieces, design.remeasure_chunks, design.piece_steps, design.piece_warmup) == (1, 1, 2, 0)
    assert design.warmup_steps == 2 and design.budget_s == options.budget_s
    # A streaming config's loaders run live: their first step after a begin is slow (benchmarks/live_start.py).
    assert heavy_options(options, streaming=True).piece_warmup == LIVE_PIECE_WARMUP == 1
    streaming = design_for(metrics(3.2), 16.0, options, streaming=True)
    assert streaming.options.piece_warmup == 1 and design_for(metrics(3.2), 16.0, options).options.piece_warmup == 0
    assert abs(streaming.share_s - design_for(metrics(3.2), 16.0, options).share_s - 3.2) < 1e-9  # one step more


def test_a_rounds_share_is_the_trials_overhead_and_its_timed_steps():
    # A 16.1 s baseline trial of 2 warm-up and 2 timed steps at 3.4 s: 2.5 s of begin and end besides.
    share = round_share_s(metrics(3.4), 16.1)
    assert abs(share - (16.1 - 4 * 3.4 + PIECE_STEPS * 3.4)) < 1e-9
    design = HeavyDesign(heavy_options(StudyOptions()), share, 3.4)
    assert level_window_s(design) == share + 2 * 3.4  # a share, and the window's two warm-up steps
    assert decision_s(design) == 6 * share + level_window_s(design)  # three rounds of two settings, the window
    assert round_share_s(metrics(3.4), 1.0) == PIECE_STEPS * 3.4  # never a negative overhead


def test_pieces_are_as_long_as_the_decision_affords_and_two_steps_at_least():
    # GPU habits on the Zen 3 VM: 3.2 s steps, a 16 s baseline trial (2 warm-up, 2 timed steps).
    options = StudyOptions()  # 120 s: 72 s for the decision
    assert piece_steps(metrics(3.2), 16.0, options) == PIECE_STEPS == 2
    assert piece_steps(metrics(3.2), 16.0, replace(options, budget_s=600)) == options.min_steps == 5
    for budget in range(60, 601, 10):  # longer pieces only where the whole decision still fits
        for streaming in (False, True):
            opts = replace(options, budget_s=budget)
            steps = piece_steps(metrics(3.2), 16.0, opts, streaming)
            design = design_for(metrics(3.2), 16.0, opts, streaming)
            assert design.options.piece_steps == design.options.min_steps == steps
            assert PIECE_STEPS <= steps <= options.min_steps
            if steps > PIECE_STEPS:
                assert decision_s(design) <= DECISION_SHARE * budget, (budget, streaming)
                longer = piece_steps(metrics(3.2), 16.0, replace(opts, budget_s=budget * 2), streaming)
                assert longer >= steps  # more budget never shortens a piece
    assert "one piece of 5 timed steps" in heavy_note(3.2, [], None, 5)


def test_a_speed_decision_fits_wherever_a_behaviour_values_rounds_would():
    # After the decision's place, the level's window, then the behaviour values' rounds in what is left
    # (.remeasure.suggestions, which drops a value whose three rounds would not end by the deadline).
    # Where one value's rounds fit, the decision on a speed setting, which comes first, must fit too.
    # Counted as eight shares, it once lost that time to them (GPU habits, resumed).
    MAX_TOKENS = replace(BASELINE, batch_layout="max_tokens")
    for step, trial_s in ((3.4, 16.1), (1.6, 7.0), (8.0, 40.0)):
        share = round_share_s(metrics(step), trial_s)
        design = HeavyDesign(heavy_options(StudyOptions()), share, step)
        for left in (k / 20 * share for k in range(100, 200)):  # 5 to 10 shares left
            after_window = time.perf_counter() + left - level_window_s(design)
            behaviour_fits = MAX_TOKENS in _fitting([BASELINE, MAX_TOKENS], 1, share, after_window)
            assert not behaviour_fits or decision_s(design) <= left, (step, left / share)


def test_a_search_leaves_the_least_decision_its_time_once_a_candidate_is_measured():
    # GPU habits on the Zen 4 VM, just under the heavy design: paired trials of 22 s (11 s a setting);
    # the rounds of up to three settings over five rounds, capped at 72 s of the 120 s budget.
    least = least_decision_s(11.0, 4.0)
    assert least == 6 * ROUND_COST * 11.0 + 4.0 > DECISION_SHARE * 120  # three rounds of two settings: 90 s
    assert search_reserve(11.0, 15, 0.0, 120, DECISION_SHARE, None) == DECISION_SHARE * 120
    reserve = search_reserve(11.0, 15, 0.0, 120, DECISION_SHARE, least)
    assert reserve == least
    elapsed = 34.0  # worker starts, the baseline's trial and bucket's: the search stops here, not one trial later
    assert elapsed + 11.0 > 120 - reserve and not elapsed + 11.0 > 120 - DECISION_SHARE * 120
    # Models of shorter trials keep the search they had: their least decision is inside the capped reserve.
    for trial_s in (0.5, 3.0, 8.0):
        capped = min(DECISION_SHARE * 120, 15 * ROUND_COST * trial_s)
        assert search_reserve(trial_s, 15, 0.0, 120, DECISION_SHARE, least_decision_s(trial_s, 4.0)) == capped
    # A longer budget leaves the search its share again.
    assert search_reserve(11.0, 15, 0.0, 600, DECISION_SHARE, least) == min(360, 15 * ROUND_COST * 11.0)


def test_untried_leaders_are_the_screenings_first_and_the_note_names_them():
    assert untried_leaders([BASELINE, BUCKET, ONE_THREAD, replace(BUCKET, intra_op_threads=1)], 2, BASELINE) == \
        [BUCKET, ONE_THREAD]
    note = heavy_note(3.4, [BUCKET], 240)
    assert note.startswith("steps of 3.4 s") and "untried (batch_layout=bucket)" in note and "about 240 s" in note
    assert "untried" not in heavy_note(3.4, [], None)


def _rounds(speeds):
    seen = []

    def one(pool, settings, options, number, sizes, meter, plan, readings, failed):
        seen.append(tuple(settings))
        return {s: speeds[s] for s in settings}, True

    return one, seen


class Pool:
    max_alive = 3


def test_untried_leaders_go_into_the_rounds_and_the_faster_is_applied():
    one, seen = _rounds({BASELINE: 15.0, BUCKET: 20.5, ONE_THREAD: 11.0})
    decision = remeasure(Pool(), {BASELINE: 15.0}, StudyOptions(), lambda *a: None, float("inf"), SPACE,
                         untried=(BUCKET, ONE_THREAD), round_fn=one)
    assert set(seen[0]) == {BASELINE, BUCKET, ONE_THREAD}
    assert decision.best.setting == BUCKET and decision.best.significant
    # Without them, as before: only the baseline was measured, so nothing could be decided.
    before = remeasure(Pool(), {BASELINE: 15.0}, StudyOptions(), lambda *a: None, float("inf"), SPACE,
                       round_fn=one)
    assert before.best.setting == BASELINE and not before.best.significant and len(seen) == 3


def test_untried_leaders_that_do_not_fit_three_rounds_are_left_out():
    one, seen = _rounds({BASELINE: 15.0, BUCKET: 20.5, ONE_THREAD: 11.0})
    share = 10.0  # three rounds of two settings fit, of three do not
    decision = remeasure(Pool(), {BASELINE: 15.0}, StudyOptions(), lambda *a: None, time.perf_counter() + 70,
                         SPACE, share_s=share, untried=(BUCKET, ONE_THREAD), round_fn=one)
    assert all(set(s) == {BASELINE, BUCKET} for s in seen)
    assert {r.setting for r in decision.remeasured} == {BASELINE, BUCKET}
