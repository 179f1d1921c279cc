"""Speedup: real `allennlp train` runs, as-is vs launcher-style defaults vs the advisor's advice.

For each example (or config given with --config): (a) the config as-is, forced onto CPU (only the
keys that would make it fail there are changed), default threads; (b) launcher-style defaults as
torch's run_cpu applies them (OMP threads = physical cores, jemalloc/tcmalloc preloaded if present,
KMP settings); (c) the advisor's config.cpu.jsonnet with its env.sh. Each run trains a fixed number
of batches without validation; throughput is the steady-state rate the cpu_preflight callback logs
every 10 batches, first window (loading, warm-up) excluded: the rate of every epoch after the first.
Runs are interleaved, the order rotated each repeat (a b c, b c a, c a b, ...): on a machine
whose speed drifts within minutes, a fixed order would always time one of them last.

    .venv/bin/python benchmarks/speedup.py [--batches 60] [--repeats 5] [--budget 120] [EXAMPLE ...]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from _analyze import advice
from _common import REPO, env_exports, header, median, publish, table

from advisor.trials.stats import MIN_GAIN, compare
from probes import probe_machine

EXT = {"gpu_habits": {"DATA_DIR": "examples/gpu_habits/data/full"}}
_RATE = re.compile(r"cpu-advisor throughput \(batches (\d+)\): ([\d.]+) instances/s")


def _train(config: str, overrides: Dict, env: Dict[str, str], prefix: List[str], out: Path) -> float:
    cmd = prefix + [sys.executable, "-m", "allennlp", "train", config, "-s", str(out), "-f",
                    "--include-package", "advisor.integration", "-o", json.dumps(overrides)]
    # AllenNLP can hang at exit when batches_per_epoch stops a loader that has workers mid-epoch:
    # once metrics.json is written the run is over, so the process group is ended after a grace period.
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, text=True,
                                start_new_session=True)
        done_at = None
        while proc.poll() is None:
            time.sleep(0.5)
            if (out / "metrics.json").exists():
                done_at = done_at or time.perf_counter()
                if time.perf_counter() - done_at > 10:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        log.seek(0)
        text = log.read()
    windows = [float(rate) for batch, rate in _RATE.findall(text) if int(batch) > 10]
    if not windows:
        raise RuntimeError(f"train failed: {' '.join(cmd)}\n{text[-2000:]}")
    return median(windows)


def _label(setting: Dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in setting.items() if v not in ("default", "config", "system", "unset", "fp32"))\
        or "the config as it is"


def _launch_prefix(path: Path) -> List[str]:
    """What env.sh puts before the interpreter on its exec line (numactl, where advised)."""
    line = next((l.strip() for l in path.read_text().splitlines() if l.strip().startswith("exec ")), "exec")
    tokens = shlex.split(line)[1:]
    return tokens[: tokens.index(sys.executable)] if sys.executable in tokens else []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("examples", nargs="*", default=["bilstm_classifier", "gru_tagger", "cnn_classifier",
                                                        "transformer_classifier", "bert_classifier", "gpu_habits"])
    parser.add_argument("--batches", type=int, default=60)
    # 5: with 3, the bootstrap interval of a median is the range of three ratios, and once an A/A pair
    # (advice that applied nothing, run against the config as is) came out "slower" in all three.
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.chdir(REPO)
    machine = probe_machine()
    physical = machine.topology.physical_cores or machine.limits.usable_cpus
    lines = header("speedup: real allennlp train, as-is (a) vs launcher defaults (b) vs advisor (c)")
    rows = []
    for name in args.examples:
        subprocess.run([sys.executable, "examples/generate.py", name], check=True, capture_output=True)
        config = f"examples/{name}/config.jsonnet"
        ext = EXT.get(name, {})
        base_env = {**os.environ, **ext, "PYTHONUNBUFFERED": "1"}
        with tempfile.TemporaryDirectory() as tmp:
            report, advised, _ = advice(name, args.budget, Path(tmp) / "advice")
            cpu_fix = {"trainer.cuda_device": -1, "trainer.use_amp": False}
            if name == "gpu_habits":
                cpu_fix["distributed"] = None
            fixed = {"trainer.num_epochs": 1, "data_loader.batches_per_epoch": args.batches,
                     "validation_data_path": None,
                     "trainer.callbacks": [{"type": "cpu_preflight", "every_n_batches": 10}]}
            launcher_env = {**base_env, "OMP_NUM_THREADS": str(physical), "MKL_NUM_THREADS": str(physical),
                            "KMP_AFFINITY": "granularity=fine,compact,1,0", "KMP_BLOCKTIME": "1"}
            if machine.runtime.allocators:
                launcher_env["LD_PRELOAD"] = machine.runtime.allocators[0].path
            advised_env = {**base_env, **env_exports(advised / "env.sh")}
            prefix = _launch_prefix(advised / "env.sh")
            runs = {"a": (config, {**cpu_fix, **fixed}, base_env, []),
                    "b": (config, {**cpu_fix, **fixed}, launcher_env, []),
                    "c": (str(advised / "config.cpu.jsonnet"), fixed, advised_env, prefix)}
            rates: Dict[str, List[float]] = {k: [] for k in runs}
            keys = list(runs)
            for repeat in range(args.repeats):
                shift = repeat % len(keys)
                for key in keys[shift:] + keys[:shift]:  # a Latin square over the positions
                    cfg, overrides, env, pre = runs[key]
                    rates[key].append(_train(cfg, overrides, env, pre, Path(tmp) / f"run-{key}"))
        med = {k: median(v) for k, v in rates.items()}
        ca, cb = compare(rates["a"], rates["c"]), compare(rates["b"], rates["c"])
        slower = [k for k, c in (("a", ca), ("b", cb)) if c.ci_high < 1 - MIN_GAIN]  # slower beyond the noise
        # Advice that applied nothing runs the config as is: c against a is then the benchmark's own
        # noise (an A/A test), and is labelled so.
        same_as_a = not report.get("applied") and not env_exports(advised / "env.sh")
        a_vs = ca.verdict + (" (A/A: c is the config as is)" if same_as_a else "")
        best = (report.get("study") or {}).get("best") or {}
        rows.append([name] + [f"{med[k]:.1f} ({min(v):.1f}-{max(v):.1f})" for k, v in rates.items()]
                    + [a_vs, cb.verdict, "SLOWER than " + "/".join(slower) if slower else "ok",
                       best.get("verdict", "-"), ", ".join(report.get("applied", [])) or "-",
                       (best.get("setting") and _label(best["setting"])) or "-",
                       ", ".join(f"{e['dimension']}={e['value']} x{e['gain']:.2f}"
                                 for e in (report.get("study") or {}).get("attribution", [])) or "-"])
        print(f"{name}: c/a {a_vs}; c/b {cb.verdict}", flush=True)
    lines += table(["example", "(a) as-is inst/s (min-max)", "(b) launcher", "(c) advisor", "c vs a", "c vs b",
                    "c never slower beyond noise", "advisor's measured verdict", "applied findings",
                    "applied setting",
                    "which change made the difference (advisor's estimate, or the one change's measured gain)"], rows)
    lines += ["", f"{args.repeats} interleaved repeats (order rotated each repeat) of {args.batches} training batches each (no validation); "
                  "steady-state instances/s (median of 10-batch windows after the first); ratios are medians of "
                  "paired repeats. Only speed-only findings are applied in (c); behaviour-changing ones (bf16, "
                  "vocabulary, model size) stay suggestions, as `advisor analyze` writes them by default."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
