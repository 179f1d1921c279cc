"""Run `advisor analyze` on an example and return its JSON report and output folder.

Within one `run_all.sh` (``BENCH_ADVICE_DIR`` set) every benchmark uses the same advice per
example: overhead.py times the analysis and leaves it there, the others read it (and so measure
the advice the timing was taken for, without repeating a two-minute study per script).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional, Tuple

from _common import REPO, env_exports, training_seconds

EXT = {"gpu_habits": {"DATA_DIR": "examples/gpu_habits/data/full"}}


def advice(name: str, budget: float, scratch: Path, fresh: bool = False) -> Tuple[dict, Path, Optional[float]]:
    """(report, output folder, wall seconds or None when reused)."""
    shared = os.environ.get("BENCH_ADVICE_DIR")
    out = Path(shared) / f"{name}-{budget:g}" if shared else scratch
    if shared and not fresh and (out / "report.json").exists():
        return json.loads((out / "report.json").read_text()), out, None
    subprocess.run([sys.executable, "examples/generate.py", name], check=True, capture_output=True, cwd=REPO)
    cmd = [sys.executable, "-m", "advisor", "analyze", f"examples/{name}/config.jsonnet", "-o", str(out),
           "--budget", str(budget), "--json", "--force"]
    for key, value in EXT.get(name, {}).items():
        cmd += ["-V", f"{key}={value}"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout), out, wall


def analyze(name: str, out: Path, budget: float) -> dict:
    return advice(name, budget, out)[0]


def lone_pool(name: str, logs: Path):
    """A WorkerPool of one trial worker on the example's config (no memory watch, nothing beside it)."""
    from advisor.config import load_experiment
    from advisor.trials import StudyOptions
    from advisor.trials.pool import WorkerJob, WorkerPool
    from probes import probe_machine

    experiment = load_experiment(REPO / "examples" / name / "config.jsonnet", ext_vars=EXT.get(name, {}))
    options = StudyOptions()
    job = WorkerJob.of(experiment, options.sample_instances, options.sample_seconds)
    logs.mkdir(parents=True, exist_ok=True)
    allocators = {a.name: a.path for a in probe_machine(with_torch=False).runtime.allocators}
    return WorkerPool(job, logs, memory_limit=None, max_alive=1, allocator_paths=allocators)


def applied_setting(name: str, report: dict, advised: Path) -> Tuple[int, "Setting", dict]:
    """From an analysis: the instances per epoch of the full file (T001), the applied setting, and
    the environment a real run of the advice gets (the example's ext vars and env.sh's exports)."""
    from advisor.trials import Setting

    full = next(f for f in report["findings"] if f["code"] == "T001")["evidence"]["instances per epoch"]
    setting = Setting.from_params(((report.get("study") or {}).get("best") or {}).get("setting") or {})
    return full, setting, {**os.environ, **EXT.get(name, {}), **env_exports(advised / "env.sh")}


def real_epoch(advised: Path, env: dict, model_dir: Path) -> float:
    """Seconds of one `allennlp train` epoch (``training_duration``) with the advised config and env.sh,
    without validation, in a fresh process."""
    overrides = {"trainer.num_epochs": 1, "validation_data_path": None}
    cmd = [sys.executable, "-m", "allennlp", "train", str(advised / "config.cpu.jsonnet"),
           "-s", str(model_dir), "-o", json.dumps(overrides)]
    if "cpu_bf16" in (advised / "config.cpu.jsonnet").read_text():
        cmd += ["--include-package", "advisor.integration"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return training_seconds(model_dir / "metrics.json")
