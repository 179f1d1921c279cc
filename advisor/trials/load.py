"""Measure on a known machine state: the load before the study, the CPUs to leave free, the verdict.

Before measuring, the outside load is sampled (and, with ``--wait-quiet``, waited out). The
CPUs the user reserves (``--reserve-cpus``), or by default the cores other work held at that
moment, are taken off the top of the thread range. Around every trial the study reads the load
again (:class:`probes.load.LoadMeter`); a trial whose outside load moved by more than
:func:`probes.load.busy_threshold` from the reference is flagged, measured again where the
budget allows, and otherwise kept out of the winner decision.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, Tuple

from probes import MachineFacts
from probes.load import LoadReading, LoadSample, busy_threshold, sample_load

__all__ = ["LoadPlan", "LoadReport", "plan_load", "flagged", "load_report", "up_front_notes"]


@dataclass(frozen=True)
class LoadPlan:
    """The machine's state when measuring started, and what the search leaves free for others."""

    before: LoadSample
    waited_s: float  # spent waiting for quiet (--wait-quiet)
    quiet_after_wait: Optional[bool]  # None when not asked to wait
    reserve_cpus: int
    reserve_basis: str  # why that many: --reserve-cpus, the load seen at measurement time, or none
    threshold_cores: float

    @property
    def reference_cores(self) -> float:
        return self.before.outside_cores


@dataclass(frozen=True)
class LoadReport:
    """The load seen while measuring, what it did to the study, and what the user should know."""

    plan: LoadPlan
    trial_outside_cores: Tuple[float, ...]  # one per measured trial (search and re-measure)
    median_cores: Optional[float]
    max_cores: Optional[float]
    max_steal_fraction: Optional[float]
    flagged_trials: Tuple[int, ...]  # trial numbers measured under a markedly different load
    flagged_rounds: int  # re-measure rounds dropped for the same reason
    warnings: Tuple[str, ...] = field(default=())


def plan_load(machine: MachineFacts, *, reserve_cpus: Optional[int] = None, wait_quiet_s: float = 0.0,
              sample_s: float = 1.0, sampler: Callable[..., LoadSample] = sample_load) -> LoadPlan:
    """Sample the outside load (waiting up to ``wait_quiet_s`` for it to settle) and decide the reserve."""
    cpus = machine.limits.allowed_cpus or tuple(range(machine.limits.usable_cpus))
    usable = machine.limits.usable_cpus
    threshold = busy_threshold(usable)
    started = time.perf_counter()
    before = sampler(cpus, sample_s)
    quiet = None
    if wait_quiet_s > 0:
        while before.busy and time.perf_counter() - started + sample_s <= wait_quiet_s:
            before = sampler(cpus, sample_s)
        quiet = not before.busy
    waited = round(time.perf_counter() - started - sample_s, 1) if wait_quiet_s > 0 else 0.0
    if reserve_cpus is not None:
        reserve, basis = min(reserve_cpus, usable - 1), f"--reserve-cpus {reserve_cpus}"
        if reserve_cpus > usable - 1:
            basis += f" (capped: {usable} usable CPUs, at least one thread is left)"
    elif before.busy:
        reserve = min(usable - 1, round(before.outside_cores))
        basis = f"the load seen at measurement time ({before.outside_cores:.2f} cores busy with other work)"
    else:
        reserve, basis = 0, "none: the machine was quiet when measuring started"
    return LoadPlan(before, max(0.0, waited), quiet, max(0, reserve), basis, threshold)


def flagged(plan: LoadPlan, reading: Optional[LoadReading]) -> bool:
    """Was this trial measured while the outside load differed markedly from the reference?

    More outside CPU use than the reference always counts. Less counts only where CPU time was left
    idle: when the trial's own threads filled every usable CPU, other work got less because it was
    crowded out, not because it wanted less (CPU time used is a lower bound of the demand).
    """
    if reading is None:
        return False
    change = reading.outside_cores - plan.reference_cores
    if change >= plan.threshold_cores:
        return True
    spare = reading.idle_cores if reading.idle_cores is not None else plan.threshold_cores
    return -change >= plan.threshold_cores and spare >= plan.threshold_cores


def up_front_notes(plan: LoadPlan) -> Tuple[str, ...]:
    """What to tell the user before measuring starts: the load, and what the search does about it."""
    notes = []
    if plan.before.busy:
        notes.append(f"the machine is busy: {_describe(plan.before)}. Measurements will reflect that load"
                     + ("" if plan.quiet_after_wait is False else "; --wait-quiet SECONDS waits for it to settle") + ".")
    if plan.quiet_after_wait is False:
        notes.append(f"waited {plan.waited_s:.0f} s for the machine to settle; it did not. Measuring anyway.")
    elif plan.quiet_after_wait and plan.waited_s > 0:
        notes.append(f"waited {plan.waited_s:.0f} s for the machine to settle.")
    if plan.reserve_cpus:
        notes.append(f"keeping {plan.reserve_cpus} CPU(s) free: at most {plan.before.usable_cpus - plan.reserve_cpus} "
                     f"threads are tried (reserve from {plan.reserve_basis}).")
    return tuple(notes)


def _describe(sample: LoadSample) -> str:
    top = ", ".join(f"{p.name} (pid {p.pid}) {p.cores:.2f}" for p in sample.top) or "no single process stood out"
    load = f"; load average {sample.loadavg[0]:.2f}" if sample.loadavg else ""
    return f"{sample.outside_cores:.2f} of {sample.usable_cpus} usable CPUs busy with other work (top: {top}){load}"


def load_report(plan: LoadPlan, readings: Sequence[Tuple[int, Optional[LoadReading]]], flagged_trials: Sequence[int],
                flagged_rounds: int, rounds_used_anyway: bool = False) -> LoadReport:
    cores = tuple(r.outside_cores for _, r in readings if r is not None)
    steals = [r.steal_fraction for _, r in readings if r is not None and r.steal_fraction is not None]
    max_steal = max(steals) if steals else None
    warnings = []
    if plan.before.busy:
        warnings.append(
            f"the machine was busy when measuring started: {_describe(plan.before)}. The advice fits a machine "
            "this busy; on a quiet machine more threads may win. Re-run on a quiet machine (or with "
            "--wait-quiet SECONDS) if training will run without that load.")
    if plan.quiet_after_wait is False:
        warnings.append(f"--wait-quiet: the machine did not settle within {plan.waited_s:.0f} s; measured anyway.")
    if flagged_trials or flagged_rounds:
        span = f"{min(cores):.2f}-{max(cores):.2f}" if cores else "?"
        warnings.append(
            f"the outside load changed during the study (reference {plan.reference_cores:.2f} cores, seen {span}): "
            f"{len(flagged_trials)} search trial(s) and {flagged_rounds} re-measure round(s) were measured under a "
            "markedly different load; they were measured again where the budget allowed, otherwise kept out of the "
            "winner decision." + (" Too few re-measure rounds ran under a steady load, so all were used: treat "
                                  "the comparison with care, or re-run on a quieter machine." if rounds_used_anyway else ""))
    if max_steal is not None and max_steal >= 0.05:
        warnings.append(f"the hypervisor took up to {max_steal:.0%} of the CPU time (steal): a noisy neighbour on "
                        "this VM makes every measurement less certain.")
    if not plan.before.busy and plan.reserve_cpus:
        warnings.append(f"measured on a quiet machine with {plan.reserve_cpus} CPU(s) kept free as asked "
                        f"({plan.reserve_basis}): if training runs without that other load, more threads may win.")
    return LoadReport(plan, cores, round(statistics.median(cores), 3) if cores else None,
                      max(cores) if cores else None, max_steal, tuple(flagged_trials), flagged_rounds, tuple(warnings))
