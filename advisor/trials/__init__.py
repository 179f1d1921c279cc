"""Measured trials: Optuna searches real training steps of the user's model.

Pieces (each swappable): :class:`SearchSpace` from the facts, worker processes
that build the experiment once and run trials (:mod:`.pool`, :mod:`.worker`),
a pruner, noise-aware statistics, and :func:`run_study` wiring them.
"""
from .result import BestSetting, Overhead, Remeasure, StudyResult, TrialMetrics, TrialRecord
from .setting import BASELINE, CONFIG, DEFAULT, SearchSpace, Setting, build_space
from .stats import Comparison, Spread, compare, spread
from .study import Progress, StudyOptions, run_study, study_name

__all__ = [
    "BASELINE", "CONFIG", "DEFAULT", "BestSetting", "Comparison", "Overhead", "Progress", "Remeasure",
    "SearchSpace", "Setting", "Spread", "StudyOptions", "StudyResult", "TrialMetrics", "TrialRecord",
    "build_space", "compare", "run_study", "spread", "study_name",
]
