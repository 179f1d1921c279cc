"""The rule catalogue: facts and measurements in, findings out.

Rules import probes and the stage results; never the CLI or rich. One rule,
one module, named by its code (``rules/<family>/<CODE>.py``).
"""
from ._base import CODE_PATTERN, REMOVE, SECTIONS, Change, Context, Finding, Kind, Rule, Severity
from .registry import FAMILIES, all_rules, get_rule, run_rules

__all__ = [
    "CODE_PATTERN", "FAMILIES", "REMOVE", "SECTIONS", "Change", "Context", "Finding", "Kind", "Rule", "Severity",
    "all_rules", "get_rule", "run_rules",
]
