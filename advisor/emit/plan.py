"""Which findings' changes are applied, and in what order: one decision, used by every output."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from rules import REMOVE, Finding, Kind

__all__ = ["AppliedChange", "ChangePlan", "plan_changes"]


@dataclass(frozen=True)
class AppliedChange:
    finding: Finding
    config: Dict[str, Any]  # dotted key -> value / REMOVE, only the keys this finding won
    env: Dict[str, str]
    launch_prefix: Optional[str]
    applied: bool  # False: a behaviour-changing suggestion, written commented out
    superseded: Tuple[str, ...] = ()  # keys another finding already set


@dataclass(frozen=True)
class ChangePlan:
    changes: Tuple[AppliedChange, ...]
    env: Dict[str, str] = field(default_factory=dict)  # applied environment, merged
    launch_prefix: Optional[str] = None
    include_packages: Tuple[str, ...] = ()

    @property
    def applied(self) -> List[AppliedChange]:
        return [c for c in self.changes if c.applied]

    @property
    def suggested(self) -> List[AppliedChange]:
        return [c for c in self.changes if not c.applied]


def _under_removed(key: str, removed: Sequence[str]) -> bool:
    return any(key.startswith(r + ".") for r in removed)


def plan_changes(findings: Sequence[Finding], *, apply_behaviour: bool = False) -> ChangePlan:
    """Measured findings first; the first finding to set a key wins, later ones are noted as superseded."""
    ordered = sorted(findings, key=lambda f: (f.speedup is None, -(f.speedup or 0.0)))
    taken_config: Dict[str, str] = {}
    taken_env: Dict[str, str] = {}
    env: Dict[str, str] = {}
    removed: List[str] = []
    prefix: Optional[str] = None
    changes: List[AppliedChange] = []
    packages: List[str] = []
    for finding in ordered:
        if finding.change.is_empty():
            continue
        apply = finding.kind == Kind.SPEED or apply_behaviour
        config: Dict[str, Any] = {}
        own_env: Dict[str, str] = {}
        superseded: List[str] = []
        for key, value in finding.change.config.items():
            if apply and (key in taken_config or _under_removed(key, removed)):
                superseded.append(key)
                continue
            config[key] = value
            if apply:
                taken_config[key] = finding.code
                if value == REMOVE:
                    removed.append(key)
        for key, value in finding.change.env.items():
            if apply and key in taken_env:
                superseded.append(key)
                continue
            own_env[key] = value
            if apply:
                taken_env[key] = finding.code
                env[key] = value
        if apply and finding.change.launch_prefix and prefix is None:
            prefix = finding.change.launch_prefix
        if apply and config.get("trainer.type") == "cpu_bf16":
            packages.append("advisor.integration")
        changes.append(AppliedChange(finding, config, own_env, finding.change.launch_prefix, apply, tuple(superseded)))
    return ChangePlan(tuple(changes), env, prefix, tuple(dict.fromkeys(packages)))
