"""A few-second measurement of this machine's ceilings (``advisor probe --measure``).

fp32 GEMM GFLOP/s at one thread and at all usable CPUs, bf16 GEMM only where
bf16 is native, and memory copy bandwidth. Later stages compare a model's
achieved throughput to these.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

__all__ = ["Roofline", "measure_roofline"]


@dataclass(frozen=True)
class Roofline:
    matrix_size: int
    gemm_fp32_gflops_1_thread: float
    gemm_fp32_gflops_all: float
    threads_all: int
    gemm_bf16_gflops_all: Optional[float]
    copy_bandwidth_gbs: float  # bytes read + written per second
    seconds: float
    unknown: Dict[str, str] = field(default_factory=dict)


def _median_seconds(fn: Callable[[], object], min_time: float, min_reps: int = 3) -> float:
    fn()  # warm-up: first call pays allocation and kernel selection
    times: List[float] = []
    start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure_roofline(usable_cpus: int, native_bf16: bool, *, size: int = 1024,
                     min_time: float = 0.4) -> Roofline:
    import torch

    started = time.perf_counter()
    before = torch.get_num_threads()
    unknown: Dict[str, str] = {}
    flops = 2.0 * size ** 3
    a, b = torch.randn(size, size), torch.randn(size, size)
    try:
        torch.set_num_threads(1)
        one = flops / _median_seconds(lambda: torch.mm(a, b), min_time) / 1e9
        torch.set_num_threads(usable_cpus)
        full = flops / _median_seconds(lambda: torch.mm(a, b), min_time) / 1e9
        bf16 = None
        if native_bf16:
            ab, bb = a.to(torch.bfloat16), b.to(torch.bfloat16)
            bf16 = flops / _median_seconds(lambda: torch.mm(ab, bb), min_time) / 1e9
        else:
            unknown["gemm_bf16_gflops_all"] = "not measured: this CPU has no native bf16 (it would be emulated)"
        src = torch.empty(32 * 1024 * 1024)  # 128 MiB: far beyond any cache
        dst = torch.empty_like(src)
        copy = 2 * src.numel() * src.element_size() / _median_seconds(lambda: dst.copy_(src), min_time) / 1e9
    finally:
        torch.set_num_threads(before)
    return Roofline(size, round(one, 2), round(full, 2), usable_cpus,
                    None if bf16 is None else round(bf16, 2), round(copy, 2),
                    round(time.perf_counter() - started, 2), unknown)
