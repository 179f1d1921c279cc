"""Run `advisor analyze` on an example into a folder and return its JSON report."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from _common import REPO

EXT = {"gpu_habits": {"DATA_DIR": "examples/gpu_habits/data/full"}}


def analyze(name: str, out: Path, budget: float) -> dict:
    subprocess.run([sys.executable, "examples/generate.py", name], check=True, capture_output=True, cwd=REPO)
    cmd = [sys.executable, "-m", "advisor", "analyze", f"examples/{name}/config.jsonnet", "-o", str(out),
           "--budget", str(budget), "--json", "--force"]
    for key, value in EXT.get(name, {}).items():
        cmd += ["-V", f"{key}={value}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout)
