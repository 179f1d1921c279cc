"""The Optuna study over real training steps: search, then re-measure the leaders interleaved.

One place wires the defaults (storage, sampler, pruner), keyword-only, as
Optuna itself does; every part can be swapped from the caller.
"""
from __future__ import annotations

import json
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import optuna
from optuna.trial import TrialState

from probes import MachineFacts, from_jsonable, to_jsonable
from probes.load import LoadMeter, LoadReading

from ..config import Experiment
from ..inspect.facts import ModelFacts
from . import notes
from .effects import applied_effects
from .interrupts import TakenAtWaits, caused_by_interrupt
from .heavy import (HeavyDesign, decision_s, design_for, heavy_note, level_window_s, untried_leaders,
                    wanted_budget_s)
from .load import LoadPlan, flagged, load_report, plan_load
from .level import WINDOW_COST_S, WINDOW_S, Level
from .measure import DECISION_SHARE, Pruned, StudyOptions, beside_baseline, measure, reading_of
from .pool import TrialFailure, WorkerJob, WorkerPool
from .pruner import SlowerThanBestPruner
from .remeasure import (PLANNED_ROUNDS, ROUND_COST, bf16_parity, least_decision_s,
                        remeasure, search_reserve, suggestions)
from .screening import layout_prior, screening, screening_step
from .records import importances, record_of
from .result import SCHEMA_VERSION, Overhead, Progress, StudyResult, TrialMetrics, TrialRecord
from .setting import BASELINE, SearchSpace, Setting
from .stats import MIN_GAIN
from .storage import open_storage, queue_first, sqlite_url
from .whatif import whatif_specs, whatifs_beside

__all__ = ["StudyOptions", "Progress", "run_study", "study_name"]


def study_name(experiment: Experiment, machine: MachineFacts, space: SearchSpace) -> str:
    return f"advisor-{experiment.config_hash}-{machine.fingerprint.value}-{space.digest()}"


def run_study(experiment: Experiment, machine: MachineFacts, space: SearchSpace, out_dir: Path, *,
              options: StudyOptions = StudyOptions(), storage: Optional[str] = None,
              sampler: Optional[optuna.samplers.BaseSampler] = None,
              pruner: Optional[optuna.pruners.BasePruner] = None,
              progress: Optional[Callable[[Progress], None]] = None,
              load_plan: Optional[LoadPlan] = None) -> StudyResult:
    """Search the space with real training steps and say which setting is faster, honestly.

    The first trial is always the baseline: the config as-is on CPU with default threads.
    A re-run with the same storage resumes: settings already measured are reused.

    Example:
        >>> result = run_study(experiment, machine, build_space(machine, experiment), Path("out"),
        ...                    options=StudyOptions(budget_s=60))
        >>> result.best.verdict
        'x1.8 faster (90% CI x1.7-x1.9)'
    """
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # our report says what failed and why
    started = time.perf_counter()
    plan = load_plan or plan_load(machine)
    meter = LoadMeter(machine.limits.allowed_cpus or tuple(range(machine.limits.usable_cpus)))
    readings: List[Tuple[int, Optional[LoadReading]]] = []
    flagged_trials: List[int] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    storage_url = storage or sqlite_url(out_dir / "trials.db")
    name = study_name(experiment, machine, space)
    trial_storage = open_storage(storage_url)
    study = optuna.create_study(
        study_name=name, storage=trial_storage, direction="maximize", load_if_exists=True,
        sampler=sampler or optuna.samplers.TPESampler(seed=options.seed, n_startup_trials=6),
        pruner=pruner or SlowerThanBestPruner())
    usable = machine.limits.usable_memory_bytes
    # 80% of the usable memory: each worker's limit (a trial is not killed for its own size) and, as
    # well, all of the workers' together; the rest is left to the parent and the system.
    trial_memory = int(usable * 0.8) if usable else None
    memory_limit = options.memory_limit_bytes if options.memory_limit_bytes is not None else trial_memory
    job = WorkerJob.of(experiment, options.sample_instances, options.sample_seconds)
    log_dir = out_dir / "logs"
    log_dir.mkdir(exist_ok=True)
    # Room for every process-level combination the search visits (up to 5: a start costs seconds,
    # and a searched space alternates between them), and for the baseline and every leader at once.
    process_keys = 1
    for level in Setting.PROCESS_LEVEL:
        process_keys *= len(space.choices.get(level, ())) or 1
    pool = WorkerPool(job, log_dir, memory_limit=memory_limit,
                      max_alive=max(3, options.top_k + 1, min(5, process_keys)),
                      allocator_paths={a.name: a.path for a in machine.runtime.allocators},
                      memory_total=trial_memory)
    room = f"{(pool.memory_total or 0) / 2**30:.1f} GiB (80% of the usable memory)"  # for the notes that name it
    measured: Dict[Setting, float] = {}
    searched = space.speed_only()  # behaviour values: measured over the applied setting, after the decision
    variants = sum(len(values) for values in space.behaviour_values().values())
    # Setting-rounds after the search: every round of the baseline and the leaders, then three of the
    # behaviour variants beside the applied setting.
    planned_rounds = min(options.remeasure_rounds, PLANNED_ROUNDS)  # more run only for a close call, in time left
    round_settings = (options.top_k + 1) * planned_rounds + (variants + 1) * 3 * bool(variants)

    attempted: Dict[Setting, str] = {}  # every setting tried, with its outcome (for duplicates and resume)
    state: Dict[str, Any] = {"duplicates": 0, "measuring_s": 0.0, "since_best": 0}

    streaming = bool(experiment.facts.data_loader.max_instances_in_memory)  # live loaders: a heavy piece warms up

    def sync() -> None:
        """Outcomes already in the storage: an earlier run's (resume) or another process's (shared storage)."""
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED)):
            setting = Setting.from_params(t.params) if t.params else None
            if (setting is None or t.user_attrs.get("reused_from") is not None or t.user_attrs.get("interrupted")
                    or t.user_attrs.get("contended")):  # measured under other load: may be measured again
                continue
            if t.state == TrialState.COMPLETE:
                measured.setdefault(setting, t.value)
                attempted[setting] = "complete"
                if setting == BASELINE and "heavy" not in state:
                    # A stored baseline's steps decide the design as a measured one's do (.heavy).
                    stored = record_of(t)
                    design = design_for(stored.metrics, stored.seconds, options, streaming) if stored.metrics else None
                    if design is not None:
                        state["heavy"] = design
            else:
                attempted.setdefault(setting, t.user_attrs.get("reason") or "pruned: clearly slower than the best")

    sync()
    if BASELINE not in measured:  # first, even before an earlier run's screening trials left waiting (.storage)
        queue_first(study, trial_storage, BASELINE.params())
    # The screening's trials first, one value changed at a time (.screening), each queued once the one
    # before it is measured; its first candidates say which workers to start side by side.
    seeds = screening(searched) if options.screening else []
    screened: List[Setting] = []  # the screening's trials, as queued (a resumed study replays the rest)

    def emit(phase: str, last: Optional[TrialRecord]) -> None:
        if progress is None:
            return
        best = max(measured.items(), key=lambda kv: kv[1]) if measured else None
        done = len(study.get_trials(deepcopy=False, states=tuple(s for s in TrialState if s != TrialState.WAITING)))
        progress(Progress(done, options.n_trials, time.perf_counter() - started, options.budget_s,
                          phase, best[0].label() if best else None, best[1] if best else None, last))

    trial_seconds: List[float] = []
    # A paired trial's time per setting, what ROUND_COST scales to a round's share. The baseline's own
    # trial (one window, no pieces) is no measure of it where a piece's begin costs seconds: GPU habits'
    # took 6.9 s where its paired trials took 11 s a setting and its rounds 17-18 s a setting.
    paired_seconds: List[float] = []

    def setting_share() -> float:
        """A search trial's time per setting: the paired trials' median, the baseline's before any."""
        return statistics.median(paired_seconds or trial_seconds) if trial_seconds else 0.0

    pair_sizes: Dict[Setting, int] = {}  # timed steps per piece in paired trials, per setting
    failed_again: Dict[Setting, str] = {}  # settings that failed in the re-measure, with the reason
    state.update(best=max(measured.values(), default=0.0), screened=not seeds, padding=None)

    def given_up() -> set:
        """Settings the screening counts as no help: failed, skipped, or run without a rate (other load)."""
        return {s for s, outcome in attempted.items() if outcome != "complete"} | \
            {s for s in screened if s not in measured}

    def advance() -> None:
        """Queue the screening's next trial where none waits; it ends when it has none."""
        if state["screened"] or study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
            return
        step = screening_step(searched, measured, given_up(), state["padding"])
        if step.next is None:
            state["screened"] = True
            return
        screened.append(step.next)
        # Not skip_if_exists: a stored trial of it without a usable rate (measured under other load, or
        # interrupted, in an earlier run) is measured again, as the baseline is, not given up unmeasured.
        study.enqueue_trial(step.next.params())
    specs = whatif_specs(experiment.facts)[: options.max_whatifs] if options.whatifs else []

    def objective(trial: optuna.Trial) -> float:
        setting = Setting.from_params({name: trial.suggest_categorical(name, list(values))
                                       for name, values in searched.choices.items()})
        trial.set_user_attr("speed_only", setting.speed_only)  # the pruner compares within the class
        sync()
        if setting in attempted:  # known: reuse the outcome instead of measuring again
            state["duplicates"] += 1
            trial.set_user_attr("reused_from", "storage")
            if setting in measured:
                return measured[setting]
            trial.set_user_attr("reason", attempted[setting])
            raise TrialFailure(attempted[setting])
        state["duplicates"] = 0
        reason = None
        if not space.fits(setting):  # torch's default threads would use CPUs the user keeps free
            reason = f"skipped: torch's default thread count exceeds the {space.thread_cap}-thread cap"
        elif setting.process_key() != BASELINE.process_key() and pool.capacity() < 2:
            # Its own worker beside the baseline's, which would be closed and started again every piece.
            reason = (f"skipped: {room} holds one trial worker, and a process-level change needs its own "
                      "beside the config's")
        if reason is not None:
            trial.set_user_attr("reason", reason)
            attempted[setting] = reason
            raise optuna.TrialPruned()
        t0 = time.perf_counter()

        def report(step: int, value: float) -> bool:
            trial.report(value, step)
            return trial.should_prune()

        def once() -> Tuple[TrialMetrics, int]:
            if options.paired_search and BASELINE in measured and setting != BASELINE:
                paired = state["heavy"].options if "heavy" in state else options
                return beside_baseline(pool, setting, paired, trial.number, pair_sizes, meter, plan)
            comparable = any(s.speed_only == setting.speed_only for s in measured)
            return measure(pool, setting, options, report if comparable else None, meter)

        try:
            metrics, worker_no = once()
            if flagged(plan, reading_of(metrics)) and time.perf_counter() - started < 0.6 * options.budget_s:
                # The load moved while measuring: measure once more, the load may have been brief.
                first = metrics
                metrics, worker_no = once()
                trial.set_user_attr("first_measure", json.dumps(to_jsonable(first)))
        except Pruned as pruned:
            trial.set_user_attr("metrics", json.dumps(to_jsonable(pruned.metrics)))
            attempted[setting] = "pruned: clearly slower than the best"
            raise optuna.TrialPruned() from None
        except TrialFailure as failure:
            trial.set_user_attr("reason", failure.reason)
            attempted[setting] = failure.reason
            raise
        except KeyboardInterrupt:  # not this setting's fault: a resumed run measures it again
            trial.set_user_attr("interrupted", True)
            trial.set_user_attr("reason", "interrupted (Ctrl-C or SIGTERM)")
            raise
        finally:
            seconds = time.perf_counter() - t0
            trial.set_user_attr("seconds", seconds)
            state["measuring_s"] += seconds
        trial.set_user_attr("metrics", json.dumps(to_jsonable(metrics)))
        trial.set_user_attr("worker", worker_no)
        # Per setting measured: a paired trial measured two (time estimates are per setting).
        trial_seconds.append(seconds / 2 if metrics.baseline_instances_per_s else seconds)
        if metrics.baseline_instances_per_s:
            paired_seconds.append(seconds / 2)
        readings.append((trial.number, reading_of(metrics)))
        value = metrics.instances_per_s
        if metrics.baseline_instances_per_s:  # paired: the gain over the baseline beside it, in baseline units
            value = metrics.instances_per_s / metrics.baseline_instances_per_s * measured[BASELINE]
        if flagged(plan, reading_of(metrics)):  # kept for the record, not as a candidate or a yardstick
            trial.set_user_attr("contended", True)
            flagged_trials.append(trial.number)
            return value
        measured[setting] = value
        attempted[setting] = "complete"
        design = design_for(metrics, seconds, options, streaming) if setting == BASELINE else None
        if design is not None:  # steps of seconds: a design of their own (.heavy)
            state["heavy"] = design
        return value

    def after_trial(study: optuna.Study, frozen: optuna.trial.FrozenTrial) -> None:
        if frozen.user_attrs.get("reused_from") is None:
            emit("search", record_of(frozen))
            value = frozen.value if frozen.state == TrialState.COMPLETE and not frozen.user_attrs.get("contended") else None
            if value is not None and value > state["best"] * (1 + MIN_GAIN):
                state["best"], state["since_best"] = value, 0
            elif state["screened"] and Setting.from_params(frozen.params) not in screened:
                state["since_best"] += 1  # the patience counts the sampler's trials, after the screening
        advance()
        elapsed = time.perf_counter() - started
        typical = setting_share()
        # Once a candidate is measured, the rounds have something to decide: their least is reserved.
        least = least_decision_s(typical, WINDOW_S) if any(s != BASELINE for s in measured) else None
        reserve = search_reserve(typical, round_settings, len(specs) * (pool.start_cost() + 6 * typical * 0.7),
                                 options.budget_s, DECISION_SHARE, least)
        if "heavy" in state:  # a trial and a round cost a share per setting; the decision needs three rounds
            typical, reserve = 2 * state["heavy"].share_s, decision_s(state["heavy"])
        if options.patience and state["since_best"] >= options.patience:
            state["converged"] = len(attempted)  # the search has stopped finding anything faster
        out_of_time = elapsed + typical > options.budget_s - reserve
        if out_of_time and least is not None and "heavy" not in state and least > DECISION_SHARE * options.budget_s:
            state["search_note"] = notes.search_cut(least, typical, len(attempted), DECISION_SHARE)
        if out_of_time or len(attempted) >= searched.size() or state["duplicates"] >= 20 or state.get("converged"):
            study.stop()  # out of time, the whole space tried, only known points left, or converged

    interrupted = False
    remeasured, comparisons, best, gains, parity = [], {}, None, {}, None
    passed_over: Tuple[Setting, ...] = ()
    whatifs, whatif_starts = [], (0, 0.0)
    remeasure_s = whatif_s = decided_s = 0.0
    level = Level(pool, None, options)
    try:
        with TakenAtWaits():  # an interrupt waits for a wait on a worker, never cuts a write (.interrupts)
            pending = [s for s in seeds if s not in attempted]
            if pending or BASELINE not in measured:  # every worker the screening needs, started side by side
                pool.prestart([BASELINE, *pending])
            padding = ((pool.model_facts or {}).get("padding") or {}).get("padding_fraction")
            seeds = screening(searched, padding) if options.screening else []
            state["padding"] = padding
            advance()  # a resumed study's next screening trial (a new one's waits for the baseline's)
            study.optimize(objective, n_trials=options.n_trials, callbacks=[after_trial], catch=(TrialFailure,),
                           gc_after_trial=False)
            measuring_s = state["measuring_s"]
            t_re = time.perf_counter()
            deadline = started + options.budget_s
            typical = setting_share()
            round_sizes: Dict[Setting, int] = {}  # timed steps per round piece, shared by both kinds of rounds
            none_why = None  # why no candidate reaches the rounds, where the budget is the reason
            round_options, share = options, ROUND_COST * typical  # and one setting's share of a round
            design: Optional[HeavyDesign] = state.get("heavy")
            if design is not None:
                round_options, share, step_s = design
            untried: List[Setting] = []
            if searched.size() > 1 and attempted and all(s == BASELINE for s in attempted):
                # The budget ended with the baseline's trial: a heavy model's rounds take the screening's first
                # candidates untried where a decision fits (.heavy); else say so, and what would do.
                wanted = wanted_budget_s(pool.start_cost(), typical, round_settings * ROUND_COST, design)
                if design is not None and decision_s(design) <= deadline - time.perf_counter():
                    untried = untried_leaders(seeds, options.top_k, BASELINE)
                if untried:
                    state["wanted"] = wanted
                    pool.keep_only([BASELINE, *untried])  # no search follows: the prestarted others stay idle
                else:
                    state["budget_note"] = notes.budget_ended(options.budget_s, typical, wanted)
                    none_why = "no candidate measured: the budget ended after the baseline's trial"
            # Rounds beyond the planned ones leave time for the level windows and the behaviour values' rounds.
            after_decision = 2 * WINDOW_COST_S + 3 * (variants + 1) * share * bool(variants)
            # A heavy model's level window takes seconds (.heavy.level_window_s): the rounds leave room for it.
            rounds_end = deadline - (level_window_s(design) if design is not None else 0.0)
            # The batch layout on padded batches goes to the rounds though its one trial missed the mark (.screening).
            prior = layout_prior(searched, measured, screening_step(searched, measured, given_up(), padding).anchor,
                                 padding) if options.screening else None
            decision = remeasure(pool, measured, round_options, emit, rounds_end, space, meter, plan, readings, share,
                                 failed_again, round_sizes, none_why, extend_until=deadline - after_decision,
                                 untried=tuple(untried), capacity=pool.capacity(), prior=prior)
            remeasured, comparisons, best, dropped = list(decision.remeasured), decision.comparisons, decision.best, \
                decision.dropped
            passed_over = decision.passed_over
            if prior is not None and prior in {r.setting for r in decision.remeasured}:
                state["prior_note"] = notes.prior_leader(prior, padding, measured[prior] / measured[BASELINE])
            if design is not None:  # the untried candidates that went into the rounds (the budget may drop some)
                in_rounds = {r.setting for r in decision.remeasured}
                state["heavy_note"] = heavy_note(step_s, [s for s in untried if s in in_rounds], state.get("wanted"),
                                                 design.options.piece_steps)
            if decision.settled_after is not None and best is not None:
                state["settled_note"] = notes.settled(decision.settled_after, options.remeasure_rounds, best.setting)
            decided_s = time.perf_counter() - started  # what follows measures, and never changes, the applied setting
            level = Level(pool, best.setting if best is not None else None, round_options)
            level.take()
            if best is not None:  # their rounds leave the second level window its time (.level: two pooled)
                suggested = suggestions(pool, best.setting, round_options, emit, deadline - level.cost_s(), space,
                                        meter, plan, readings, share, failed_again, round_sizes, decision.rounds)
                remeasured += suggested.remeasured
                gains = suggested.gains
                dropped = (dropped[0] + suggested.dropped[0], dropped[1] or suggested.dropped[1])
            state["dropped_rounds"] = dropped
            level.take(deadline)  # the second level window, some seconds after the first (.level)
            parity = None  # after the window: the time the behaviour values' rounds left it is the window's
            if best is not None and "precision=bf16" in gains:
                parity = bf16_parity(pool, replace(best.setting, precision="bf16"), options)
            remeasure_s = time.perf_counter() - t_re
            t_whatif = time.perf_counter()
            if specs and best is not None:
                outcome = whatifs_beside(experiment, best.setting, pool, options, trial_seconds, log_dir=log_dir,
                                         deadline=deadline, room=room)
                whatifs, whatif_starts, state["whatif_note"] = list(outcome.whatifs), outcome.starts, outcome.note
            whatif_s = time.perf_counter() - t_whatif
    except BaseException as exc:  # noqa: BLE001 - only interrupts are handled; the rest is raised again
        if not caused_by_interrupt(exc):
            raise
        # Stop now, keep what the storage holds; the decision needs the re-measure, so there is none.
        interrupted = True
        remeasured, comparisons, best, gains, parity, whatifs, passed_over = [], {}, None, {}, None, [], ()
        level = Level(pool, None, options)
        measuring_s = state["measuring_s"]
        pool.kill_all()
    finally:
        pool.close()

    # Enqueued screening trials the budget left unrun wait in the storage (a resumed run measures them).
    records = tuple(record_of(t) for t in study.get_trials(deepcopy=False) if t.state != TrialState.WAITING)
    # The yardstick: a complete baseline measured under the reference load, else the best there is.
    baseline = min((r for r in records if r.setting == BASELINE), key=lambda r: (r.state != "complete", r.contended),
                   default=None)
    facts = from_jsonable(ModelFacts, pool.model_facts) if pool.model_facts else None
    said = []
    if interrupted:
        kept = sum(1 for r in records if r.state in ("complete", "pruned", "failed"))
        said.append(f"interrupted: {kept} trials are kept in {storage_url}; the same command resumes from them")
    said += notes.round_notes(failed_again, (r.setting for r in remeasured), passed_over, comparisons, best)
    said += [state[key] for key in ("budget_note", "search_note", "heavy_note", "prior_note", "whatif_note")
             if state.get(key)]
    if state.get("settled_note") and not interrupted:
        said.append(state["settled_note"])
    if state.get("converged"):
        said.append(notes.converged(state["converged"], options.patience, bool(seeds)))
    if baseline is not None and baseline.state == "failed":
        said.append(f"the baseline itself failed: {baseline.reason}")
    if pool.closed_for_memory:
        said.append(f"{pool.closed_for_memory} trial worker(s) were closed to make room for another in {room} "
                    "and started again when needed: their starts took time from the budget")
    attribution = ()
    if best is not None and best.significant and best.setting != BASELINE:
        attribution = applied_effects(measured, searched, best.setting, BASELINE, best.speedup)
    return StudyResult(
        schema_version=SCHEMA_VERSION, study_name=name, storage=storage_url, space=space, baseline=baseline,
        trials=records, remeasured=tuple(remeasured), best=best, comparisons=comparisons,
        importances=importances(study, searched),
        overhead=Overhead(pool.started + whatif_starts[0], round(pool.start_seconds + whatif_starts[1], 2),
                          round(measuring_s, 2), round(remeasure_s, 2), round(time.perf_counter() - started, 2),
                          options.budget_s, round(whatif_s, 2), round(decided_s, 2)),
        model_facts=facts, behaviour_gains=gains if best is not None else {}, bf16_parity=parity,
        whatifs=tuple(whatifs), notes=tuple(said), partial=interrupted,
        load=load_report(plan, readings, flagged_trials, *state.get("dropped_rounds", (0, False))),
        attribution=attribution, level_instances_per_s=level.pooled(), level_windows=level.rates())
