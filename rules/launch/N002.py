from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity
from .._measured import applied_effect, best_change, measured_evidence


class OpenMpAffinity(Rule):
    """OpenMP thread binding (OMP_PROC_BIND / KMP_BLOCKTIME) measured faster.

    ## What it does
    Fires when the fastest setting (beyond the noise) sets `OMP_PROC_BIND=close` with
    `OMP_PLACES=cores`, or `KMP_BLOCKTIME` under Intel's OpenMP.

    ## Why it matters
    Unbound OpenMP threads migrate between cores and lose their caches; binding keeps each on
    its core. `KMP_BLOCKTIME` sets how long idle threads spin; only Intel's runtime reads it.

    ## Example
    `OMP_PROC_BIND=close OMP_PLACES=cores`

    ## Fix
    Export the variables in the launch environment (`env.sh`).

    ## References
    - OpenMP OMP_PROC_BIND: https://www.openmp.org/spec-html/5.0/openmpse52.html
    """

    code = "N002"
    title = "openmp-affinity"
    category = "launch"
    severity = Severity.INFO
    kind = Kind.SPEED

    def check(self, context: Context):
        bind = best_change(context, "omp_proc_bind")
        block = best_change(context, "kmp_blocktime")
        if bind is None and block is None:
            return
        env = context.study.best.setting.process_env({})
        env = {k: v for k, v in env.items() if k.startswith(("OMP_", "KMP_"))}
        yield self.finding(
            "measured: " + ", ".join(f"{k}={v}" for k, v in env.items()) + " is part of the fastest setting",
            "Export " + " ".join(f"{k}={v}" for k, v in env.items()),
            measured_evidence(context), change=Change(env=env),
            expected_effect=applied_effect(context, "omp_proc_bind", "kmp_blocktime"), speedup=context.study.best.speedup)
