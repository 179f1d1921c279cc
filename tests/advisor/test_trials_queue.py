"""The queue of waiting trials: the baseline goes first in a resumed study (advisor/trials/storage.py)."""
from __future__ import annotations

import optuna
from optuna.trial import TrialState

from advisor.trials.storage import open_storage, queue_first, sqlite_url


def _queue(study):
    return [t.system_attrs["fixed_params"]["x"] for t in study.get_trials(states=(TrialState.WAITING,))]


def _study(tmp_path, *queued):
    storage = open_storage(sqlite_url(tmp_path / "trials.db"))
    study = optuna.create_study(study_name="s", storage=storage)
    for x in queued:
        study.enqueue_trial({"x": x})
    return study, storage


def test_queue_first_moves_the_others_back_and_adds_one_place(tmp_path):
    study, storage = _study(tmp_path, "b", "c")
    queue_first(study, storage, {"x": "a"})
    assert _queue(study) == ["a", "b", "c"]
    # Optuna takes them in that order.
    taken = []
    study.optimize(lambda t: taken.append(t.suggest_categorical("x", ["a", "b", "c"])) or 0.0, n_trials=3)
    assert taken == ["a", "b", "c"]


def test_queue_first_of_a_queued_trial_moves_it_without_a_copy(tmp_path):
    study, storage = _study(tmp_path, "b", "a", "c")
    queue_first(study, storage, {"x": "a"})
    assert _queue(study) == ["a", "b", "c"]
    queue_first(study, storage, {"x": "a"})  # already first: nothing changes
    assert _queue(study) == ["a", "b", "c"]


def test_queue_first_of_an_empty_queue_enqueues_it(tmp_path):
    study, storage = _study(tmp_path)
    study.add_trial(optuna.trial.create_trial(  # a finished trial of the same params does not stop it
        params={"x": "a"}, distributions={"x": optuna.distributions.CategoricalDistribution(["a", "b"])}, value=1.0))
    queue_first(study, storage, {"x": "a"})
    assert _queue(study) == ["a"]
