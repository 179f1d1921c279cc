"""What a rule is, what it sees, and what it says.

A :class:`Rule` has a stable code (family letter + three digits), a title, a
category, a severity, and documents itself in fixed sections (What it does /
Why it matters / Example / Fix / References). ``check(context)`` turns facts
and measurements into zero or more :class:`Finding` s.
"""
from __future__ import annotations

import abc
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Tuple

from probes import MachineFacts

if TYPE_CHECKING:  # rules read these results; they never import the stages that make them
    from advisor.config.facts import ConfigFacts
    from advisor.inspect.facts import ModelFacts
    from advisor.trials.result import StudyResult

__all__ = ["Severity", "Kind", "Change", "Finding", "Context", "Rule", "REMOVE", "SECTIONS", "CODE_PATTERN"]

CODE_PATTERN = re.compile(r"^[CDLMNPSTV]\d{3}$")
SECTIONS = ("What it does", "Why it matters", "Example", "Fix", "References")
REMOVE = "__remove__"  # a config patch value that deletes the key


class Severity(str, Enum):
    ERROR = "error"  # training fails or is wrong as configured
    WARNING = "warning"  # much slower than it needs to be
    INFO = "info"  # worth knowing; no change needed


class Kind(str, Enum):
    SPEED = "speed"  # pure speed setting: same training, applied automatically
    BEHAVIOUR = "behaviour"  # changes what is trained: never applied silently


@dataclass(frozen=True)
class Change:
    """The change a finding proposes: config keys (dotted paths) and/or environment variables."""

    config: Dict[str, Any] = field(default_factory=dict)  # dotted key -> value, or REMOVE
    env: Dict[str, str] = field(default_factory=dict)
    launch_prefix: Optional[str] = None  # e.g. "numactl --cpunodebind=0 --membind=0"

    def is_empty(self) -> bool:
        return not (self.config or self.env or self.launch_prefix)


@dataclass(frozen=True)
class Finding:
    code: str
    title: str
    category: str
    severity: Severity
    kind: Kind
    message: str  # the problem, one line
    fix: str  # what to do, imperative
    evidence: Dict[str, Any]  # measured numbers with their spread, or the facts that triggered it
    change: Change = field(default_factory=Change)
    expected_effect: Optional[str] = None
    speedup: Optional[float] = None  # measured, for ordering by impact


@dataclass(frozen=True)
class Context:
    """Everything a rule may read: the upstream stages' typed results."""

    machine: MachineFacts
    config: "ConfigFacts"
    params: Mapping[str, Any]  # the evaluated config
    model: Optional["ModelFacts"] = None
    study: Optional["StudyResult"] = None
    environ: Mapping[str, str] = field(default_factory=dict)

    @property
    def has_gpu(self) -> bool:
        return bool(self.machine.torch.cuda_available)


class Rule(abc.ABC):
    code: str
    title: str
    category: str
    severity: Severity
    kind: Kind = Kind.SPEED

    @abc.abstractmethod
    def check(self, context: Context) -> Iterable[Finding]:
        """Zero or more findings for these facts."""

    def finding(self, message: str, fix: str, evidence: Dict[str, Any], *, change: Optional[Change] = None,
                expected_effect: Optional[str] = None, speedup: Optional[float] = None,
                severity: Optional[Severity] = None, kind: Optional[Kind] = None) -> Finding:
        return Finding(self.code, self.title, self.category, severity or self.severity, kind or self.kind,
                       message, fix, evidence, change or Change(), expected_effect, speedup)

    @classmethod
    def doc_sections(cls) -> Dict[str, str]:
        """The docstring split into its sections (``## What it does`` ... headings)."""
        doc = (cls.__doc__ or "").strip("\n")
        lines = doc.splitlines()
        indent = min((len(l) - len(l.lstrip()) for l in lines[1:] if l.strip()), default=0)
        text = "\n".join([lines[0].strip()] + [l[indent:] for l in lines[1:]]) if lines else ""
        sections: Dict[str, str] = {}
        current = None
        buffer: List[str] = []
        for line in text.splitlines():
            if line.startswith("## "):
                if current:
                    sections[current] = "\n".join(buffer).strip()
                current, buffer = line[3:].strip(), []
            elif current:
                buffer.append(line)
        if current:
            sections[current] = "\n".join(buffer).strip()
        return sections

    @classmethod
    def summary(cls) -> Tuple[str, str, str, str, str]:
        return cls.code, cls.category, cls.severity.value, cls.kind.value, cls.title
