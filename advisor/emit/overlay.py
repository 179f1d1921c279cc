"""``config.cpu.jsonnet``: the user's config, imported unchanged, with the advised keys overlaid.

The user's file is never rewritten: the output imports it (so its locals, imports and ext vars
keep working exactly as written) and overrides only the keys a finding changes, each preceded
by a ``// CODE: message (evidence)`` comment. ``key:: null`` hides a key (removes it from the
manifested config); ``key+: {...}`` merges into an object.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from rules import REMOVE

from .. import __version__
from .plan import AppliedChange, ChangePlan

__all__ = ["render_overlay", "finding_snippet", "FINGERPRINT_MARK"]

FINGERPRINT_MARK = "// advisor-fingerprint:"
_INDENT = "  "


def _evidence_text(change: AppliedChange) -> str:
    f = change.finding
    if f.expected_effect and f.expected_effect not in f.message:
        return f" ({f.expected_effect})"
    return ""


def _tree(entries: List[tuple]) -> Dict[str, Any]:
    """Nested dict of dotted keys; leaves are (value, comment lines)."""
    root: Dict[str, Any] = {}
    for key, value, comments in entries:
        node = root
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict) or "__leaf__" in node:
                break
        else:
            node[parts[-1]] = {"__leaf__": value, "__comments__": comments}
    return root


def _field(name: str) -> str:
    return name if name.isidentifier() else json.dumps(name)


def _render(node: Dict[str, Any], depth: int, commented: bool) -> List[str]:
    pad = _INDENT * depth
    lead = "// " if commented else ""
    lines: List[str] = []
    for name, child in node.items():
        if "__leaf__" in child:
            for comment in child["__comments__"]:
                lines.append(f"{pad}// {' '.join(comment.split())}")  # a newline would end the comment
            value = child["__leaf__"]
            if value == REMOVE:
                lines.append(f"{pad}{lead}{_field(name)}:: null,  // removed")
            else:
                text = json.dumps(value)
                lines.append(f"{pad}{lead}{_field(name)}: {text},")
        else:
            lines.append(f"{pad}{lead}{_field(name)}+: {{")
            lines.extend(_render(child, depth + 1, commented))
            lines.append(f"{pad}{lead}}},")
    return lines


def _entries(changes: List[AppliedChange]) -> List[tuple]:
    entries = []
    for change in changes:
        kind = "" if change.finding.kind.value == "speed" else " [behaviour-changing]"
        for number, (key, value) in enumerate(change.config.items()):
            comment = (f"{change.finding.code}{kind}: {change.finding.message}{_evidence_text(change)}"
                       if number == 0 else f"{change.finding.code} (continued)")
            entries.append((key, value, [comment]))
    return entries


def render_overlay(config_path: Path, out_path: Path, plan: ChangePlan, *, fingerprint: str,
                   user_overrides: Optional[Mapping[str, Any]] = None, created: str = "",
                   peak_rss_bytes: Optional[int] = None) -> str:
    rel = os.path.relpath(config_path.resolve(), out_path.parent.resolve())
    lines = [
        f"// {out_path.name}: written by cpu-advisor {__version__}{' on ' + created if created else ''}.",
        f"// It imports {' '.join(str(config_path).split())} unchanged and overrides only the keys below, each under the finding",
        "// that changed it. Speed settings are applied; behaviour-changing suggestions are commented out",
        "// at the end (re-run with --apply-behaviour to apply them). Train with env.sh beside this file.",
        f"{FINGERPRINT_MARK} {fingerprint}",
        *([f"// advisor-peak-rss-bytes: {peak_rss_bytes}"] if peak_rss_bytes else []),
        f"local user_config = import {json.dumps(rel)};",
        "",
        "user_config + {",
    ]
    entries = []
    if user_overrides:
        first = True
        for key, value in user_overrides.items():
            entries.append((key, value, ["--overrides given to the advisor"] if first else []))
            first = False
    entries.extend(_entries(plan.applied))
    lines.extend(_render(_tree(entries), 1, commented=False))
    suggested = [c for c in plan.suggested if c.config]
    if suggested:
        lines.append("")
        lines.append(f"{_INDENT}// ---- Behaviour-changing suggestions, not applied: uncomment what you accept ----")
        lines.extend(_render(_tree(_entries(suggested)), 1, commented=True))
    lines.append("}")
    return "\n".join(lines) + "\n"


def finding_snippet(finding) -> str:
    """Paste-ready text for one finding: its config keys as a jsonnet overlay, its env as exports."""
    lines: List[str] = []
    if finding.change.config:
        entries = [(k, v, []) for k, v in finding.change.config.items()]
        lines += ["{"] + _render(_tree(entries), 1, commented=False) + ["}"]
    lines += [f"export {k}={v}" for k, v in finding.change.env.items()]
    if finding.change.launch_prefix:
        lines.append(f"{finding.change.launch_prefix} allennlp train ...")
    return "\n".join(lines)
