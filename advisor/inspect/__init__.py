"""``ModelFacts``: what AllenNLP builds from the config on a sample of the user's data.

The dataclasses import nothing heavy; :func:`inspect_experiment` imports
AllenNLP (and torch) only when called.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .facts import (
    SCHEMA_VERSION, BuildTimings, EmbeddingMatrix, LengthStats, ModelFacts, NamespaceFacts, PaddingFacts,
    ParameterGroup, SampleFacts,
)

if TYPE_CHECKING:
    from ..config import Experiment
    from .build import SampleCaps

__all__ = [
    "SCHEMA_VERSION", "BuildTimings", "EmbeddingMatrix", "LengthStats", "ModelFacts", "NamespaceFacts",
    "PaddingFacts", "ParameterGroup", "SampleFacts", "inspect_experiment",
]


def inspect_experiment(experiment: "Experiment", caps: "SampleCaps | None" = None) -> ModelFacts:
    """Build the experiment with AllenNLP on a bounded sample and collect its facts.

    Example:
        >>> from advisor.config import load_experiment
        >>> facts = inspect_experiment(load_experiment("examples/bilstm_classifier/tiny.jsonnet"))
        >>> facts.parameters_total > 0
        True
    """
    from .build import SampleCaps, build_experiment
    from .collect import model_facts

    return model_facts(build_experiment(experiment, caps or SampleCaps()))
