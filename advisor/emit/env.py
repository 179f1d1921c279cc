"""``env.sh``: the launch environment and the training command, one comment per setting."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Mapping, Sequence

from .plan import ChangePlan

__all__ = ["render_env"]


def _comment(text: str) -> str:
    """One shell comment line, whatever the text holds (a newline would end the comment)."""
    return "# " + " ".join(text.split())


def render_env(plan: ChangePlan, *, config_out: Path, out_dir: Path, ext_vars: Mapping[str, str],
               include_packages: Sequence[str], fingerprint: str, cwd: str) -> str:
    lines = [
        "#!/usr/bin/env bash",
        f"# Launch environment from cpu-advisor (machine fingerprint {fingerprint}).",
        "# `source env.sh` sets the variables; `bash env.sh [-s DIR]` also trains with the advised config.",
        "# Variables that must be set before torch loads (threads, allocator) only work from here.",
        "",
    ]
    for change in plan.applied:
        exports = [(k, plan.env[k]) for k in change.env if plan.env.get(k) == change.env[k]]
        if exports:
            lines.append(_comment(f"{change.finding.code}: {change.finding.message}"))
            lines.extend(f"export {key}={shlex.quote(value)}" for key, value in exports)
    if ext_vars:
        lines.append("# ext vars the config reads (given to the advisor with -V)")
        for key, value in ext_vars.items():
            lines.append(f"export {key}={shlex.quote(value)}")
    if not plan.env and not ext_vars:
        lines.append("# no environment changes were measured to help on this machine")
    packages = list(dict.fromkeys([*include_packages, *plan.include_packages]))
    # The interpreter the advisor ran under: its allennlp, its torch, whatever PATH says.
    command = [shlex.quote(sys.executable), "-m", "allennlp", "train", shlex.quote(str(config_out)),
               "-s", '"${SERIALIZATION_DIR:-$advisor_model_dir}"']
    for package in packages:
        command += ["--include-package", package]
    prefix = (plan.launch_prefix + " ") if plan.launch_prefix else ""
    lines += [
        "",
        'if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then',
        f"  advisor_model_dir={shlex.quote(str(out_dir / 'model'))}",
        "  # relative data paths in the config resolve from here, as when the advisor ran",
        f"  cd {shlex.quote(cwd)}",
        f"  exec {prefix}{' '.join(command)} \"$@\"",
        "fi",
    ]
    return "\n".join(lines) + "\n"

