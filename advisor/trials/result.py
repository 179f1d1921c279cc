"""Typed, JSON-serialisable results of the trial stage."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from ..inspect.facts import ModelFacts
from .load import LoadReport
from .setting import SearchSpace, Setting
from .stats import Comparison, Spread

__all__ = ["LossParity", "ValueEffect", "WhatIf", "TrialMetrics", "TrialRecord", "Remeasure", "BestSetting", "Overhead", "Progress", "StudyResult", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class TrialMetrics:
    warmup_steps: int
    steps: int
    step_seconds: Spread
    instances_per_s: float  # over a whole epoch of the sample (advisor.trials.estimate)
    tokens_per_s: float  # non-padding tokens
    padding_fraction: float
    peak_rss_bytes: int
    threads: int
    losses: Tuple[float, ...]
    outside_cores: Optional[float] = None  # CPU used by other work during the timed steps (probes.load)
    steal_fraction: Optional[float] = None
    idle_cores: Optional[float] = None  # idle capacity on the usable CPUs during the timed steps
    window_instances_per_s: Optional[float] = None  # the timed window's own rate, before scaling to an epoch
    baseline_instances_per_s: Optional[float] = None  # the baseline measured beside it (paired search trials)


@dataclass(frozen=True)
class TrialRecord:
    number: int
    setting: Setting
    state: str  # complete, pruned, failed, reused, interrupted, running
    value: Optional[float]  # instances/s
    metrics: Optional[TrialMetrics]
    reason: Optional[str]
    worker: Optional[int]
    seconds: float
    contended: bool = False  # measured while the outside load differed markedly from the reference


@dataclass(frozen=True)
class Remeasure:
    setting: Setting
    instances_per_s: Tuple[float, ...]  # one per interleaved round
    spread: Spread


@dataclass(frozen=True)
class BestSetting:
    """The fastest speed-only setting (what advisor analyze applies), against the baseline."""

    setting: Setting
    instances_per_s: float
    speedup: float  # over the baseline, median of paired rounds
    ci_low: float
    ci_high: float
    significant: bool
    verdict: str


@dataclass(frozen=True)
class ValueEffect:
    """One changed value's share of the best setting's gain: from the main-effects fit of all trials,
    or, where the applied setting changes one value only, that value's measured gain in the rounds."""

    dimension: str
    value: str
    gain: float  # throughput ratio of this value over the config's, the other values held
    trials: int  # search trials that measured this value
    source: str = "fit"  # "fit": estimated from the trials; "rounds": the applied setting's paired gain


@dataclass(frozen=True)
class LossParity:
    """The same batches from the same weights, fp32 then bf16: does the loss stay close?"""

    steps: int
    fp32_losses: Tuple[float, ...]
    bf16_losses: Tuple[float, ...]
    max_rel_diff: float
    tolerance: float
    ok: bool


@dataclass(frozen=True)
class WhatIf:
    """A behaviour-changing variant of the model, measured against the config as written."""

    name: str
    description: str
    patch: Dict[str, Any]
    instances_per_s: float
    reference_instances_per_s: float
    speedup: float
    ci_low: float
    ci_high: float
    rounds: int
    significant: bool
    verdict: str


@dataclass(frozen=True)
class Overhead:
    worker_starts: int
    worker_start_s: float  # waiting for worker starts (imports, reading, model builds); starts side by side count once
    measuring_s: float
    remeasure_s: float
    total_s: float
    budget_s: float
    whatif_s: float = 0.0  # model variants measured after the decision (reported, never applied)
    # From the start until the applied setting was final: search and the leaders' rounds. The level
    # window, the behaviour values' rounds, bf16 parity and the what-ifs come after it.
    decided_s: float = 0.0

    @property
    def fraction_of_budget(self) -> float:
        return self.worker_start_s / self.budget_s if self.budget_s else 0.0


@dataclass(frozen=True)
class StudyResult:
    schema_version: str
    study_name: str
    storage: str
    space: SearchSpace
    baseline: Optional[TrialRecord]
    trials: Tuple[TrialRecord, ...]
    remeasured: Tuple[Remeasure, ...]
    best: Optional[BestSetting]
    comparisons: Dict[str, Comparison]
    importances: Dict[str, float]
    overhead: Overhead
    model_facts: Optional[ModelFacts] = None
    # Behaviour-changing values measured on top of the applied speed-only setting, e.g. "precision=bf16".
    behaviour_gains: Dict[str, Comparison] = field(default_factory=dict)
    bf16_parity: Optional[LossParity] = None
    whatifs: Tuple[WhatIf, ...] = field(default=())
    notes: Tuple[str, ...] = field(default=())
    partial: bool = False  # interrupted: the trials so far, no re-measure, no best
    load: Optional[LoadReport] = None  # the machine's load before and during the measurements
    # Which of the best setting's changes made the difference (estimated; empty with too few trials).
    attribution: Tuple[ValueEffect, ...] = field(default=())
    # The applied setting in continuous windows after the rounds, pooled: the absolute level time
    # predictions use (the rounds' short interleaved pieces are for comparing settings); each window's
    # own rate beside it, in the order taken (.level).
    level_instances_per_s: Optional[float] = None
    level_windows: Tuple[float, ...] = field(default=())


@dataclass(frozen=True)
class Progress:
    """What a progress callback is told after each trial and round."""

    trials_done: int
    n_trials: Optional[int]
    elapsed_s: float
    budget_s: float
    phase: str  # search, remeasure
    best_label: Optional[str]
    best_instances_per_s: Optional[float]
    last: Optional[TrialRecord]
