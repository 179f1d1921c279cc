"""What AllenNLP builds from the config on a data sample: typed results only.

No AllenNLP import here, so reports and rules can read these without paying for it.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from ..config.facts import ConfigFacts

__all__ = [
    "LengthStats", "SampleFacts", "NamespaceFacts", "ParameterGroup", "EmbeddingMatrix", "PaddingFacts",
    "BuildTimings", "ModelFacts", "length_stats", "SCHEMA_VERSION",
]

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class LengthStats:
    field: str
    count: int
    mean: float
    p50: float
    p95: float
    max: int


@dataclass(frozen=True)
class SampleFacts:
    instances: int
    seconds: float
    exhausted: bool  # the whole file was read
    stopped_by: Optional[str]  # "instances" or "seconds" when the cap ended the read
    estimated_total: Optional[int]
    estimate_method: str
    file_bytes: Optional[int]


@dataclass(frozen=True)
class NamespaceFacts:
    namespace: str
    vocab_size: int  # rows the model gets (padding and OOV included where the namespace has them)
    types_in_sample: int
    singletons_in_sample: int  # types seen exactly once
    tokens_in_sample: int
    # Where the sample did not read the whole file, the vocabulary is padded to the size the whole
    # file is estimated to give (advisor/inspect/vocab_growth.py); this is the sample's own size.
    sample_vocab_size: Optional[int] = None


@dataclass(frozen=True)
class ParameterGroup:
    module_type: str
    parameters: int
    trainable: int


@dataclass(frozen=True)
class EmbeddingMatrix:
    module: str
    rows: int
    dim: int
    sparse: bool
    trainable: bool


@dataclass(frozen=True)
class PaddingFacts:
    batches: int
    instances: int
    positions: int  # token positions in padded tensors
    real_tokens: int
    padding_fraction: float
    batch_layout: str  # how the config batches: "batch_size 32, shuffled", "bucket ..."
    per_field: Dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildTimings:
    import_s: float
    read_s: float
    vocab_s: float
    model_s: float
    loader_s: float


@dataclass(frozen=True)
class ModelFacts:
    schema_version: str
    config: str
    config_hash: str
    static: ConfigFacts
    sample: SampleFacts
    lengths: Tuple[LengthStats, ...]
    vocabulary: Tuple[NamespaceFacts, ...]
    parameters_total: int
    parameters_trainable: int
    parameters_frozen: int
    parameters_by_module: Tuple[ParameterGroup, ...]
    embeddings: Tuple[EmbeddingMatrix, ...]
    padding: PaddingFacts
    timings: BuildTimings


def _percentile(sorted_values: Sequence[int], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), q in [0, 100]."""
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    pos = (len(sorted_values) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo))


def length_stats(name: str, lengths: List[int]) -> LengthStats:
    values = sorted(lengths)
    return LengthStats(name, len(values), round(statistics.mean(values), 2), _percentile(values, 50),
                       _percentile(values, 95), values[-1])
