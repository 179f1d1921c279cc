"""One timed window of training steps in a worker, and what it measured.

A window is: begin (fresh weights and optimizer, the setting's threads and loader, a few
warm-up steps), timed steps in chunks (the pruner may stop it between chunks), end. Its
throughput is scaled to a whole epoch of the sample (:mod:`.estimate`), so windows that drew
shorter or longer batches compare fairly.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Optional, Tuple

from probes.load import LoadMeter, LoadReading

from .estimate import EpochProfile, epoch_rate
from .load import LoadPlan, flagged
from .pool import TrialFailure, WorkerPool
from .result import TrialMetrics
from .setting import BASELINE, Setting
from .stats import spread

__all__ = ["DECISION_SHARE", "StudyOptions", "Window", "Pruned", "beside_baseline", "interleaved", "measure",
           "measure_window", "metrics_of", "reading_of", "timed_steps"]

COUNTS = ("seconds", "instances", "tokens", "positions", "loss")

DECISION_SHARE = 0.6  # of the budget: the most the search leaves for the leaders' rounds (.study, .heavy)


@dataclass(frozen=True)
class StudyOptions:
    budget_s: float = 120.0
    n_trials: Optional[int] = None
    trial_timeout_s: float = 120.0
    memory_limit_bytes: Optional[int] = None  # default: 80% of the probe's usable memory
    warmup_steps: int = 3
    target_trial_s: float = 1.5  # timed steps per trial are sized to take about this long
    min_steps: int = 5
    max_steps: int = 40
    # At most this many rounds of the baseline and the leaders: three always, five planned for, up to
    # eight for a close call while the behaviour values' rounds still fit (remeasure.PLANNED_ROUNDS).
    remeasure_rounds: int = 8
    remeasure_chunks: int = 3  # each round's windows are cut in this many pieces, interleaved across settings
    piece_steps: Optional[int] = None  # timed steps per piece, fixed (None: sized by each setting's first piece)
    piece_warmup: int = 1  # warm-up steps at each piece's begin
    paired_search: bool = True  # every search trial runs beside the baseline (a1 b1 a2 b2), its value a ratio
    search_pieces: int = 2
    top_k: int = 2
    # Stop the leaders' rounds after three once the choice is settled at a stricter interim test
    # (remeasure.INTERIM_CONFIDENCE and INTERIM_MIN_GAIN); False: every round up to remeasure_rounds.
    early_stop: bool = True
    # After the screening (one value changed at a time, each kept where it helped: .screening), stop
    # searching after this many trials without a new best (None: never). The screening has measured
    # every value by then; on the benchmark machine what the sampler found beyond it was inside the noise.
    patience: Optional[int] = 3
    screening: bool = True  # the search starts with the screening design (False: the sampler alone)
    whatifs: bool = True  # measure behaviour-changing model variants (reported, never applied)
    max_whatifs: int = 2
    sample_instances: int = 2000
    sample_seconds: float = 20.0
    seed: int = 0


@dataclass
class Window:
    """The raw timed steps of one window, with what is needed to turn them into metrics."""

    steps: Dict[str, List[float]]
    profile: Optional[EpochProfile]
    warmup_steps: int
    peak_rss_bytes: int
    threads: int
    reading: Optional[LoadReading]
    worker: int

    def merged(self, other: "Window") -> "Window":
        """This window's steps followed by another's (pieces of one interleaved round)."""
        steps = {k: self.steps[k] + other.steps[k] for k in COUNTS}
        readings = [r for r in (self.reading, other.reading) if r is not None]
        reading = None
        if readings:  # the busier piece stands for the round: a round is only as calm as its worst piece
            reading = max(readings, key=lambda r: r.outside_cores)
        return Window(steps, other.profile or self.profile, self.warmup_steps + other.warmup_steps,
                      max(self.peak_rss_bytes, other.peak_rss_bytes), self.threads, reading, other.worker)


class Pruned(Exception):
    def __init__(self, metrics: TrialMetrics) -> None:
        super().__init__("pruned")
        self.metrics = metrics


def metrics_of(window: Window) -> TrialMetrics:
    collected, profile = window.steps, window.profile
    seconds = collected["seconds"]
    total = sum(seconds)
    positions = sum(collected["positions"])
    tokens = sum(collected["tokens"])
    rate = epoch_rate(seconds, collected["positions"], collected["instances"], profile)
    if profile is not None and profile.tokens and profile.positions:  # the epoch's, not the window's
        per_instance = profile.tokens / profile.instances
        padding = 1 - profile.tokens / profile.positions
    else:
        per_instance = tokens / max(1, sum(collected["instances"]))
        padding = 1 - tokens / positions if positions else 0.0
    metrics = TrialMetrics(
        warmup_steps=window.warmup_steps, steps=len(seconds), step_seconds=spread(seconds),
        instances_per_s=rate, tokens_per_s=rate * per_instance, padding_fraction=padding,
        peak_rss_bytes=window.peak_rss_bytes, threads=window.threads,
        losses=tuple(round(x, 6) for x in collected["loss"]),
        window_instances_per_s=sum(collected["instances"]) / total)
    if window.reading is not None:
        metrics = replace(metrics, outside_cores=window.reading.outside_cores,
                          steal_fraction=window.reading.steal_fraction, idle_cores=window.reading.idle_cores)
    return metrics


def reading_of(metrics: TrialMetrics) -> Optional[LoadReading]:
    return (None if metrics.outside_cores is None
            else LoadReading(metrics.outside_cores, metrics.steal_fraction, metrics.idle_cores))


def timed_steps(per_step: float, target_s: float, options: StudyOptions) -> int:
    """How many steps a window times after its warm-up: enough for ``target_s``, within
    ``min_steps``..``max_steps``. The floor guards a window of fast steps against one step's jitter; where
    a step alone is longer than the trial target (a heavy model: 3.2 s on the GPU-habits example), the
    window already spans more than the target with two, and the floor is two: five such steps cost 16 s
    of the budget per window and bought no decision."""
    floor = options.min_steps if per_step <= options.target_trial_s else min(options.min_steps, 2)
    return int(min(options.max_steps, max(floor, round(target_s / max(per_step, 1e-6)))))


def measure_window(pool: WorkerPool, setting: Setting, options: StudyOptions, *,
                   report: Optional[Callable[[int, float], bool]] = None, meter: Optional[LoadMeter] = None,
                   steps: Optional[int] = None, warmup: Optional[int] = None, offset: int = 0,
                   target_s: Optional[float] = None) -> Window:
    """Run one window in a worker. Raises TrialFailure, or Pruned when ``report`` says so.

    ``steps`` fixes the number of timed steps (else sized from the warm-up to ``target_s``,
    the trial target by default); ``offset`` starts the replayed epoch at that batch, so
    windows of different settings at the same offset time the same batches.
    """
    start = time.perf_counter()

    def left() -> float:
        return max(1.0, options.trial_timeout_s - (time.perf_counter() - start))

    worker = pool.get(setting)
    start = time.perf_counter()  # worker start-up is overhead, not this trial's time
    warmup = options.warmup_steps if warmup is None else warmup
    try:
        target = options.target_trial_s if target_s is None else target_s
        begin = worker.request({"op": "begin", "setting": setting.params(), "warmup": warmup, "offset": offset,
                                "slow_s": options.target_trial_s}, left())
        warm = begin["warmup"]["seconds"]
        epoch = begin.get("epoch")
        profile = EpochProfile(**epoch) if epoch else None
        per_step = statistics.median(warm[1:] or warm) if warm else 0.0
        n_total = steps or timed_steps(per_step, target, options)
        chunk = max(2, -(-n_total // 3))
        collected: Dict[str, List[float]] = {k: [] for k in COUNTS}
        if meter is not None:
            meter.start()  # the load around the timed steps only (not the warm-up)
        while len(collected["seconds"]) < n_total:
            reply = worker.request({"op": "steps", "n": min(chunk, n_total - len(collected["seconds"]))}, left())
            for key in collected:
                collected[key].extend(reply[key])
            if report is not None and len(collected["seconds"]) < n_total:
                rate = epoch_rate(collected["seconds"], collected["positions"], collected["instances"], profile)
                if report(len(collected["seconds"]), rate):
                    end = worker.request({"op": "end"}, left())
                    raise Pruned(metrics_of(Window(collected, profile, len(warm), end["peak_rss_bytes"],
                                                   begin["threads"], None, worker.number)))
        reading = meter.stop() if meter is not None else None
        end = worker.request({"op": "end"}, left())
    except TrialFailure as failure:
        if failure.worker_lost:
            pool.discard(setting)
        raise
    return Window(collected, profile, len(warm), end["peak_rss_bytes"], begin["threads"], reading, worker.number)


def measure(pool: WorkerPool, setting: Setting, options: StudyOptions,
            report: Optional[Callable[[int, float], bool]] = None,
            meter: Optional[LoadMeter] = None) -> Tuple[TrialMetrics, int]:
    """One trial's window; returns its metrics and the worker number."""
    window = measure_window(pool, setting, options, report=report, meter=meter)
    return metrics_of(window), window.worker


def interleaved(pool: WorkerPool, settings: List[Setting], options: StudyOptions, number: int,
                sizes: Dict[Setting, int], meter: Optional[LoadMeter], plan: Optional[LoadPlan],
                pieces: int) -> Tuple[Dict[Setting, Window], Dict[Setting, TrialFailure], bool]:
    """Each setting's window cut in ``pieces``, run in turn (a1 b1 a2 b2 ...).

    On a small shared machine the speed of the same steps drifts by 10-30% within seconds; run in
    turn, every setting sees the same stretch of time, and settings with the same batch layout time
    the same batches (the same replay offsets). ``sizes`` holds the timed steps per piece of each
    setting, fixed by its first piece. Returns the merged windows, the failures, and whether the
    outside load held still throughout.
    """
    pieces = max(1, pieces)
    piece_options = replace(options, min_steps=max(2, -(-options.min_steps // pieces)))
    fixed = options.piece_steps  # a heavy model's pieces (.heavy): set, since no warm-up step sizes them
    windows: Dict[Setting, Window] = {}
    failures: Dict[Setting, TrialFailure] = {}
    calm = True
    for piece in range(pieces):
        offset = (number * pieces + piece) * 7919  # the same for every setting; each call goes further
        for setting in settings:
            if setting in failures:
                continue
            try:
                # One warm-up step (none for a heavy model: .heavy): the worker is warm; it re-creates the
                # thread pool, the optimizer state and a live loader's worker processes (whose start the
                # first batch waits for).
                window = measure_window(pool, setting, piece_options, meter=meter,
                                        steps=sizes.get(setting) or fixed, warmup=options.piece_warmup,
                                        offset=offset, target_s=options.target_trial_s / pieces)
            except TrialFailure as failure:
                failures[setting] = failure
                continue
            sizes.setdefault(setting, max(2, len(window.steps["seconds"])))
            calm = calm and not (plan is not None and flagged(plan, window.reading))
            previous = windows.get(setting)
            windows[setting] = window if previous is None else previous.merged(window)
    return windows, failures, calm


def beside_baseline(pool: WorkerPool, setting: Setting, options: StudyOptions, number: int,
                     sizes: Dict[Setting, int], meter: Optional[LoadMeter], plan: Optional[LoadPlan]) -> Tuple[TrialMetrics, int]:
    """The candidate in pieces interleaved with the baseline's (a1 b1 a2 b2): its metrics, with the
    baseline's rate beside it, so the drift of a shared machine cancels out of their ratio."""
    windows, failures, _ = interleaved(pool, [BASELINE, setting], options, number, sizes, meter, plan,
                                       options.search_pieces)
    if setting in failures:
        raise failures[setting]
    metrics = metrics_of(windows[setting])
    if BASELINE in windows:
        metrics = replace(metrics, baseline_instances_per_s=metrics_of(windows[BASELINE]).instances_per_s)
    return metrics, windows[setting].worker
