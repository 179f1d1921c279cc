"""A candidate setting (one point of the search) and the search space built from the facts.

A :class:`Setting` has a process-level part, which must be fixed before torch
loads (inter-op threads, a preloaded allocator, OpenMP variables) and so
decides which worker process runs it, and an in-process part (intra-op
threads, batch layout, loader workers, precision) that a live worker changes
between trials.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from probes import MachineFacts

from ..config import Experiment

__all__ = ["Setting", "SearchSpace", "build_space", "layout_overrides", "DEFAULT", "CONFIG"]

DEFAULT = "default"  # leave it to torch / the runtime
CONFIG = "config"  # what the user's config says
Choice = Union[int, str]


@dataclass(frozen=True)
class Setting:
    intra_op_threads: Choice = DEFAULT
    inter_op_threads: Choice = DEFAULT
    batch_layout: str = CONFIG  # config | bucket | max_tokens
    num_workers: Choice = CONFIG
    precision: str = "fp32"  # fp32 | bf16
    allocator: str = "system"  # system | jemalloc | tcmalloc
    omp_proc_bind: str = "unset"  # unset | close
    kmp_blocktime: Choice = "unset"

    PROCESS_LEVEL = ("inter_op_threads", "allocator", "omp_proc_bind", "kmp_blocktime")

    # Values that change what is trained (not only how fast): never part of the applied best.
    BEHAVIOUR = {"precision": ("bf16",), "batch_layout": ("max_tokens",)}

    @property
    def speed_only(self) -> bool:
        return all(getattr(self, name) not in values for name, values in self.BEHAVIOUR.items())

    def behaviour_variants(self) -> Dict[str, "Setting"]:
        """This setting with each behaviour-changing value switched on, keyed by what changed."""
        return {f"{name}={value}": replace(self, **{name: value})
                for name, values in self.BEHAVIOUR.items() for value in values}

    def process_key(self) -> Tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.PROCESS_LEVEL)

    def params(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "Setting":
        known = {k: v for k, v in params.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def changed(self) -> Tuple[str, ...]:
        """The dimensions whose value differs from the baseline's."""
        return tuple(k for k, v in asdict(self).items() if v != getattr(BASELINE, k))

    def label(self) -> str:
        """Short text naming what differs from the baseline."""
        parts = [f"{k}={getattr(self, k)}" for k in self.changed()]
        return ", ".join(parts) or "baseline (config as-is on CPU, default threads)"

    def process_env(self, allocator_paths: Mapping[str, str]) -> Dict[str, str]:
        """Environment a worker for this setting starts with (before torch loads)."""
        env: Dict[str, str] = {}
        if self.allocator != "system":
            env["LD_PRELOAD"] = allocator_paths[self.allocator]
            if self.allocator == "jemalloc":
                # As torch's run_cpu launcher sets it: fewer page faults from freed memory.
                env["MALLOC_CONF"] = "oversize_threshold:1,background_thread:true,metadata_thp:auto"
        if self.omp_proc_bind != "unset":
            env["OMP_PROC_BIND"] = self.omp_proc_bind
            env["OMP_PLACES"] = "cores"
        if self.kmp_blocktime != "unset":
            env["KMP_BLOCKTIME"] = str(self.kmp_blocktime)
        return env


BASELINE = Setting()
__all__.append("BASELINE")


@dataclass(frozen=True)
class SearchSpace:
    """The choices per dimension (the baseline's value always first) and why any were left out."""

    choices: Dict[str, Tuple[Choice, ...]]
    skipped: Dict[str, str] = field(default_factory=dict)
    # Threads a candidate may use (CPUs reserved for other work); torch's default counts as its value.
    thread_cap: Optional[int] = None
    default_threads: Optional[int] = None

    def fits(self, setting: "Setting") -> bool:
        """Does this setting stay within the thread cap? The baseline is always measured as the reference."""
        if self.thread_cap is None or setting == BASELINE:
            return True
        threads = setting.intra_op_threads
        threads = self.default_threads if threads == DEFAULT else threads
        return threads is None or int(threads) <= self.thread_cap

    def size(self) -> int:
        n = 1
        for values in self.choices.values():
            n *= len(values)
        return n

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.choices, sort_keys=True, default=str).encode()).hexdigest()[:8]

    def grid(self) -> List[Setting]:
        settings = [BASELINE]
        for name, values in self.choices.items():
            settings = [replace(s, **{name: v}) for s in settings for v in values]
        return list(dict.fromkeys(settings))

    def speed_only(self) -> "SearchSpace":
        """The space without behaviour-changing values: what the search explores and the advice applies.

        Behaviour values (bf16, max-tokens batches) are measured on top of the applied setting
        instead, in interleaved rounds after the decision: searched alongside, they drew most of the
        trials (bf16 is often the fastest point) away from what is applied.
        """
        choices = {name: tuple(v for v in values if v not in Setting.BEHAVIOUR.get(name, ()))
                   for name, values in self.choices.items()}
        return SearchSpace(choices, dict(self.skipped), self.thread_cap, self.default_threads)

    def behaviour_values(self) -> Dict[str, Tuple[Choice, ...]]:
        """The behaviour-changing values this space holds, per dimension."""
        return {name: tuple(v for v in self.choices.get(name, ()) if v in values)
                for name, values in Setting.BEHAVIOUR.items() if set(self.choices.get(name, ())) & set(values)}

    def restrict(self, **choices: Sequence[Choice]) -> "SearchSpace":
        merged = dict(self.choices)
        merged.update({k: tuple(v) for k, v in choices.items()})
        return SearchSpace(merged, dict(self.skipped), self.thread_cap, self.default_threads)


def layout_overrides(layout: str, batch_size: int, sorting_key: Optional[str], mean_tokens: float) -> Dict[str, Any]:
    """data_loader params for a batch layout; the user's batch size is kept. None removes a key."""
    if layout == CONFIG:
        return {}
    sampler: Dict[str, Any]
    if layout == "bucket":
        sampler = {"type": "bucket", "batch_size": batch_size, "padding_noise": 0.1}
    elif layout == "max_tokens":
        # Same tokens per batch on average as the user's batches, grouped by length.
        sampler = {"type": "max_tokens_sampler", "max_tokens": max(1, round(batch_size * mean_tokens)),
                   "padding_noise": 0.1}
    else:
        raise ValueError(f"unknown batch layout {layout!r}")
    if sorting_key:
        sampler["sorting_keys"] = [sorting_key]
    # A batch_sampler replaces these keys in MultiProcessDataLoader.
    return {"batch_sampler": sampler, "batch_size": None, "shuffle": None, "drop_last": None}


def _thread_choices(usable: int, logical: int, default: Optional[int]) -> Tuple[Choice, ...]:
    values = {1, usable}
    n = 2
    while n < usable:
        values.add(n)
        n *= 2
    if logical > usable:  # SMT siblings: try the logical CPUs too
        values.add(logical)
    values.discard(default)  # "default" already measures torch's own choice
    return (DEFAULT, *sorted(values))


def build_space(machine: MachineFacts, experiment: Experiment, *, allow_batch_change: bool = False,
                threads: Optional[Sequence[int]] = None, reserve_cpus: int = 0,
                reserve_basis: str = "") -> SearchSpace:
    """The search space, conditioned on the probe sheet and the config.

    Args:
        machine: the probe sheet; decides thread counts, bf16, allocators, OpenMP knobs.
        experiment: the user's config; its own batch layout and loader workers come first.
        allow_batch_change: reserved for batch-size changes (behaviour-changing); layouts keep
            the user's batch size either way.
        threads: explicit intra-op thread counts to try instead of the derived ones.
        reserve_cpus: CPUs to leave to other work (a data pipeline, another job, the load seen while
            measuring): no thread count above ``usable - reserve_cpus`` is tried, and torch's default
            (one thread per CPU) is not tried either when it would exceed that.
    """
    usable = machine.limits.usable_cpus
    physical = machine.topology.physical_cores or usable
    logical = machine.topology.logical_usable
    skipped: Dict[str, str] = {}
    choices: Dict[str, Tuple[Choice, ...]] = {}
    default_threads = machine.torch.intra_op_threads
    choices["intra_op_threads"] = ((DEFAULT, *threads) if threads
                                   else _thread_choices(usable, logical, default_threads))
    thread_cap = None
    if reserve_cpus > 0:
        cap = thread_cap = max(1, usable - reserve_cpus)
        values = {v for v in choices["intra_op_threads"] if v != DEFAULT and v <= cap} | {cap}
        if (default_threads or usable) <= cap:
            values.discard(default_threads)  # "default" measures it already
        # DEFAULT stays: the baseline (the config as-is) is always measured as the reference. Candidates
        # with torch's default threads above the cap are skipped by the study (SearchSpace.fits).
        choices["intra_op_threads"] = (DEFAULT, *sorted(values))
        skipped["intra_op_threads"] = (f"at most {cap} threads: {reserve_cpus} of {usable} CPUs kept free for "
                                       f"{reserve_basis or 'other work'}")
    choices["inter_op_threads"] = (DEFAULT, 1) if usable > 1 else (DEFAULT,)

    loader = experiment.facts.data_loader
    layouts: List[str] = [CONFIG]
    if loader.batch_sampler_type != "bucket":
        layouts.append("bucket")
    if loader.batch_sampler_type != "max_tokens_sampler":
        layouts.append("max_tokens")
    if not loader.batch_size and not loader.batch_sampler_type:
        skipped["batch_layout"] = "the config has no batch_size to keep"
        layouts = [CONFIG]
    choices["batch_layout"] = tuple(layouts)

    if loader.max_instances_in_memory:
        workers = {0, 1} | ({2} if usable >= 4 else set())
        workers.discard(loader.num_workers)
        choices["num_workers"] = (CONFIG, *sorted(workers))
    else:
        # AllenNLP's loader then reads the whole file once, before training (with its workers, if any),
        # and batches every epoch from memory in the main process: the steps do not depend on num_workers.
        choices["num_workers"] = (CONFIG,)
        skipped["num_workers"] = ("not measured: without data_loader.max_instances_in_memory the loader workers "
                                  "only read the file once, before training; every epoch then batches from memory "
                                  "in the main process, so the training steps are the same for any num_workers")

    if machine.isa.native_bf16:
        choices["precision"] = ("fp32", "bf16")
    else:
        choices["precision"] = ("fp32",)
        skipped["precision"] = ("bf16 not tried: this CPU has no avx512_bf16/amx_bf16 (or aarch64 bf16), "
                                "so bf16 is emulated and runs many times slower than fp32")

    found = {a.name: a.path for a in machine.runtime.allocators}
    choices["allocator"] = ("system", *sorted(found))
    if not found:
        skipped["allocator"] = "no jemalloc or tcmalloc library found on disk"

    if physical > 1:
        choices["omp_proc_bind"] = ("unset", "close")
    else:
        choices["omp_proc_bind"] = ("unset",)
        skipped["omp_proc_bind"] = "a single core: nothing to bind"
    if machine.torch.openmp_runtime == "intel":
        choices["kmp_blocktime"] = ("unset", 0, 1)
    else:
        choices["kmp_blocktime"] = ("unset",)
        skipped["kmp_blocktime"] = (f"KMP_BLOCKTIME is read only by Intel's OpenMP; this torch uses "
                                    f"{machine.torch.openmp_runtime or 'an unknown'} OpenMP")
    return SearchSpace(choices, skipped, thread_cap, (default_threads or usable) if thread_cap else None)
