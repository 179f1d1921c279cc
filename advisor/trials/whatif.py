"""Behaviour-changing what-ifs: smaller variants of the model, measured against the config.

Each what-if is the user's experiment with a few keys overridden (shorter ``max_length``, a
frozen transformer, fewer layers, a smaller hidden size, an LSTM instead of a transformer). It
runs in its own worker, built from the patched config, and is compared with the unpatched model
under the same (best) setting in interleaved rounds. The advisor reports them; it never applies
them on its own.
"""
from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..config import Experiment
from ..config.facts import ConfigFacts
from ..errors import AdvisorError
from .measure import StudyOptions, measure
from .pool import TrialFailure, WorkerJob, WorkerPool
from .result import WhatIf
from .setting import Setting
from .stats import compare

__all__ = ["WhatIfSpec", "WhatIfOutcome", "whatif_specs", "measure_whatifs", "whatifs_beside"]


@dataclass(frozen=True)
class WhatIfSpec:
    name: str
    description: str
    patch: Dict[str, Any]  # dotted config keys -> values


def _pow2_at_least(n: float) -> int:
    value = 8
    while value < n:
        value *= 2
    return value


def whatif_specs(config: ConfigFacts, lengths_p95: Optional[float] = None) -> List[WhatIfSpec]:
    specs: List[WhatIfSpec] = []
    for emb in config.embedders:
        if not emb.type.startswith("pretrained_transformer"):
            continue
        if emb.train_parameters:
            specs.append(WhatIfSpec("frozen transformer", f"freeze {emb.model_name} (train_parameters: false)",
                                    {f"{emb.path}.train_parameters": False}))
        if lengths_p95 and (emb.max_length is None or emb.max_length > _pow2_at_least(lengths_p95)):
            shorter = _pow2_at_least(lengths_p95)
            specs.append(WhatIfSpec(f"max_length {shorter}", f"truncate wordpieces at {shorter} (p95 of the data "
                                    f"is {lengths_p95:g})", {"dataset_reader.tokenizer.max_length": shorter}))
    for enc in config.encoders:
        sizes = enc.sizes
        if enc.type == "pytorch_transformer":
            layers = int(sizes.get("num_layers", 1))
            if layers > 1:
                specs.append(WhatIfSpec(f"{layers // 2} transformer layers", f"num_layers {layers} -> {layers // 2}",
                                        {f"{enc.path}.num_layers": layers // 2}))
            dim = sizes.get("input_dim")
            if dim:
                specs.append(WhatIfSpec("bi-LSTM instead of transformer",
                                        f"a bidirectional LSTM with {dim // 2} units per direction",
                                        {enc.path: {"type": "lstm", "input_size": dim, "hidden_size": dim // 2,
                                                    "bidirectional": True}}))
        elif enc.type in ("lstm", "gru", "stacked_bidirectional_lstm"):
            hidden = sizes.get("hidden_size")
            if hidden and hidden >= 32:
                specs.append(WhatIfSpec(f"hidden_size {hidden // 2}", f"{enc.type} hidden_size {hidden} -> {hidden // 2}",
                                        {f"{enc.path}.hidden_size": hidden // 2}))
            layers = int(sizes.get("num_layers", 1))
            if layers > 1:
                specs.append(WhatIfSpec(f"{layers - 1} {enc.type} layers", f"num_layers {layers} -> {layers - 1}",
                                        {f"{enc.path}.num_layers": layers - 1}))
    return specs


def _patched_overrides(experiment: Experiment, patch: Dict[str, Any]) -> str:
    from ..config import parse_overrides
    from ..config.jsonnet import environment_ext_vars

    merged = dict(parse_overrides(experiment.overrides, {**environment_ext_vars(), **experiment.ext_vars}))
    merged.update(patch)
    return json.dumps(merged)


def measure_whatifs(experiment: Experiment, specs: List[WhatIfSpec], setting: Setting, reference: WorkerPool,
                    measure, *, log_dir: Path, sample: tuple, deadline: float, rounds: int = 3,
                    estimate_s: Optional[float] = None):
    """Measure each what-if against the reference model while the budget lasts.

    ``measure(pool, setting)`` returns instances/s for one short run (the study's trial procedure).
    Returns the what-ifs and (worker starts, seconds spent starting them) for the overhead account.
    """
    results: List[WhatIf] = []
    starts, start_seconds = 0, 0.0
    per_whatif = estimate_s  # the first one's cost is estimated; later ones use the last one's
    for spec in specs:
        if per_whatif is not None and time.perf_counter() + per_whatif > deadline:
            break
        started = time.perf_counter()
        job = WorkerJob.of(experiment, *sample, overrides=_patched_overrides(experiment, spec.patch))
        pool = WorkerPool(job, log_dir, memory_limit=reference.memory_limit, max_alive=1,
                          allocator_paths=reference.allocator_paths, log_prefix=f"whatif{len(results) + 1}-")
        try:
            ref_values, new_values = [], []
            for _ in range(rounds):
                ref_values.append(measure(reference, setting))
                new_values.append(measure(pool, setting))
        except (TrialFailure, AdvisorError):  # a what-if that cannot build or run is skipped, not fatal
            continue
        finally:
            starts += pool.started
            start_seconds += pool.start_seconds
            pool.close()
        c = compare(ref_values, new_values)
        results.append(WhatIf(spec.name, spec.description, spec.patch, sorted(new_values)[len(new_values) // 2],
                              sorted(ref_values)[len(ref_values) // 2], c.ratio, c.ci_low, c.ci_high, c.rounds,
                              c.significant, c.verdict))
        per_whatif = time.perf_counter() - started
    return results, (starts, start_seconds)


@dataclass(frozen=True)
class WhatIfOutcome:
    """The what-ifs measured after the decision, their workers' starts, and why none was, where that
    is the memory's doing."""

    whatifs: Tuple[WhatIf, ...] = ()
    starts: Tuple[int, float] = (0, 0.0)  # worker starts and the seconds they took
    note: Optional[str] = None


def whatifs_beside(experiment: Experiment, best: Setting, pool: WorkerPool, options: StudyOptions,
                   trial_seconds: Sequence[float], *, log_dir: Path, deadline: float, room: str) -> WhatIfOutcome:
    """The study's what-ifs, each in its own worker paired with ``best``'s, while the budget lasts.

    Each is measured with quick runs (two warm-up steps, 70% of a trial's window); none is begun that
    cannot end in time (a worker start and three paired quick runs, from the search's trial times).
    """
    pool.keep_only([best])  # each what-if's worker is paired with this one alone
    if pool.capacity() < 2:
        return WhatIfOutcome(note=f"the what-ifs were not measured: {room} holds one trial worker, and a "
                                  "what-if needs its own beside the applied setting's")
    quick_options = replace(options, warmup_steps=2, target_trial_s=options.target_trial_s * 0.7)

    def quick(p: WorkerPool, setting: Setting) -> float:
        return measure(p, setting, quick_options)[0].instances_per_s

    # The lengths' 95th percentile, known once a worker read the sample, sizes the max-length what-if.
    p95 = max((ln["p95"] for ln in (pool.model_facts or {}).get("lengths", [])), default=None)
    specs = whatif_specs(experiment.facts, p95)[: options.max_whatifs]
    typical = statistics.median(trial_seconds) if trial_seconds else 3 * options.target_trial_s
    whatifs, starts = measure_whatifs(experiment, specs, best, pool, quick, log_dir=log_dir,
                                      sample=(options.sample_instances, options.sample_seconds), deadline=deadline,
                                      estimate_s=pool.start_cost() + 6 * 0.7 * typical)
    return WhatIfOutcome(tuple(whatifs), starts)
