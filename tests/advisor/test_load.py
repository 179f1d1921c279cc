"""Contention: the load before and during a study, real CPU-burning processes, the reserve."""
from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import threading
import time

import optuna
import pytest

from advisor.config import load_experiment
from advisor.report.markdown import load_lines
from advisor.trials import DEFAULT, Setting, StudyOptions, build_space, run_study
from advisor.trials.load import plan_load, up_front_notes
from probes import probe_machine
from rules import Context, run_rules

from ..conftest import EXAMPLES

BURN = [sys.executable, "-c", "while True: pass"]


class Burner:
    """A CPU-burning process outside our process tree (as another user's job would be)."""

    def __init__(self) -> None:
        # Started through a shell that exits at once, so the burner is not our descendant.
        shell = subprocess.run(["sh", "-c", f"{shlex.join(BURN)} >/dev/null 2>&1 & echo $!"],
                               capture_output=True, text=True, check=True)
        self.pid = int(shell.stdout.strip())

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def burners():
    procs = []

    def start(n: int = 1):
        procs.extend(Burner() for _ in range(n))
        return procs

    yield start
    for proc in procs:
        proc.kill()


def test_reserve_cpus_lowers_the_thread_range(recorded_root):
    machine = probe_machine(recorded_root("xeon-amx-16c-kvm"))
    experiment = load_experiment(EXAMPLES / "bilstm_classifier" / "config.jsonnet")
    assert build_space(machine, experiment).thread_cap is None  # no reserve: 16 threads (torch's default) tried
    space = build_space(machine, experiment, reserve_cpus=4, reserve_basis="--reserve-cpus 4")
    threads = space.choices["intra_op_threads"]
    assert threads[0] == DEFAULT and max(v for v in threads if v != DEFAULT) == 12 and 12 in threads
    assert "4 of 16 CPUs kept free for --reserve-cpus 4" in space.skipped["intra_op_threads"]
    assert space.thread_cap == 12 and not space.fits(Setting(batch_layout="bucket"))  # default 16 threads
    assert space.fits(space.grid()[0])  # the baseline is always measured, as the reference


def test_plan_takes_the_users_reserve_and_states_it():
    machine = probe_machine()
    plan = plan_load(machine, reserve_cpus=1, sample_s=0.3)
    assert plan.reserve_cpus == min(1, machine.limits.usable_cpus - 1)
    assert plan.reserve_basis.startswith("--reserve-cpus 1")


def test_busy_machine_is_reported_up_front_with_numbers_and_processes(burners):
    machine = probe_machine()
    procs = burners(1)
    time.sleep(0.3)
    plan = plan_load(machine, sample_s=1.0)
    assert plan.before.busy and plan.before.outside_cores >= 0.6
    assert procs[0].pid in [p.pid for p in plan.before.top]
    notes = " ".join(up_front_notes(plan))
    assert "the machine is busy" in notes and f"pid {procs[0].pid}" in notes and "--wait-quiet" in notes
    if machine.limits.usable_cpus > 1:  # by default the search keeps the busy cores free, and says so
        assert plan.reserve_cpus >= 1 and "the load seen at measurement time" in plan.reserve_basis


def test_wait_quiet_waits_for_the_load_to_go(burners):
    machine = probe_machine()
    procs = burners(1)
    time.sleep(0.3)
    threading.Timer(2.0, procs[0].kill).start()
    plan = plan_load(machine, wait_quiet_s=15, sample_s=0.5)
    assert plan.quiet_after_wait is True and 1.0 <= plan.waited_s < 15
    assert not plan.before.busy and plan.reserve_cpus == 0


def test_trials_under_a_changed_load_are_flagged_and_the_report_warns(tiny_data, in_repo, tmp_path, burners):
    machine = probe_machine()
    experiment = load_experiment(EXAMPLES / "cnn_classifier" / "tiny.jsonnet")
    space = build_space(machine, experiment).restrict(
        inter_op_threads=(DEFAULT,), omp_proc_bind=("unset",), allocator=("system",), num_workers=("config",),
        precision=("fp32",), intra_op_threads=(DEFAULT, 1, 2, 4))
    assert len(space.speed_only().grid()) >= 6  # every one of the 6 trials measures a new setting
    started = []

    def progress(event):  # the load arrives after two quiet trials and stays for the rest of the search
        if event.phase == "search" and event.trials_done >= 2 and not started:
            started.extend(burners(max(1, machine.limits.usable_cpus // 2)))

    options = StudyOptions(n_trials=6, budget_s=120, target_trial_s=0.4, min_steps=3, warmup_steps=1,
                           remeasure_rounds=3, trial_timeout_s=60, whatifs=False)
    result = run_study(experiment, machine, space, tmp_path, options=options, progress=progress,
                       sampler=optuna.samplers.RandomSampler(seed=1), pruner=optuna.pruners.NopPruner())
    load = result.load
    assert started and load is not None and not load.plan.before.busy
    assert load.flagged_trials, [t.metrics.outside_cores for t in result.trials if t.metrics]
    contended = [t for t in result.trials if t.contended]
    assert contended and all(t.metrics.outside_cores >= load.plan.threshold_cores for t in contended)
    quiet = [t for t in result.trials[:2] if t.metrics]
    assert quiet and all(t.metrics.outside_cores < load.plan.threshold_cores for t in quiet)
    assert any("changed during the study" in w for w in load.warnings)
    findings = run_rules(Context(machine=machine, config=experiment.facts, params=experiment.params,
                                 study=result, environ={}))
    assert "C005" in [f.code for f in findings]
    assert any("**warning:**" in line for line in load_lines(load))
