"""Drift: how well a short window of a machine's speed forecasts the next epoch.

Times one bi-LSTM training step (the Bi-LSTM example's shape: 300-d inputs, 256 hidden units each
way, batches of 32) again and again for ``--seconds``, and keeps the rate of every second (each
stretch ends with the step that crosses it). Then, at every second t, compares what a window before t says with the rate over an epoch of
``--epoch`` seconds beginning ``gap`` seconds after t: the error in percent of the epoch's time, as
``predict.py`` reports it. Rows: one window of 4-40 s, and two 4 s windows some seconds apart,
pooled (what ``advisor.trials.level`` takes). A diagnostic for the predict target; the advisor's
own windows time the user's model in its worker.

    .venv/bin/python benchmarks/drift.py [--seconds 600] [--epoch 40]
"""
from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable, List, Sequence

from _common import header, publish, table

GAPS = (10, 60)  # seconds between the window's end and the epoch's start


def _trace(seconds: float) -> List[float]:
    """Training steps per second, one value per second of wall time."""
    import torch

    from probes import probe_machine

    torch.set_num_threads(probe_machine(with_torch=False).limits.usable_cpus)
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(300, 256, bidirectional=True, batch_first=True)
    head = torch.nn.Linear(512, 5)
    optimizer = torch.optim.Adam([*lstm.parameters(), *head.parameters()], lr=1e-3)
    x, y = torch.randn(32, 30, 300), torch.randint(0, 5, (32,))
    rates, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        start, steps = time.perf_counter(), 0
        while time.perf_counter() - start < 1.0:
            optimizer.zero_grad()
            out, _ = lstm(x)
            torch.nn.functional.cross_entropy(head(out[:, -1]), y).backward()
            optimizer.step()
            steps += 1
        rates.append(steps / (time.perf_counter() - start))
    return rates


def _scores(rates: Sequence[float], forecast: Callable[[int], float], reach: int, gap: int, epoch: int) -> List[str]:
    """Share of positions within ±15%, median and 90th percentile of |error|, positions."""
    errors = []
    for t in range(reach, len(rates) - gap - epoch + 1):
        real = sum(rates[t + gap:t + gap + epoch]) / epoch
        errors.append(abs(real / forecast(t) - 1))  # predicted epoch time / real epoch time - 1
    if not errors:
        return ["-"] * 4
    errors.sort()
    return [f"{sum(e <= 0.15 for e in errors) / len(errors):.0%}", f"{statistics.median(errors):.1%}",
            f"{errors[int(0.9 * (len(errors) - 1))]:.1%}", str(len(errors))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--epoch", type=int, default=40, help="the forecast epoch's length in seconds")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    rates = _trace(args.seconds)

    def mean(a: int, b: int) -> float:
        return sum(rates[a:b]) / (b - a)

    predictors = [(f"one {w} s window", w, lambda t, w=w: mean(t - w, t)) for w in (4, 8, 16, 40)]
    predictors += [(f"two 4 s windows {d} s apart, pooled", d + 4, lambda t, d=d: (mean(t - 4, t) + mean(t - d - 4, t - d)) / 2)
                   for d in (20, 60)]
    rows = [[name, gap, *_scores(rates, forecast, reach, gap, args.epoch)]
            for gap in GAPS for name, reach, forecast in predictors]
    minutes = [round(statistics.mean(rates[i:i + 60]), 2) for i in range(0, len(rates), 60)]
    lines = header(f"drift: a window's rate against the next {args.epoch} s epoch's")
    lines += table(["forecast", "gap s", "within ±15%", "median |error|", "90th pct |error|", "positions"], rows)
    lines += ["", f"{len(rates)} rates of a bi-LSTM training step (steps/s), each over about a second: median "
                  f"{statistics.median(rates):.2f}, min {min(rates):.2f}, max {max(rates):.2f}; per minute: "
                  f"{', '.join(map(str, minutes))}. Error: the window's forecast of the epoch's time against its time."]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
