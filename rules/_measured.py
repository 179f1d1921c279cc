"""Reading the study's measurements for rules: what the best setting changed, and by how much."""
from __future__ import annotations

from typing import Any, Dict, Optional

from ._base import Context

__all__ = ["applied_effect", "best_change", "measured_evidence", "studied", "tried_other"]


def best_change(context: Context, dimension: str) -> Optional[Any]:
    """The best setting's value for ``dimension`` where it differs from the baseline and the gain is real."""
    study = context.study
    if study is None or study.best is None or not study.best.significant or study.baseline is None:
        return None
    value = getattr(study.best.setting, dimension)
    return value if value != getattr(study.baseline.setting, dimension) else None


def studied(context: Context) -> bool:
    """Whether trials ran to a decision (then the measurement decides, and static patches are not applied)."""
    return context.study is not None and context.study.best is not None


def tried_other(context: Context, *dimensions: str) -> bool:
    """Whether any trial measured a value of one of ``dimensions`` other than the baseline's.

    A study that ran can still have measured nothing but the baseline (a heavy model whose first
    trial took the budget), so "the trials found nothing faster" needs a trial that tried it, and a
    decision that compared it with the baseline.
    """
    study = context.study
    if study is None or study.baseline is None or study.best is None:  # no comparison: nothing was found
        return False
    settings = [t.setting for t in study.trials if t.state == "complete"] + [r.setting for r in study.remeasured]
    return any(getattr(s, d) != getattr(study.baseline.setting, d) for s in settings for d in dimensions)


def measured_evidence(context: Context) -> Dict[str, Any]:
    """Baseline vs best throughput with the interleaved re-measure's spread."""
    study = context.study
    assert study is not None and study.best is not None and study.baseline is not None
    base = next((r for r in study.remeasured if r.setting == study.baseline.setting), None)
    best = next((r for r in study.remeasured if r.setting == study.best.setting), None)
    out: Dict[str, Any] = {"best setting": study.best.setting.label(), "verdict": study.best.verdict}
    if base:
        out["baseline instances/s"] = f"{base.spread.median:.1f} (IQR {base.spread.p25:.1f}-{base.spread.p75:.1f}, n={base.spread.n})"
    if best:
        out["best instances/s"] = f"{best.spread.median:.1f} (IQR {best.spread.p25:.1f}-{best.spread.p75:.1f}, n={best.spread.n})"
    return out


def applied_effect(context: Context, *dimensions: str) -> str:
    """The measured effect of the applied speed settings together (the best setting vs the baseline),
    and, where the trials allow it, the estimated share of the changes to ``dimensions`` in it."""
    study = context.study
    assert study is not None and study.best is not None
    text = f"all applied speed settings together: {study.best.verdict}"
    for share in (e for e in study.attribution if e.dimension in dimensions):
        how = ("the only change: measured in the interleaved rounds" if share.source == "rounds"
               else f"estimated from {share.trials} search trials")
        text += f"; {share.dimension}={share.value} alone: x{share.gain:.2f} ({how})"
    return text
