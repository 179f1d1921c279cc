"""What the Optuna storage holds, read back: a trial's record and the dimensions' importances."""
from __future__ import annotations

import json
from typing import Dict

import optuna
from optuna.trial import TrialState

from probes import from_jsonable

from .result import TrialMetrics, TrialRecord
from .setting import SearchSpace, Setting

__all__ = ["importances", "record_of"]


def record_of(t: optuna.trial.FrozenTrial) -> TrialRecord:
    """A stored trial as the report shows it (reused, interrupted and running ones named so)."""
    attrs = t.user_attrs
    metrics = from_jsonable(TrialMetrics, json.loads(attrs["metrics"])) if attrs.get("metrics") else None
    state = {TrialState.COMPLETE: "complete", TrialState.PRUNED: "pruned"}.get(t.state, "failed")
    if attrs.get("reused_from") is not None:
        state = "reused"
    elif attrs.get("interrupted"):
        state = "interrupted"
    elif t.state == TrialState.RUNNING:
        state = "running"  # another process on the same storage is measuring it
    return TrialRecord(t.number, Setting.from_params(t.params), state, t.value, metrics, attrs.get("reason"),
                       attrs.get("worker"), attrs.get("seconds", 0.0), bool(attrs.get("contended")))


def importances(study: optuna.Study, space: SearchSpace) -> Dict[str, float]:
    """Optuna's importances of the dimensions that vary, where enough trials completed (else none)."""
    varying = [name for name, values in space.choices.items() if len(values) > 1]
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) < 8 or len(varying) < 2:
        return {}
    try:
        return {k: round(v, 3) for k, v in optuna.importance.get_param_importances(study, params=varying).items()}
    except (RuntimeError, ValueError, ImportError):
        return {}
