"""Run `advisor analyze` on an example and return its JSON report and output folder; and the
measurements the predict diagnostics share (a real epoch, a replay without the worker pool).

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


def example_experiment(name: str):
    """The example's config as the advisor loads it (paths relative to the repository)."""
    from advisor.config import load_experiment

    return load_experiment(f"examples/{name}/config.jsonnet", ext_vars=EXT.get(name))


def example_runner(experiment, instances: Optional[int] = None, runner_type=None):
    """A trial runner in this process on the experiment's sample: the analysis's default, or the first
    ``instances`` (any number, no time cap; 10 ** 9 reads the whole file)."""
    from advisor.inspect.build import SampleCaps, build_experiment
    from advisor.trials.runner import TrialRunner

    caps = SampleCaps() if instances is None else SampleCaps(instances, 1e9)
    return (runner_type or TrialRunner)(build_experiment(experiment, caps))


def advice(name: str, budget: float, scratch: Path, fresh: bool = False,
           sample_instances: Optional[int] = None) -> Tuple[dict, Path, Optional[float]]:
    """(report, output folder, wall seconds or None when reused); the advisor's default sample unless given."""
    shared = os.environ.get("BENCH_ADVICE_DIR")
    sample = f"-sample{sample_instances}" if sample_instances else ""
    out = Path(shared) / f"{name}-{budget:g}{sample}" if shared else scratch
    if shared and not fresh and (out / "report.json").exists():
        return json.loads((out / "report.json").read_text()), out, None
    subprocess.run([sys.executable, "examples/generate.py", name], check=True, capture_output=True, cwd=REPO)
    cmd = [sys.executable, "-m", "advisor", "analyze", f"examples/{name}/config.jsonnet", "-o", str(out),
           "--budget", str(budget), "--json", "--force"]
    if sample_instances:
        cmd += ["--sample-instances", str(sample_instances)]
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


def lone_pool(name: str, logs: Path, sample_instances: Optional[int] = None):
    """A WorkerPool of one trial worker on the example's config (no memory watch, nothing beside it), on the
    analysis's default sample unless ``sample_instances`` is given."""
    from advisor.config import load_experiment
    from advisor.trials import StudyOptions
    from advisor.trials.pool import WorkerJob, WorkerPool

    experiment = load_experiment(REPO / "examples" / name / "config.jsonnet", ext_vars=EXT.get(name, {}))
    options = StudyOptions()
    job = WorkerJob.of(experiment, sample_instances or options.sample_instances, options.sample_seconds)
    logs.mkdir(parents=True, exist_ok=True)
    return WorkerPool(job, logs, memory_limit=None, max_alive=1, allocator_paths=allocator_paths())


def allocator_paths() -> dict:
    """name -> library path of the allocators this machine has (what a setting's LD_PRELOAD names)."""
    from probes import probe_machine

    return {a.name: a.path for a in probe_machine(with_torch=False).runtime.allocators}


def applied_setting(name: str, report: dict, advised: Path) -> Tuple[int, "Setting", dict]:
    """From an analysis: the instances per epoch of the full file (T001), the applied setting, and
    the environment a real run of the advice gets (the example's ext vars and env.sh's exports)."""
    from advisor.trials import Setting

    full = next(f for f in report["findings"] if f["code"] == "T001")["evidence"]["instances per epoch"]
    setting = Setting.from_params(((report.get("study") or {}).get("best") or {}).get("setting") or {})
    return full, setting, {**os.environ, **EXT.get(name, {}), **env_exports(advised / "env.sh")}


def real_epoch(advised: Path, env: dict, model_dir: Path, overrides: Optional[dict] = None) -> float:
    """Seconds of one `allennlp train` epoch (``training_duration``) with the advised config and env.sh,
    without validation, in a fresh process (``overrides`` for more of the config's keys)."""
    overrides = {"trainer.num_epochs": 1, "validation_data_path": None, **(overrides or {})}
    cmd = [sys.executable, "-m", "allennlp", "train", str(advised / "config.cpu.jsonnet"),
           "-s", str(model_dir), "-o", json.dumps(overrides)]
    if "cpu_bf16" in (advised / "config.cpu.jsonnet").read_text():
        cmd += ["--include-package", "advisor.integration"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return training_seconds(model_dir / "metrics.json")


def replay_without_pool(config: Path, ext_vars: dict, setting: "Setting", full: int,
                        instances: Optional[int] = None, epochs: int = 3) -> dict:
    """In this process (started with the setting's process environment, as a worker is): build the
    sample (``instances`` caps it, else the analysis's cap), replay ``epochs`` epochs of it with the
    runner, each from a fresh model and optimizer; the mean of all but the first, scaled to ``full``
    instances, and the sample's size."""
    import torch

    from advisor.config import load_experiment
    from advisor.inspect.build import SampleCaps, build_experiment
    from advisor.trials import StudyOptions
    from advisor.trials.runner import TrialRunner
    from advisor.trials.setting import DEFAULT

    if setting.inter_op_threads != DEFAULT:  # as the worker sets it, before any parallel work
        torch.set_num_interop_threads(int(setting.inter_op_threads))
    options = StudyOptions()
    caps = SampleCaps(instances, float("inf")) if instances else SampleCaps(options.sample_instances,
                                                                            options.sample_seconds)
    built = build_experiment(load_experiment(config, ext_vars=ext_vars), caps)
    runner = TrialRunner(built)
    seconds = []
    for _ in range(epochs):
        begin = runner.begin(setting, 1, 0)
        seconds.append(sum(runner.steps(begin["epoch"]["batches"])["seconds"]) * full / begin["epoch"]["instances"])
        runner.end()
    return {"seconds": sum(seconds[1:]) / (epochs - 1), "instances": len(built.instances)}


def replay_in_fresh_process(name: str, config: Path, setting: "Setting", full: int, allocator_paths: dict,
                            instances: Optional[int] = None, epochs: int = 3) -> dict:
    """``replay_without_pool`` in a fresh process with the setting's process environment."""
    args = json.dumps({"name": name, "config": str(config), "setting": setting.params(), "full": full,
                       "instances": instances, "epochs": epochs})
    proc = subprocess.run([sys.executable, __file__, args], env={**os.environ, **setting.process_env(allocator_paths)},
                          capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    from advisor.trials import Setting

    _args = json.loads(sys.argv[1])
    print(json.dumps(replay_without_pool(Path(_args["config"]), EXT.get(_args["name"], {}),
                                         Setting.from_params(_args["setting"]), _args["full"],
                                         _args["instances"], _args["epochs"])))
