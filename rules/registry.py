"""The rule catalogue: built-in families plus third-party rules from entry points."""
from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Dict, List, Type

from ._base import CODE_PATTERN, Context, Finding, Rule

__all__ = ["FAMILIES", "all_rules", "get_rule", "run_rules", "ENTRY_POINT_GROUP"]

FAMILIES = ("device", "cores", "data", "vocabulary", "precision", "memory", "model", "launch", "time")
ENTRY_POINT_GROUP = "cpu_advisor.rules"


def _entry_point_rules() -> List[Type[Rule]]:
    try:
        from importlib.metadata import entry_points
    except ImportError:  # pragma: no cover - Python < 3.8
        return []
    eps = entry_points()
    group = eps.select(group=ENTRY_POINT_GROUP) if hasattr(eps, "select") else eps.get(ENTRY_POINT_GROUP, [])
    found: List[Type[Rule]] = []
    for ep in group:
        found.extend(ep.load()())
    return found


@lru_cache(maxsize=1)
def _catalogue() -> Dict[str, Type[Rule]]:
    rules: Dict[str, Type[Rule]] = {}
    classes: List[Type[Rule]] = []
    for family in FAMILIES:
        classes.extend(importlib.import_module(f"rules.{family}").get_rules())
    classes.extend(_entry_point_rules())
    for cls in classes:
        if not CODE_PATTERN.match(cls.code):
            raise ValueError(f"rule {cls.__name__} has code {cls.code!r}, not a family letter and three digits")
        if cls.code in rules:
            raise ValueError(f"rule code {cls.code} is used twice ({rules[cls.code].__name__}, {cls.__name__})")
        rules[cls.code] = cls
    return dict(sorted(rules.items()))


def all_rules() -> Dict[str, Type[Rule]]:
    return _catalogue()


def get_rule(code: str) -> Type[Rule]:
    rules = _catalogue()
    key = code.upper()
    if key not in rules:
        raise KeyError(code)
    return rules[key]


def run_rules(context: Context) -> List[Finding]:
    """Every rule's findings, ordered by measured impact, then severity."""
    findings: List[Finding] = []
    for cls in _catalogue().values():
        findings.extend(cls().check(context))
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: (order[f.severity.value], -(f.speedup or 0.0), f.code))
