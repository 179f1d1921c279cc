"""Shared helpers for the benchmark scripts: header lines, the measuring harness, tables."""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import statistics
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def diagnostic_args(repeats: int, budget: bool = True,
                    more: Optional[Callable[[argparse.ArgumentParser], None]] = None,
                    example: str = "bilstm_classifier") -> argparse.Namespace:
    """The options every predict diagnostic takes (``--example``, ``--repeats``, ``--budget`` of its
    analysis, ``--out``; ``more`` adds its own), parsed; the working directory becomes the repository,
    whose paths the examples' configs use."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--example", default=example)
    if more is not None:
        more(parser)
    parser.add_argument("--repeats", type=int, default=repeats)
    if budget:
        parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.chdir(REPO)
    return args


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


def paired_rows(columns: Dict[str, List[float]], base: str, ratio: Callable[[float, float], float],
                slower: Callable[[float], bool]) -> List[List[str]]:
    """Per column of values taken in turn: its median and range, the median and range of
    ``ratio(value, base column's value)`` over the repeats (paired), and in how many it was slower."""
    rows = []
    for name, values in columns.items():
        ratios = [ratio(v, b) for v, b in zip(values, columns[base])]
        rows.append([name, f"{median(values):.1f}", f"{min(values):.1f}-{max(values):.1f}", f"{median(ratios):.3f}",
                     f"{min(ratios):.3f}-{max(ratios):.3f}", f"{sum(map(slower, ratios))} of {len(ratios)}"])
    return rows


def publish(lines: Sequence[str], out=None) -> None:
    """Print a benchmark's Markdown and append it to ``out`` when given."""
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        with open(out, "a") as handle:
            handle.write(text + "\n")


def env_exports(path: Path) -> dict:
    """The variables an advisor env.sh exports."""
    import shlex

    env = {}
    for line in path.read_text().splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            env[key] = shlex.split(value)[0] if value else ""
    return env


def training_seconds(metrics_json: Path) -> float:
    """The trainer's ``training_duration`` (h:mm:ss.s) from an ``allennlp train`` metrics.json, in seconds."""
    import json

    h, m, s = json.loads(metrics_json.read_text())["training_duration"].split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)
