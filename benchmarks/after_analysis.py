"""After analysis: a lone worker's windows, back to back for some minutes after an analysis, against
the analysis's own prediction.

A diagnostic for ``predict.py``. Its errors lean positive: right after an analysis, a lone window
of the applied setting has mostly run faster than the analysis's level. If that came from a state
the analysis leaves behind, or from the machine's drift over the minutes after it, the gap would
change over time. If it came from measuring inside the analysis, it would hold from the first
window on. Each repeat runs a fresh analysis, then 4 s windows of its applied setting in a lone
worker, back to back (at the level's two offsets in turn), for ``--minutes``. The table gives each
30 s block's median epoch time and the prediction against it.

    .venv/bin/python benchmarks/after_analysis.py [--example bilstm_classifier] [--repeats 2] [--minutes 4]
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _analyze import advice, applied_setting, lone_pool
from _common import diagnostic_args, header, median, publish, table

from advisor.trials import StudyOptions
from advisor.trials.level import WINDOW_S, Level

BLOCK_S = 30


def main() -> None:
    args = diagnostic_args(2, more=lambda p: p.add_argument("--minutes", type=float, default=4.0))
    name = args.example
    rows, gaps = [], []
    for repeat in range(1, args.repeats + 1):
        with tempfile.TemporaryDirectory() as tmp:
            report, advised, _ = advice(name, args.budget, Path(tmp) / "advice", fresh=True)
            ended = time.perf_counter()
            evidence = next(f for f in report["findings"] if f["code"] == "T001")["evidence"]
            full, setting, _ = applied_setting(name, report, advised)
            predicted = evidence["epoch seconds advised"]
            pool = lone_pool(name, Path(tmp) / "logs")
            level = Level(pool, setting, StudyOptions())  # the level's windows: its offsets, its step cap
            windows = []  # (seconds after the analysis ended, epoch seconds)
            try:
                while time.perf_counter() - ended < args.minutes * 60:
                    taken = len(level.windows)
                    level.take()
                    if len(level.windows) > taken:  # a failed window adds none
                        windows.append((time.perf_counter() - ended, full / level.rates()[-1]))
            finally:
                pool.close()
        level = ", ".join(f"{s:.1f}" for s in evidence.get("epoch seconds advised, at each level window") or [])
        for start in range(0, int(args.minutes * 60), BLOCK_S):
            block = [s for t, s in windows if start <= t < start + BLOCK_S]
            if not block:
                continue
            gap = (predicted - median(block)) / median(block)
            gaps.append(gap)
            rows.append([f"{repeat}: {setting.label()}" if start == 0 else "", f"{predicted:.1f} ({level})" if start == 0
                         else "", f"{start}-{start + BLOCK_S}", len(block), f"{median(block):.1f}", f"{gap:+.1%}"])
    lines = header(f"after analysis: {name}, a lone worker's {WINDOW_S:.0f} s windows back to back after each fresh "
                   f"analysis, epoch seconds on the full file")
    lines += table(["analysis: applied setting", "predicted s (level windows)", "s after the analysis ended",
                    "windows", "median epoch s", "prediction vs the block"], rows)
    lines += ["", f"- the prediction above the block's median in {sum(g > 0 for g in gaps)} of {len(gaps)} blocks "
                  f"(median {median(gaps):+.1%})"]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
