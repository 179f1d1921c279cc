"""After the search: the baseline and the leaders again, interleaved, for an honest comparison.

On a small shared machine the speed of the same steps drifts by 10-30% over a few seconds
(measured on the 2-vCPU benchmark machine: one batch's step took 139-217 ms in 30 repeats).
So each round cuts every setting's window into pieces and runs them in turn (a1 b1 c1 a2 b2
c2 ...): every setting sees the same stretch of time, and settings with the same batch layout
time the same batches at the same offsets. A round's paired ratios are then far steadier than
whole windows run one after another, and the bootstrap interval can tell a 1.2x gain from noise.
"""
from __future__ import annotations

import statistics
import time
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

from probes.load import LoadMeter, LoadReading

from .effects import predicted_best
from .load import LoadPlan
from .measure import StudyOptions, interleaved, metrics_of, reading_of
from .pool import TrialFailure, WorkerPool
from .result import BestSetting, LossParity, Remeasure
from .setting import BASELINE, SearchSpace, Setting
from .stats import Comparison, compare, spread

__all__ = ["Decision", "Suggestions", "one_round", "remeasure", "suggestions", "bf16_parity", "PARITY_TOLERANCE",
           "ROUND_COST", "least_decision_s", "search_reserve", "INTERIM_CONFIDENCE", "INTERIM_MIN_GAIN",
           "PLANNED_ROUNDS"]

# One setting's share of a re-measure round (its window in 3 pieces, each with a begin and a warm-up
# step) against its share of a paired search trial (2 pieces): measured on the Bi-LSTM example.
ROUND_COST = 1.3
PARITY_TOLERANCE = 0.05  # bf16 loss within 5% (relative) of fp32 at every one of the first steps

# Stopping the leaders' rounds before the last one is a look at the data before it is all in, and
# every look is one more chance for noise to pass the test. So the interim test is stricter than the
# final one (98% against 90%, a 10% margin against 3%), as in group-sequential trials. With three
# rounds the bootstrap bound is the smallest ratio, so the margin is what makes it strict: in 200
# simulated decisions with no real gain (advisor/trials/simulate.py), stopping at the final test's
# 3% margin called 10 faster that five rounds did not, at 10% it called 1; a clear gain (x1.25)
# stopped after 3.2 rounds on average instead of 5.
INTERIM_CONFIDENCE = 0.98
INTERIM_MIN_GAIN = 0.10
# The leaders' rounds the time before them is planned for. Rounds beyond these (up to
# options.remeasure_rounds) run only for a close call, and only while the behaviour values' rounds
# after them still fit: with five, one round under the 3% margin sinks a leader (the bootstrap bound
# of a median of five is their smallest ratio), so in simulation a real x1.15 gain under 12% noise
# per round was found 52% of the time; with up to eight, 74% (benchmarks/rounds_power.py).
PLANNED_ROUNDS = 5


def least_decision_s(trial_s: float, window_s: float) -> float:
    """The least the usual design's decision costs after the search: three rounds of the config and
    one candidate (each setting's share ``ROUND_COST`` times a search trial of ``trial_s``), then one
    level window of ``window_s``."""
    return 3 * 2 * ROUND_COST * trial_s + window_s


def search_reserve(trial_s: float, round_settings: int, after_s: float, budget_s: float, share: float,
                   least_s: Optional[float]) -> float:
    """Seconds of the budget the search leaves for what follows it: ``round_settings`` settings' shares
    of the rounds and ``after_s`` (the what-ifs), at most ``share`` of the budget (the search keeps
    the rest), but never less than ``least_s``, the least decision (:func:`least_decision_s`; None
    before a candidate is measured). Three rounds always run, so a search that leaves less only runs
    the analysis past its budget: GPU habits on the Zen 4 VM (1.3 s steps, just under the heavy
    design; paired trials of 22-28 s) searched three trials in 57 s, its three rounds then took about
    100 s, and the 120 s analysis 176 s; the third trial went into no round.
    """
    reserve = min(share * budget_s, round_settings * ROUND_COST * trial_s + after_s)
    return reserve if least_s is None else max(reserve, least_s)


def bf16_parity(pool: WorkerPool, setting: Setting, options: StudyOptions, steps: int = 8) -> Optional[LossParity]:
    try:
        reply = pool.get(setting).request({"op": "parity", "setting": setting.params(), "steps": steps},
                                          options.trial_timeout_s)
    except TrialFailure:
        return None
    fp32, bf16 = reply["fp32"], reply["bf16"]
    diffs = [abs(b - f) / max(abs(f), 1e-8) for f, b in zip(fp32, bf16)]
    worst = max(diffs) if diffs else 0.0
    return LossParity(len(fp32), tuple(fp32), tuple(bf16), worst, PARITY_TOLERANCE, worst <= PARITY_TOLERANCE)


def one_round(pool: WorkerPool, settings: List[Setting], options: StudyOptions, number: int,
           sizes: Dict[Setting, int], meter: Optional[LoadMeter], plan: Optional[LoadPlan],
           readings: Optional[List[Tuple[int, Optional[LoadReading]]]],
           failed: Optional[Dict[Setting, str]] = None) -> Tuple[Dict[Setting, float], bool]:
    """One interleaved round: instances/s per setting (0 where it failed), and whether the load held still."""
    windows, failures, calm = interleaved(pool, settings, options, number, sizes, meter, plan,
                                          options.remeasure_chunks)
    if failed is not None:
        failed.update({s: f.reason for s, f in failures.items()})
    values: Dict[Setting, float] = {}
    for setting in settings:
        if setting in failures or setting not in windows:
            values[setting] = 0.0
            continue
        metrics = metrics_of(windows[setting])
        values[setting] = metrics.instances_per_s
        if readings is not None:
            readings.append((-1, reading_of(metrics)))
    return values, calm


class Chosen(NamedTuple):
    """The applied setting, and the faster-measuring leaders it was preferred to for changing fewer settings."""

    best: BestSetting
    passed_over: Tuple[Setting, ...] = ()


def _choose(leaders: List[Setting], rounds: Dict[Setting, List[float]], comparisons: Dict[str, Comparison],
            base: List[float], between: Optional[Callable[[Setting, Setting], Comparison]] = None) -> Chosen:
    """The leader with the largest significant gain over the config; the config itself when none has one.

    Among significant leaders that the top one does not beat beyond the noise (``between``, their own
    paired comparison), the one that changes the fewest settings is applied: on the same evidence,
    fewer changes are less to go wrong (a loader worker that ties on two idle cores competes with
    training once they are busy). The tied leaders with a higher median gain are returned with it,
    so that the report can say why they were not applied.
    """
    if not leaders:  # every speed-only candidate failed or was pruned: the config as it is stays best
        return Chosen(BestSetting(BASELINE, statistics.median(base), 1.0, 1.0, 1.0, False,
                                  "no speed-only candidate completed: keep the config's settings"))
    winners = [s for s in leaders if _beats(comparisons[s.label()])]
    if winners:
        top = max(winners, key=lambda s: comparisons[s.label()].ratio)
        tied = [top]
        if between is not None:
            tied = [s for s in winners if s == top or not _beats(between(s, top))]
            top = min(tied, key=lambda s: (len(s.changed()), -comparisons[s.label()].ratio))
        c = comparisons[top.label()]
        passed = tuple(s for s in tied if s != top and comparisons[s.label()].ratio > c.ratio)
        return Chosen(BestSetting(top, statistics.median(rounds[top]), c.ratio, c.ci_low, c.ci_high, True,
                                  c.verdict), passed)
    top = max(leaders, key=lambda s: statistics.median(rounds[s]))
    c = comparisons[top.label()]  # nothing beats the config as it is, beyond the noise
    return Chosen(BestSetting(BASELINE, statistics.median(base), 1.0, c.ci_low, c.ci_high, False,
                              f"no significant difference: the best candidate ({top.label()}) measured {c.verdict}"))


def _beats(comparison: Comparison) -> bool:
    return comparison.significant and comparison.ratio > 1


def _can_still_win(leader: Setting, calm_rounds: List[Dict[Setting, float]], most_rounds: int,
                   reference: Setting = BASELINE) -> bool:
    """Whether ``leader`` could still be called significantly faster than ``reference`` (the config),
    were every round left a landslide.

    The bootstrap bound only grows with any ratio, so the landslide is the best case: a leader
    that fails it cannot be chosen, and skipping its rounds never changes the decision.
    """
    both = [r for r in calm_rounds if leader in r and r.get(reference)]
    left = most_rounds - len(both)
    if left > 0 and len(both) < 3:
        return True
    ratios = [r[leader] / r[reference] for r in both] + [1e9] * max(0, left)
    return _beats(compare([1.0] * len(ratios), ratios))


def _settled(leaders: List[Setting], calm_rounds: List[Dict[Setting, float]], most_rounds: int) -> Optional[Setting]:
    """The leader the calm rounds so far already choose at the stricter interim test; None while more
    rounds could still change the choice (or the rounds are at their end anyway).

    Settled means: the leader beats the config at the interim level, and no other leader can take its
    place. One that changes as many settings or fewer must be slower than it at the interim level (a
    tie would hand the choice to the fewer changes); one that changes more must be unable to beat it
    even if every round left were a landslide (a tie keeps the leader with fewer changes).
    """
    if not 3 <= len(calm_rounds) < most_rounds or not all(r.get(BASELINE) for r in calm_rounds):
        return None
    present = [s for s in leaders if all(s in r for r in calm_rounds)]
    rounds = {s: [r[s] for r in calm_rounds] for s in [BASELINE, *present]}

    def strict(reference: Setting, candidate: Setting) -> Comparison:
        return _paired(calm_rounds, reference, candidate, confidence=INTERIM_CONFIDENCE, min_gain=INTERIM_MIN_GAIN)

    chosen = _choose(present, rounds, {s.label(): strict(BASELINE, s) for s in present}, rounds[BASELINE],
                     strict).best
    top = chosen.setting
    if not chosen.significant or top == BASELINE:
        return None
    for other in leaders:
        if other == top:
            continue
        if other not in present or not any(rounds[other]):
            return None  # not measured in every calm round: nothing firm to say about it yet
        against = strict(top, other)
        if against.significant and against.ratio < 1:
            continue  # slower beyond the interim test's noise: it can neither tie nor overtake
        if len(other.changed()) > len(top.changed()) and not _can_still_win(other, calm_rounds, most_rounds, top):
            continue
        return None
    return top


class Decision(NamedTuple):
    """What the interleaved rounds decided: the applied setting, and the evidence for it."""

    remeasured: List[Remeasure]
    comparisons: Dict[str, Comparison]
    best: Optional[BestSetting]
    dropped: Tuple[int, bool]  # rounds dropped because the load moved; whether too few calm ones were left
    rounds: int  # rounds run (the suggestions' rounds are numbered after them)
    passed_over: Tuple[Setting, ...] = ()  # tied leaders that measured faster but change more settings
    settled_after: Optional[int] = None  # calm rounds after which the interim test stopped the rounds


class Suggestions(NamedTuple):
    """Behaviour-changing values, each measured on top of the applied setting."""

    remeasured: List[Remeasure]
    gains: Dict[str, Comparison]
    dropped: Tuple[int, bool]


def _rounds(pool: WorkerPool, options: StudyOptions, calm_wanted: int,
            pick: Callable[[List[Dict[Setting, float]]], List[Setting]], deadline: float, first: int,
            sizes: Dict[Setting, int], meter: Optional[LoadMeter], plan: Optional[LoadPlan],
            readings: Optional[List[Tuple[int, Optional[LoadReading]]]], failed: Optional[Dict[Setting, str]],
            emit: Callable, extend_until: Optional[float] = None,
            round_fn: Optional[Callable] = None) -> Tuple[List[Dict[Setting, float]], List[bool]]:
    """Interleaved rounds of what ``pick`` asks for (given the calm rounds so far) until ``calm_wanted``
    calm ones; a round in which the outside load moved is replaced, up to three times, while the
    deadline allows. Three rounds always run (callers check first that they fit); rounds after the
    planned ones only while they end by ``extend_until``. ``round_fn`` runs a round (default
    :func:`one_round`; :mod:`.simulate` passes synthetic ones)."""
    all_rounds: List[Dict[Setting, float]] = []
    steady: List[bool] = []  # per round: no measurement in it under a markedly different load
    per_setting_s = 0.0
    for i in range(calm_wanted + 3):
        if sum(steady) >= calm_wanted or (i >= calm_wanted and not meter):
            break
        current = pick([r for r, ok in zip(all_rounds, steady) if ok])
        if not current:
            break
        ends = time.perf_counter() + per_setting_s * len(current)
        if (i >= 3 and ends > deadline) or (i >= PLANNED_ROUNDS and extend_until is not None and ends > extend_until):
            break
        t0 = time.perf_counter()
        values, calm = (round_fn or one_round)(pool, current, options, first + i, sizes, meter, plan, readings,
                                               failed)
        all_rounds.append(values)
        steady.append(calm)
        per_setting_s = (time.perf_counter() - t0) / len(current)
        emit("remeasure", None)
    return all_rounds, steady


def _kept(all_rounds: List[Dict[Setting, float]], steady: List[bool]):
    """The calm rounds (all of them when fewer than three were calm), and (dropped, too few calm)."""
    kept = [r for r, ok in zip(all_rounds, steady) if ok]
    dropped = (steady.count(False), len(kept) < 3 and not all(steady))
    return (kept if len(kept) >= 3 else all_rounds), dropped


def _paired(kept: List[Dict[Setting, float]], reference: Setting, candidate: Setting, **test) -> Comparison:
    both = [r for r in kept if reference in r and candidate in r]
    return compare([r[reference] for r in both], [r[candidate] for r in both], **test)


def _held_together(leaders: List[Setting], capacity: Optional[int]) -> List[Setting]:
    """The leaders, in order, whose workers fit in memory beside the baseline's and each other's
    (``capacity`` workers; None: no limit)."""
    keys = {BASELINE.process_key()}
    kept = []
    for leader in leaders:
        if capacity is not None and leader.process_key() not in keys and len(keys) >= capacity:
            continue
        keys.add(leader.process_key())
        kept.append(leader)
    return kept


def _fitting(settings: List[Setting], keep: int, share_s: float, deadline: float) -> List[Setting]:
    """``settings`` without trailing ones until three rounds of them end by the deadline (``keep`` stay);
    ``share_s`` is one setting's share of a round."""
    settings = list(settings)
    while len(settings) > keep and time.perf_counter() + 3 * len(settings) * share_s > deadline:
        settings.pop()
    return settings


def remeasure(pool: WorkerPool, measured: Dict[Setting, float], options: StudyOptions, emit: Callable,
              deadline: float, space: SearchSpace, meter: Optional[LoadMeter] = None,
              plan: Optional[LoadPlan] = None, readings: Optional[List[Tuple[int, Optional[LoadReading]]]] = None,
              share_s: float = 0.0, failed: Optional[Dict[Setting, str]] = None,
              sizes: Optional[Dict[Setting, int]] = None, none_why: Optional[str] = None,
              extend_until: Optional[float] = None, round_fn: Optional[Callable] = None,
              untried: Tuple[Setting, ...] = (), capacity: Optional[int] = None,
              prior: Optional[Setting] = None) -> Decision:
    """The baseline and the leaders in interleaved rounds; the decision.

    Leaders are speed-only settings (what the advisor applies): the fastest trial, ``prior`` (a
    measured setting the model's facts favour, :func:`.screening.layout_prior`), the setting the
    main effects of all trials predict best (:mod:`.effects`), then the next fastest trials. At
    least three rounds (fewer cannot tell noise from a gain), up to ``remeasure_rounds`` while the
    budget allows (those after :data:`PLANNED_ROUNDS` only while they end by ``extend_until``);
    after three, a leader that could not be called faster even if every round left were a
    landslide takes no more rounds, and when none can, the rounds stop (the decision cannot
    change; the run ends sooner). The rounds also stop, after three, once the choice is settled at
    a stricter interim test (:func:`_settled`; ``options.early_stop``). A round in which the outside
    load moved markedly is dropped (its pairs are not comparable) and another is run in its place
    while the budget allows. The reason a setting failed, where one did, goes into ``failed``;
    ``none_why`` words the verdict when no candidate reaches the rounds (default: none completed).
    ``share_s`` is one setting's share of a round (seconds), by which leaders are dropped until three
    rounds fit. ``untried`` are leaders no search trial measured, after the measured ones (a heavy
    model's budget has no room for a search: :mod:`.heavy`). ``capacity``: how many workers fit in
    memory together (``WorkerPool.capacity``); leaders whose worker would not fit beside the others'
    are dropped, since every setting's worker stays alive through the rounds.
    Behaviour-changing values are measured afterwards, over the applied setting
    (:func:`suggestions`): they never change the decision.
    """
    sizes = {} if sizes is None else sizes  # timed steps per piece, fixed by the first piece of each setting
    if BASELINE not in measured:
        return Decision([], {}, None, (0, False), 0)
    ranked = [s for s, _ in sorted(measured.items(), key=lambda kv: -kv[1]) if s != BASELINE and space.fits(s)]
    fastest = [s for s in ranked if s.speed_only]
    pooled = predicted_best(measured, space.speed_only())  # what every trial together points to
    pooled = [pooled] if pooled is not None and pooled != BASELINE else []
    favoured = [prior] if prior is not None and prior in measured else []
    leaders = _held_together(list(dict.fromkeys([*fastest[:1], *favoured, *pooled, *fastest[1:], *untried])),
                             capacity)
    leaders = leaders[: options.top_k]
    # Three rounds at least must end by the deadline: trailing leaders are dropped until they do.
    settings = _fitting([BASELINE, *leaders], 2, share_s, deadline)
    leaders = [s for s in leaders if s in settings]
    if not leaders:  # no speed-only candidate to decide on: nothing to re-measure
        why = none_why or "no speed-only candidate completed: keep the config's settings"
        return Decision([], {}, BestSetting(BASELINE, measured[BASELINE], 1.0, 1.0, 1.0, False, why), (0, False), 0)
    # Every setting's worker stays alive through the rounds: a restart per piece would cost more than the round.
    pool.max_alive = max(pool.max_alive, len({s.process_key() for s in settings}))

    settled: List[int] = []

    def pick(calm_rounds: List[Dict[Setting, float]]) -> List[Setting]:
        if options.early_stop and _settled(leaders, calm_rounds, options.remeasure_rounds) is not None:
            settled.append(len(calm_rounds))
            return []  # the choice is already clear at the interim test: more rounds cannot change it
        open_leaders = [s for s in leaders if _can_still_win(s, calm_rounds, options.remeasure_rounds)]
        # None left open: no leader can clear the bar in the rounds left, the config's settings stay.
        return [BASELINE, *open_leaders] if open_leaders else []

    all_rounds, steady = _rounds(pool, options, options.remeasure_rounds, pick, deadline, 0, sizes, meter, plan,
                                 readings, failed, emit, extend_until, round_fn)
    kept, dropped = _kept(all_rounds, steady)
    rounds: Dict[Setting, List[float]] = {s: [r[s] for r in kept if s in r] for s in settings}
    # A setting that failed in every round has no speed to compare: it is left out here, not called
    # "slower"; its failure is in the worker log.
    working = [s for s in settings if any(rounds[s])]
    remeasured = [Remeasure(s, tuple(rounds[s]), spread(rounds[s])) for s in working]
    if BASELINE not in working:
        return Decision(remeasured, {}, BestSetting(BASELINE, 0.0, 1.0, 1.0, 1.0, False,
                                                    "the config as it is failed when measured again: nothing to "
                                                    "compare with"), dropped, len(all_rounds))
    comparisons = {s.label(): _paired(kept, BASELINE, s) for s in working if s != BASELINE}
    chosen = _choose([s for s in leaders if s in working], rounds, comparisons, rounds[BASELINE],
                     lambda a, b: _paired(kept, a, b))
    return Decision(remeasured, comparisons, chosen.best, dropped, len(all_rounds), chosen.passed_over,
                    settled[0] if settled else None)


def suggestions(pool: WorkerPool, applied: Setting, options: StudyOptions, emit: Callable, deadline: float,
                space: SearchSpace, meter: Optional[LoadMeter] = None, plan: Optional[LoadPlan] = None,
                readings: Optional[List[Tuple[int, Optional[LoadReading]]]] = None, share_s: float = 0.0,
                failed: Optional[Dict[Setting, str]] = None, sizes: Optional[Dict[Setting, int]] = None,
                first_round: int = 0) -> Suggestions:
    """Each behaviour-changing value the space holds (bf16 where it is native, max-tokens batches),
    switched on alone over the applied setting, in three calm interleaved rounds beside it.

    Run after the decision, which they cannot change: the gain reported is the one the user gets
    by adding the value to the advised config. Values are dropped (last first) when three rounds of
    them would not end by the deadline; a value that failed in every round is left out.
    """
    sizes = {} if sizes is None else sizes
    allowed = {f"{name}={value}" for name, values in space.behaviour_values().items() for value in values}
    variants = {key: v for key, v in applied.behaviour_variants().items() if key in allowed}
    settings = _fitting([applied, *variants.values()], 1, share_s, deadline)
    variants = {key: v for key, v in variants.items() if v in settings}
    if not variants:
        return Suggestions([], {}, (0, False))
    pool.max_alive = max(pool.max_alive, len({s.process_key() for s in settings}))
    all_rounds, steady = _rounds(pool, options, 3, lambda calm: settings, deadline, first_round, sizes, meter,
                                 plan, readings, failed, emit)
    kept, dropped = _kept(all_rounds, steady)
    rounds = {s: [r[s] for r in kept if s in r] for s in settings}
    if not any(rounds[applied]):
        return Suggestions([], {}, dropped)
    working = [v for v in variants.values() if any(rounds[v])]
    gains = {key: _paired(kept, applied, v) for key, v in variants.items() if v in working}
    return Suggestions([Remeasure(v, tuple(rounds[v]), spread(rounds[v])) for v in working], gains, dropped)
