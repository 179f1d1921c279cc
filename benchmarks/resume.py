"""An analysis interrupted during its baseline trial, then resumed on the same storage.

    .venv/bin/python benchmarks/resume.py [--example gpu_habits] [--after 20] [--out FILE]

The first `advisor analyze` gets SIGTERM ``--after`` seconds in (on the GPU-habits example here:
after the workers' start, inside the 16-18 s baseline trial, while the screening's trials wait in
the storage). The same command then runs again on that storage, as the interrupted run's message
says. The table shows each run's trials (setting, state, timed and warm-up steps, whether measured
beside the baseline) and what the second run decided. A resumed study must measure the baseline
again, first: every other trial is measured beside it, and a heavy model's design is taken from it.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _analyze import EXT
from _common import REPO, diagnostic_args, header, publish, table

from advisor.trials.setting import Setting


def _run(name: str, out: Path, storage: str, stop_after: float = 0.0) -> tuple:
    cmd = [sys.executable, "-m", "advisor", "analyze", f"examples/{name}/config.jsonnet", "-o", str(out),
           "--storage", storage]
    for key, value in EXT.get(name, {}).items():
        cmd += ["-V", f"{key}={value}"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if stop_after:
        time.sleep(stop_after)
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate()
    if not (out / "report.json").exists():
        raise RuntimeError(f"no report from {' '.join(cmd)} (exit {proc.returncode}): {err[-2000:]}")
    return json.loads((out / "report.json").read_text()), proc.returncode, time.perf_counter() - start


def main() -> None:
    args = diagnostic_args(1, budget=False, example="gpu_habits",
                           more=lambda p: p.add_argument("--after", type=float, default=20.0))
    subprocess.run([sys.executable, "examples/generate.py", args.example], check=True, capture_output=True, cwd=REPO)
    scratch = Path(tempfile.mkdtemp(prefix="advisor-resume-"))
    storage = f"sqlite:///{scratch / 'shared.db'}"
    rows = []
    for run, stop in (("first (SIGTERM)", args.after), ("second (resumed)", 0.0)):
        report, code, wall = _run(args.example, scratch / run.split()[0], storage, stop)
        study = report["study"] or {}
        for t in study.get("trials", []):
            m = t.get("metrics") or {}
            rows.append([run, t["number"], Setting.from_params(t["setting"]).label(), t["state"], m.get("steps", "-"),
                         m.get("warmup_steps", "-"), "yes" if m.get("baseline_instances_per_s") else "no"])
    # What the second (last) run decided.
    rounds = [f"{Setting.from_params(r['setting']).label()} ({len(r['instances_per_s'])})"
              for r in study.get("remeasured", [])]
    best = study.get("best")
    lines = header(f"resume: an analysis interrupted after {args.after:g} s, then resumed ({args.example})")
    lines += table(["run", "trial", "setting", "state", "timed steps", "warm-up steps", "beside the baseline"], rows)
    lines += ["", f"- second run: exit {code}, {wall:.0f} s; decided after "
              f"{(study.get('overhead') or {}).get('decided_s')} s; rounds (calm ones): {', '.join(rounds) or 'none'}; "
              f"verdict: {best['verdict'] if best else 'none (no decision)'}"]
    publish(lines, args.out)

if __name__ == "__main__":
    main()
