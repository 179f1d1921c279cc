"""Shared helpers for the benchmark scripts: header lines, the measuring harness, tables."""
from __future__ import annotations

import datetime as _dt
import statistics
import sys
from pathlib import Path
from typing import List, Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def header(title: str) -> List[str]:
    import torch

    from probes import probe_machine

    machine = probe_machine(with_torch=False)
    return [f"## {title}", "",
            f"- machine fingerprint `{probe_machine().fingerprint.value}` · {machine.cpu.model_name} · "
            f"{machine.limits.usable_cpus} usable CPUs · {machine.isa.best_vector_isa}",
            f"- torch {torch.__version__} · date {_dt.date.today().isoformat()}", ""]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> List[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
