"""Stop a trial early once it is clearly slower than the best complete one."""
from __future__ import annotations

import optuna
from optuna.pruners import BasePruner
from optuna.trial import FrozenTrial, TrialState

__all__ = ["SlowerThanBestPruner"]


class SlowerThanBestPruner(BasePruner):
    """Prune when the running throughput is below ``(1 - margin)`` x the best comparable complete trial's.

    Trials are compared within their class (user attr ``speed_only``): a pure speed setting is not
    pruned for being slower than a behaviour-changing one (bf16), since only the speed settings are
    applied by default and the best of them must still be found.

    Args:
        margin: how much slower counts as "clearly"; wide on purpose, since an early
            chunk is noisy and a wrong prune loses a candidate for good.
        min_reports: intermediate values a trial reports before it can be pruned.
    """

    def __init__(self, margin: float = 0.3, min_reports: int = 1) -> None:
        self.margin = margin
        self.min_reports = min_reports

    def prune(self, study: "optuna.study.Study", trial: FrozenTrial) -> bool:
        if len(trial.intermediate_values) < self.min_reports:
            return False
        kind = trial.user_attrs.get("speed_only")
        complete = [t.value for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                    if t.value is not None and t.user_attrs.get("speed_only") == kind
                    and not t.user_attrs.get("contended")]  # a value measured under other load is no yardstick
        if not complete:
            return False
        current = trial.intermediate_values[trial.last_step]
        return current < max(complete) * (1 - self.margin)
