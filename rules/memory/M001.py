from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity
from .._measured import applied_effect, best_change, measured_evidence


class MeasuredAllocator(Rule):
    """jemalloc or tcmalloc, preloaded, measured faster than the system allocator.

    ## What it does
    Fires when the fastest setting (beyond the noise) preloads an allocator found on disk.

    ## Why it matters
    Training allocates and frees many tensors of the same shapes every step; glibc malloc returns
    pages to the kernel and faults them back in. jemalloc/tcmalloc keep them, often 5-20% faster.

    ## Example
    `LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2`

    ## Fix
    Preload it in the launch environment (`env.sh` does).

    ## References
    - PyTorch tuning guide, "Switch Memory allocator": https://pytorch.org/tutorials/recipes/recipes/tuning_guide.html
    """

    code = "M001"
    title = "measured-allocator"
    category = "memory"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        allocator = best_change(context, "allocator")
        if allocator is None:
            return
        paths = {a.name: a.path for a in context.machine.runtime.allocators}
        env = context.study.best.setting.process_env(paths)
        yield self.finding(
            f"measured: {allocator} preloaded is part of the fastest setting",
            f"Preload {allocator}: LD_PRELOAD={paths[allocator]}",
            measured_evidence(context), change=Change(env={k: v for k, v in env.items()
                                                           if k in ("LD_PRELOAD", "MALLOC_CONF")}),
            expected_effect=applied_effect(context, "allocator"), speedup=context.study.best.speedup)
