"""The Optuna study through the real worker path, on tiny examples (kept short for CI)."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import optuna
import pytest

from advisor.config import load_experiment
from advisor.trials import BASELINE, DEFAULT, StudyOptions, build_space, run_study, study_name
from advisor.trials.screening import screening, screening_step
from probes import probe_machine, to_jsonable

from ..conftest import EXAMPLES, fixed_load_plan

PLUGINS = Path(__file__).parent / "plugins"
FAST = dict(budget_s=120, target_trial_s=0.3, min_steps=3, warmup_steps=1, remeasure_rounds=3,
            trial_timeout_s=60)
QUIET = fixed_load_plan()  # where a test is not about the load: its outcome fixed


def _fixed(space, **choices):
    """Keep the tests to one worker process: process-level dimensions fixed."""
    return space.restrict(inter_op_threads=(DEFAULT,), omp_proc_bind=("unset",), allocator=("system",), **choices)


def test_study_measures_baseline_first_then_candidates(tiny_data, in_repo, recorded_root, tmp_path):
    # The recorded EPYC's sheet: bf16 emulated there, so it must never be tried.
    machine = probe_machine(recorded_root("epyc-2vcpu-kvm"))
    # A streaming loader: loader workers are part of the space (and run live in their trials).
    experiment = load_experiment(EXAMPLES / "bilstm_classifier" / "tiny.jsonnet",
                                 overrides='{"data_loader.max_instances_in_memory": 64}')
    space = _fixed(build_space(machine, experiment))
    assert len(space.speed_only().grid()) >= 8
    # No pruning: a leader must complete for the re-measure this test checks.
    result = run_study(experiment, machine, space, tmp_path, load_plan=QUIET, options=StudyOptions(n_trials=5, **FAST),
                       pruner=optuna.pruners.NopPruner())
    first = result.trials[0]
    assert first.setting == BASELINE and first.state == "complete"
    assert sum(1 for t in result.trials if t.state in ("complete", "pruned") and t.setting != BASELINE) >= 3
    assert all(t.setting.precision == "fp32" for t in result.trials)
    assert result.baseline.metrics.instances_per_s > 0 and result.baseline.metrics.steps >= 3
    assert 0 <= result.baseline.metrics.padding_fraction < 1
    assert result.remeasured and all(len(r.instances_per_s) >= 3 for r in result.remeasured)
    assert result.best is not None and result.model_facts is not None
    # The level time predictions use: two continuous windows (the budget leaves time for both), pooled
    assert len(result.level_windows) == 2 and result.level_instances_per_s > 0
    # The attribution names only values the applied setting changed (empty when the gain is not significant).
    assert all(getattr(result.best.setting, e.dimension) != getattr(BASELINE, e.dimension) for e in result.attribution)
    # max-tokens batches change what is trained: never searched, measured over the applied setting instead
    assert all(t.setting.speed_only for t in result.trials)
    assert "batch_layout=max_tokens" in result.behaviour_gains
    assert result.overhead.worker_starts == 1
    json.dumps(to_jsonable(result))  # the whole result serialises


def test_failures_are_recorded_and_the_study_completes(tiny_data, in_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(PLUGINS))
    machine = probe_machine()
    experiment = load_experiment(EXAMPLES / "bilstm_classifier" / "tiny.jsonnet",
                                 overrides='{"model.type": "advisor_test_faulty"}',
                                 include_packages=["advisor_faulty"])
    space = _fixed(build_space(machine, experiment), intra_op_threads=(DEFAULT, 1, 3, 4, 5, 6, 7),
                   batch_layout=("config",), num_workers=("config",), precision=("fp32",))
    options = StudyOptions(**{**FAST, "trial_timeout_s": 8}, memory_limit_bytes=3 << 30)
    result = run_study(experiment, machine, space, tmp_path, load_plan=QUIET, options=options,
                       sampler=optuna.samplers.BruteForceSampler(seed=0), pruner=optuna.pruners.NopPruner())
    by_threads = {t.setting.intra_op_threads: t for t in result.trials if t.state != "reused"}
    assert by_threads[DEFAULT].state == "complete" and by_threads[1].state == "complete"
    assert by_threads[3].state == "failed" and "boom" in by_threads[3].reason
    assert by_threads[4].state == "failed" and "timed out" in by_threads[4].reason
    assert by_threads[5].state == "failed" and "memory limit" in by_threads[5].reason
    assert by_threads[6].state == "failed" and "killed by signal 11" in by_threads[6].reason  # segfault
    assert by_threads[7].state == "failed" and "killed by signal 9" in by_threads[7].reason
    assert result.best is not None  # the study went on to its end


def test_second_run_on_the_same_storage_resumes(tiny_data, in_repo, tmp_path):
    machine = probe_machine()
    experiment = load_experiment(EXAMPLES / "cnn_classifier" / "tiny.jsonnet")
    space = _fixed(build_space(machine, experiment), num_workers=("config",), precision=("fp32",))
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    options = StudyOptions(n_trials=3, **{**FAST, "remeasure_rounds": 3})
    sampler = optuna.samplers.BruteForceSampler(seed=0)
    first = run_study(experiment, machine, space, tmp_path / "a", load_plan=QUIET, options=options, storage=storage,
                      sampler=sampler)
    second = run_study(experiment, machine, space, tmp_path / "b", load_plan=QUIET, options=options, storage=storage,
                       sampler=optuna.samplers.BruteForceSampler(seed=0))
    assert first.study_name == second.study_name
    assert len(second.trials) > len(first.trials)
    assert [t.number for t in second.trials[: len(first.trials)]] == [t.number for t in first.trials]
    measured_baselines = [t for t in second.trials if t.setting == BASELINE and t.state == "complete"]
    assert len(measured_baselines) == 1  # not measured again


def test_the_search_stops_once_it_stops_finding_faster_settings(tiny_data, in_repo, tmp_path):
    machine = probe_machine()
    experiment = load_experiment(EXAMPLES / "cnn_classifier" / "tiny.jsonnet")
    # Sixteen speed-only points, of which the screening measures about ten: the sampler has room left,
    # so that the patience, not the end of the space, stops the search.
    space = _fixed(build_space(machine, experiment), precision=("fp32",), intra_op_threads=(DEFAULT, *range(1, 8)))
    assert len(space.speed_only().grid()) >= 16
    options = StudyOptions(**{**FAST, "budget_s": 600, "remeasure_rounds": 3}, patience=1, whatifs=False)
    result = run_study(experiment, machine, space, tmp_path, load_plan=QUIET, options=options)
    fresh = [t for t in result.trials if t.state != "reused"]
    assert 3 <= len(fresh) < space.size()
    # The screening comes first: after the baseline, one value changed at a time over the values kept
    # so far, in the screening's order (the batch layout first where the model's facts show padded
    # batches); each trial is the one its predecessors' measured rates ask for.
    padding = result.model_facts.padding.padding_fraction
    seeds = screening(space.speed_only(), padding)
    assert fresh[0].setting == BASELINE and fresh[1].setting == seeds[0]
    measured, path = {BASELINE: fresh[0].value}, []
    for trial in fresh[1:]:
        step = screening_step(space.speed_only(), measured, padding_fraction=padding)
        if step.next is None:
            break
        assert trial.setting == step.next and trial.state == "complete", (trial, step)
        path.append(trial.setting)
        measured[trial.setting] = trial.value
    assert len(path) == len(seeds)  # one trial per value screened, as each alone would take
    assert result.study_name == study_name(experiment, machine, space)  # the storage's name for it
    assert any(n.startswith("the search stopped after") and "after the screening" in n for n in result.notes), \
        result.notes
    assert result.best is not None  # the leaders were still re-measured


def test_a_budget_that_ends_with_the_baseline_says_so_and_what_budget_would_do(tiny_data, in_repo, tmp_path):
    machine = probe_machine()
    experiment = load_experiment(EXAMPLES / "cnn_classifier" / "tiny.jsonnet")
    space = _fixed(build_space(machine, experiment), precision=("fp32",))
    # A budget smaller than one trial: the search ends after the baseline, as on a heavy model.
    result = run_study(experiment, machine, space, tmp_path, load_plan=QUIET,
                       options=StudyOptions(**{**FAST, "budget_s": 1}, whatifs=False))
    assert [t.setting for t in result.trials if t.state != "reused"] == [BASELINE]
    assert result.best.setting == BASELINE and not result.best.significant
    assert result.best.verdict.startswith("no candidate measured: the budget ended")
    note = next(n for n in result.notes if n.startswith("the 1 s budget ended after the baseline's trial"))
    # The budget it names has room for the baseline's trial and six paired trials (two settings each).
    assert int(note.split("about ")[1].split(" s")[0]) >= 13 * result.baseline.seconds


@pytest.mark.parametrize("example, overrides, warmup", [
    ("cnn_classifier", None, 0),
    # A streaming config: its loaders run live, whose first step after a begin is slow (.heavy).
    ("bilstm_classifier", '{"data_loader.max_instances_in_memory": 64}', 1)])
def test_a_heavy_models_trials_and_rounds_run_as_one_piece_per_setting(tiny_data, in_repo, tmp_path,
                                                                       example, overrides, warmup):
    # Steps longer than the trial target (here a target of 0.1 ms: every step is longer) make the
    # design of advisor/trials/heavy.py apply after the baseline's trial, through the real workers.
    # Steps of milliseconds leave the budget room for pieces of the usual floor of steps (.heavy.piece_steps).
    machine = probe_machine()
    experiment = load_experiment(EXAMPLES / example / "tiny.jsonnet", overrides=overrides)
    space = _fixed(build_space(machine, experiment), precision=("fp32",))
    options = StudyOptions(**{**FAST, "target_trial_s": 0.0001}, n_trials=3, whatifs=False)
    result = run_study(experiment, machine, space, tmp_path, load_plan=QUIET, options=options)
    assert result.trials[0].setting == BASELINE and result.baseline.metrics.steps == 2
    paired = [t for t in result.trials if t.state == "complete" and t.setting != BASELINE]
    steps = FAST["min_steps"]
    assert paired and all(t.metrics.steps == steps and t.metrics.warmup_steps == warmup for t in paired)
    assert any(n.startswith("steps of ") and f"one piece of {steps} timed steps" in n for n in result.notes), \
        result.notes
    assert result.remeasured and all(len(r.instances_per_s) >= 3 for r in result.remeasured)
    assert result.level_windows and result.best is not None


def _resumed_heavy_study(tmp_path, first_load_plan):
    """A heavy study (a trial target of 0.1 ms) whose first run, under ``first_load_plan``, ends with
    the baseline's trial, resumed on the same storage: the second run's result."""
    machine = probe_machine()
    experiment = load_experiment(EXAMPLES / "cnn_classifier" / "tiny.jsonnet")
    space = _fixed(build_space(machine, experiment), precision=("fp32",))
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    heavy = {**FAST, "target_trial_s": 0.0001}
    run_study(experiment, machine, space, tmp_path / "a", storage=storage, load_plan=first_load_plan,
              options=StudyOptions(**{**heavy, "budget_s": 1}, whatifs=False))
    return run_study(experiment, machine, space, tmp_path / "b", storage=storage, load_plan=QUIET,
                     options=StudyOptions(**heavy, n_trials=3, whatifs=False))


def test_a_resumed_heavy_study_takes_its_design_from_the_stored_baseline(tiny_data, in_repo, tmp_path):
    # The second run finds the baseline's trial in the storage and does not measure it again, so the
    # stored trial's steps must decide the design, as a measured one's do.
    second = _resumed_heavy_study(tmp_path, QUIET)
    assert len([t for t in second.trials if t.setting == BASELINE]) == 1
    assert [t.state for t in second.trials if t.setting == BASELINE][0] == "complete"  # the stored one
    fresh = [t for t in second.trials if t.state == "complete" and t.setting != BASELINE]
    steps = FAST["min_steps"]  # the design's, as the stored trial gives it (.heavy.piece_steps)
    assert fresh and all(t.metrics.steps == steps and t.metrics.warmup_steps == 0 for t in fresh)
    assert any(n.startswith("steps of ") and f"one piece of {steps} timed steps" in n for n in second.notes), \
        second.notes


def test_a_stored_baseline_measured_under_other_load_is_measured_again(tiny_data, in_repo, tmp_path):
    # The first run's only trial is judged measured under other load: no yardstick for the second run,
    # which must measure the baseline again, first (Optuna's skip_if_exists would skip it, as it
    # exists, and the first run's screening trials wait in the storage ahead of it).
    second = _resumed_heavy_study(tmp_path, fixed_load_plan(flags_every_trial=True))
    baselines = [t for t in second.trials if t.setting == BASELINE]
    assert [(t.state, t.contended) for t in baselines] == [("complete", True), ("complete", False)]
    assert second.baseline == baselines[1]  # the yardstick the report shows
    paired = [t for t in second.trials if t.state == "complete" and t.setting != BASELINE]
    assert paired and all(t.metrics.steps == FAST["min_steps"] and t.metrics.baseline_instances_per_s for t in paired)


def test_a_study_with_memory_for_one_worker_skips_process_level_changes_and_says_why(tiny_data, in_repo, tmp_path):
    machine = probe_machine()
    # 800 MB usable: 640 MB for the workers together, room for one of a few hundred MB (the limit of one
    # worker is set apart, so that a trial is not killed for its own size). A process-level change would
    # need a second worker beside the config's: closed and started again every piece, it took 155 s of
    # a 60 s budget here before the skip.
    machine = replace(machine, limits=replace(machine.limits, usable_memory_bytes=800 << 20))
    experiment = load_experiment(EXAMPLES / "bilstm_classifier" / "tiny.jsonnet",  # 32 units: a what-if halves them
                                 overrides='{"model.seq2vec_encoder.hidden_size": 32}')
    space = build_space(machine, experiment).restrict(
        inter_op_threads=(DEFAULT, 1), omp_proc_bind=("unset",), allocator=("system",), precision=("fp32",),
        intra_op_threads=(DEFAULT,), batch_layout=("config", "bucket"), num_workers=("config",))
    options = StudyOptions(**{**FAST, "budget_s": 60}, n_trials=4, memory_limit_bytes=4 << 30)
    result = run_study(experiment, machine, space, tmp_path, load_plan=QUIET, options=options)
    skipped = [t for t in result.trials if t.setting.inter_op_threads == 1 and t.state != "reused"]
    assert skipped and all(t.state == "pruned" and "0.6 GiB" in t.reason and "holds one trial worker" in t.reason
                           for t in skipped), [(t.setting.label(), t.state, t.reason) for t in result.trials]
    assert any(t.setting == replace(BASELINE, batch_layout="bucket") and t.state == "complete" for t in result.trials)
    assert all(r.setting.inter_op_threads == DEFAULT for r in result.remeasured)
    assert result.overhead.worker_starts == 1 and result.overhead.total_s < 60
    # A what-if's worker would not fit beside the applied setting's either.
    assert not result.whatifs and any(n.startswith("the what-ifs were not measured: 0.6 GiB") for n in result.notes)


def test_the_batch_layouts_prior_goes_to_the_rounds_and_the_report_says_why(tiny_data, in_repo, tmp_path, monkeypatch):
    # Whether bucket's one trial misses the 3% mark is the machine's noise on the day; when the prior
    # applies is tested in test_trials_screening. Here: the study asks with the model's padding, hands
    # the answer to the rounds, and the report says why it is there.
    import advisor.trials.study as study_module

    bucket, asked = replace(BASELINE, batch_layout="bucket"), []

    def prior(space, measured, anchor, padding_fraction):
        asked.append(padding_fraction)
        return bucket if bucket in measured else None

    monkeypatch.setattr(study_module, "layout_prior", prior)
    machine = probe_machine()
    experiment = load_experiment(EXAMPLES / "bilstm_classifier" / "tiny.jsonnet")
    space = _fixed(build_space(machine, experiment), precision=("fp32",), intra_op_threads=(DEFAULT, 1),
                   batch_layout=("config", "bucket"), num_workers=("config",))
    result = run_study(experiment, machine, space, tmp_path, load_plan=QUIET, pruner=optuna.pruners.NopPruner(),
                       options=StudyOptions(**FAST, n_trials=4, whatifs=False))
    assert asked == [result.model_facts.padding.padding_fraction]
    assert bucket in {r.setting for r in result.remeasured}
    said = [n for n in result.notes if n.startswith("batch_layout=bucket went into the leaders' rounds")]
    assert len(said) == 1 and "of the token positions" in said[0], result.notes


def test_a_stored_screening_trial_measured_under_other_load_is_measured_again(tiny_data, in_repo, tmp_path):
    # The first run's baseline and first screening trial are both judged measured under other load. The
    # second run measures the baseline again, then the screening trial still waiting, then the stored
    # one's setting again (Optuna's skip_if_exists would skip it as it exists, and the screening would
    # count it as no help, unmeasured).
    machine = probe_machine()
    experiment = load_experiment(EXAMPLES / "cnn_classifier" / "tiny.jsonnet")
    space = _fixed(build_space(machine, experiment), precision=("fp32",))
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    run_study(experiment, machine, space, tmp_path / "a", storage=storage,
              load_plan=fixed_load_plan(flags_every_trial=True), options=StudyOptions(**FAST, n_trials=2, whatifs=False))
    second = run_study(experiment, machine, space, tmp_path / "b", storage=storage, load_plan=QUIET,
                       options=StudyOptions(**FAST, n_trials=3, whatifs=False))
    first, fresh = second.trials[:2], [(t.setting, t.state, t.contended) for t in second.trials[2:]]
    assert [(t.setting, t.state, t.contended) for t in first] == [(BASELINE, "complete", True),
                                                                  (first[1].setting, "complete", True)]
    # The first run's next screening trial was left waiting; the baseline went to the head of the queue.
    assert fresh[0] == (BASELINE, "complete", False) and fresh[1][0] not in (BASELINE, first[1].setting)
    assert fresh[2] == (first[1].setting, "complete", False), fresh
