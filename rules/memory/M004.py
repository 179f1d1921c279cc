from __future__ import annotations

from .._base import Context, Kind, Rule, Severity


class AllocatorNotPreloaded(Rule):
    """jemalloc or tcmalloc is installed but this process does not preload it.

    ## What it does
    Fires when the probes found an allocator library on disk and `LD_PRELOAD` names none.

    ## Why it matters
    A preloaded jemalloc/tcmalloc often makes CPU training 5-20% faster (see M001); being
    installed does nothing until it is preloaded before the process starts.

    ## Example
    `/usr/lib/x86_64-linux-gnu/libjemalloc.so.2` present, `LD_PRELOAD` empty.

    ## Fix
    Run `advisor analyze` to measure it, or launch with
    `LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2`.

    ## References
    - PyTorch tuning guide, "Switch Memory allocator"
    """

    code = "M004"
    title = "allocator-not-preloaded"
    category = "memory"
    severity = Severity.INFO
    kind = Kind.SPEED

    def check(self, context: Context):
        found = context.machine.runtime.allocators
        preload = context.environ.get("LD_PRELOAD", "")
        if not found or any(name in preload for name in ("jemalloc", "tcmalloc")):
            return
        yield self.finding(
            f"{found[0].name} is installed ({found[0].path}) but not preloaded",
            f"Measure it with advisor analyze, or export LD_PRELOAD={found[0].path}",
            {a.name: a.path for a in found})
