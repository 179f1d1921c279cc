"""Ctrl-C and SIGTERM during a study wait for a wait on a worker (advisor.trials.interrupts)."""
from __future__ import annotations

import os
import signal

import optuna
import pytest

from advisor.config import load_experiment
from advisor.trials import BASELINE, DEFAULT, StudyOptions, build_space, run_study
from advisor.trials.interrupts import TakenAtWaits, caused_by_interrupt, check
from probes import probe_machine

from ..conftest import EXAMPLES, fixed_load_plan

FAST = dict(budget_s=120, target_trial_s=0.3, min_steps=3, warmup_steps=1, remeasure_rounds=3,
            trial_timeout_s=60, whatifs=False)


def _signal(sig=signal.SIGTERM) -> None:
    os.kill(os.getpid(), sig)  # delivered to the main thread before os.kill returns


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_inside_waits_for_the_check_and_the_handlers_come_back(sig):
    before = signal.getsignal(sig)
    with TakenAtWaits():
        _signal(sig)  # not raised here: this could be the middle of a storage write
        with pytest.raises(KeyboardInterrupt):
            check()
        check()  # taken once
    assert signal.getsignal(sig) is before


def test_a_signal_after_the_last_wait_is_raised_at_the_exit():
    with pytest.raises(KeyboardInterrupt):
        with TakenAtWaits():
            _signal()
    check()  # nothing left pending


def test_a_second_signal_before_the_first_was_taken_stops_at_once():
    with TakenAtWaits():
        _signal()
        with pytest.raises(KeyboardInterrupt):
            _signal()  # the user insists
        check()


def test_an_error_raised_while_handling_an_interrupt_counts_as_one():
    try:
        try:
            raise KeyboardInterrupt
        finally:
            raise UnboundLocalError("updated_state")  # what Optuna 5 raised when cut inside its tell
    except UnboundLocalError as exc:
        assert caused_by_interrupt(exc)
    assert not caused_by_interrupt(ValueError("plain"))


class _SignalAfterFirstTrial(optuna.samplers.BruteForceSampler):
    """Sends the signal from inside Optuna's tell (where the CI run's SIGTERM landed)."""

    def after_trial(self, study, trial, state, values):
        super().after_trial(study, trial, state, values)
        if trial.number == 0:
            _signal(signal.SIGINT)  # SIGINT: without the deferral pytest would see KeyboardInterrupt, not die


def test_a_signal_inside_optunas_tell_ends_the_study_with_a_partial_result(tiny_data, in_repo, tmp_path):
    machine = probe_machine()
    experiment = load_experiment(EXAMPLES / "cnn_classifier" / "tiny.jsonnet")
    space = build_space(machine, experiment).restrict(
        inter_op_threads=(DEFAULT,), omp_proc_bind=("unset",), allocator=("system",), num_workers=("config",),
        precision=("fp32",), batch_layout=("config",))
    result = run_study(experiment, machine, space, tmp_path, load_plan=fixed_load_plan(),
                       options=StudyOptions(n_trials=4, **FAST), sampler=_SignalAfterFirstTrial(seed=0))
    assert result.partial and any(note.startswith("interrupted:") for note in result.notes)
    first = result.trials[0]
    assert first.setting == BASELINE and first.state == "complete"  # its tell finished: kept for a resume
    assert result.trials[1].state == "interrupted"  # taken at the next trial's wait on its worker
    assert result.best is None
