from __future__ import annotations

from .._base import Context, Kind, Rule, Severity

_HIGH = 0.5


class PeakMemory(Rule):
    """Peak resident memory of a training step against usable memory, and the largest safe batch.

    ## What it does
    Compares the baseline trial's peak resident memory (or, in `advisor check`, the peak that
    `advisor analyze` recorded in the config it wrote) with usable memory (the cgroup limit
    included) and, when it is high, estimates the largest batch size that stays under 80%,
    assuming memory grows linearly with the batch.

    ## Why it matters
    Past the limit the kernel's OOM killer ends training without a Python traceback. Changing the
    batch size changes training: behaviour-changing.

    ## Example
    6 GiB peak in an 8 GiB container with batch size 64: largest safe batch about 64.

    ## Fix
    Keep the batch at or below the estimate, or raise the container's memory limit.

    ## References
    - Linux cgroup v2 memory.max
    """

    code = "M003"
    title = "peak-memory"
    category = "memory"
    severity = Severity.WARNING
    kind = Kind.BEHAVIOUR

    def check(self, context: Context):
        study = context.study
        usable = context.machine.limits.usable_memory_bytes
        if study is not None and study.baseline is not None and study.baseline.metrics is not None:
            peak = study.baseline.metrics.peak_rss_bytes
        elif context.config.advice is not None and context.config.advice.peak_rss_bytes:
            peak = context.config.advice.peak_rss_bytes  # measured by advisor analyze when it tuned this config
        else:
            return
        if not usable:
            return
        if peak < _HIGH * usable:
            return
        batch = context.config.data_loader.batch_size or 32
        safe = max(1, int(batch * 0.8 * usable / peak))
        yield self.finding(
            f"peak memory {peak / 2**30:.1f} GiB is {peak / usable:.0%} of the {usable / 2**30:.1f} GiB usable",
            f"Keep the batch size at or below about {safe}",
            {"peak RSS": peak, "usable memory": usable, "batch size": batch, "largest safe batch (estimate)": safe})
