"""Fast static checks before training: ``advisor check`` and ``advisor.preflight()``.

No trials and no AllenNLP import: the probe sheet, the config's static facts and the
environment, run through the same rules as ``advisor analyze``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

from probes import MachineFacts, probe_machine
from rules import Context, Finding, Severity, run_rules

from .config import load_experiment
from .errors import AdvisorError

__all__ = ["PreflightResult", "PreflightError", "preflight", "exit_code", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1"
# Settings a running process can still change; everything else had to be set before torch loaded.
_RUNTIME = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class PreflightResult:
    schema_version: str
    config: str
    fingerprint: str
    findings: Tuple[Finding, ...]
    applied: Dict[str, str] = field(default_factory=dict)  # what apply=True changed in this process
    not_applied: Dict[str, str] = field(default_factory=dict)  # setting -> why it could not be

    @property
    def errors(self) -> List[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> List[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]


class PreflightError(AdvisorError):
    """Raised by ``preflight(strict=True)`` when errors or warnings were found; lists them."""

    def __init__(self, result: PreflightResult) -> None:
        self.result = result
        lines = [f"{f.code} [{f.severity.value}] {f.message} -> {f.fix}" for f in result.errors + result.warnings]
        super().__init__(f"preflight found {len(lines)} problem(s) in {result.config}:\n  " + "\n  ".join(lines))


def exit_code(result: PreflightResult, strict: bool) -> int:
    if result.errors:
        return 2
    if strict and result.warnings:
        return 1
    return 0


def _apply(findings: Sequence[Finding]) -> Tuple[Dict[str, str], Dict[str, str]]:
    import torch

    applied: Dict[str, str] = {}
    not_applied: Dict[str, str] = {}
    for f in findings:
        for key, value in f.change.env.items():
            if key in applied or key in not_applied:
                continue
            if key in _RUNTIME and value.isdigit():
                torch.set_num_threads(int(value))
                applied[key] = f"torch.set_num_threads({value}) ({f.code})"
            else:
                not_applied[key] = (f"{key}={value} ({f.code}) must be set before the process starts: "
                                    "export it or use the env.sh from advisor analyze")
        if f.change.launch_prefix and "launch" not in not_applied:
            not_applied["launch"] = (f"`{f.change.launch_prefix}` ({f.code}) wraps the process from outside: "
                                     "launch through it (env.sh does)")
        if f.code == "C001" and "inter-op" in f.message:
            n = f.message.split("torch.set_num_interop_threads(")[-1].split(")")[0]
            try:
                torch.set_num_interop_threads(int(n))
                applied["inter_op_threads"] = f"torch.set_num_interop_threads({n}) (C001)"
            except (RuntimeError, ValueError) as exc:
                not_applied["inter_op_threads"] = f"torch.set_num_interop_threads({n}) refused: {exc}"
    return applied, not_applied


def preflight(config: Union[str, Path], *, ext_vars: Optional[Mapping[str, str]] = None,
              overrides: Optional[str] = None, strict: bool = False, apply: bool = False,
              environ: Optional[Mapping[str, str]] = None, machine: Optional[MachineFacts] = None) -> PreflightResult:
    """Check a training config against this machine before training starts.

    Args:
        config: the AllenNLP config (jsonnet/json) about to be trained.
        strict: raise :class:`PreflightError` when there are errors or warnings.
        apply: change what this process still can (torch intra-/inter-op threads) and report
            what it cannot (allocator, OpenMP variables: set before the process starts).

    Example:
        >>> from advisor import preflight
        >>> result = preflight("examples/bilstm_classifier/config.jsonnet", apply=True)
        >>> [f.code for f in result.errors]
        []
    """
    experiment = load_experiment(config, ext_vars=ext_vars, overrides=overrides)
    machine = machine or probe_machine()
    env = dict(os.environ if environ is None else environ)
    findings = run_rules(Context(machine=machine, config=experiment.facts, params=experiment.params, environ=env))
    applied, not_applied = _apply(findings) if apply else ({}, {})
    result = PreflightResult(SCHEMA_VERSION, str(experiment.path), machine.fingerprint.value, tuple(findings),
                             applied, not_applied)
    if strict and (result.errors or result.warnings):
        raise PreflightError(result)
    return result
