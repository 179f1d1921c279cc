from __future__ import annotations

import statistics

from .._base import Context, Kind, Rule, Severity


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    if seconds >= 9.5:
        return f"{seconds:.0f} s"
    return f"{seconds:.2g} s"  # a tiny sample's epoch: 0.05 s, not "0 s"


def _at_rounds(seconds) -> str:
    return f" ({_duration(seconds[0])}-{_duration(seconds[1])} at the speeds seen while measuring)" if seconds else ""


_MOVED = 0.15  # level windows further apart than this: the prediction is as unsteady as the machine


def _moved(moved: float) -> str:
    return (f"; the machine's speed moved {moved:.0%} between two windows of the same setting seconds apart, "
            "so expect the real epoch to move as much" if moved > _MOVED else "")


class PredictedTime(Rule):
    """Predicted epoch and total training time, as configured and as advised.

    ## What it does
    Multiplies the instances in the training file (exact or estimated from the sample) by the
    measured seconds per instance with the best setting (two continuous windows of it after the
    comparison, pooled; one where the budget leaves no time for the second) and as-is (that rate divided by the measured gain), and by `num_epochs`; gives the
    advised epoch's range at the speeds that setting showed between the re-measure rounds (the
    machine's drift over the analysis; between minutes a shared VM can drift further); adds
    the reader's measured time per instance for each time the file is read (once, before the
    first epoch, unless `max_instances_in_memory` makes every epoch read it). Where the two windows
    differ by more than 15%, the message says so: the machine's speed is moving, and so will the
    real epoch's.

    ## Why it matters
    A speed-up is easier to weigh in hours saved. Validation and checkpointing are not included:
    the prediction covers training steps and reading only.

    ## Example
    8,544 instances at 190/s: 45 s per epoch; 10 epochs: 7.5 min.

    ## Fix
    Nothing to change: information.

    ## References
    - benchmarks/predict.py compares predictions with real `allennlp train` epochs
    """

    code = "T001"
    title = "predicted-time"
    category = "time"
    severity = Severity.INFO
    kind = Kind.SPEED

    def check(self, context: Context):
        model, study = context.model, context.study
        if model is None or study is None or study.baseline is None or study.baseline.metrics is None:
            return
        total = model.sample.estimated_total
        if not total:
            return
        base = next((r.spread.median for r in study.remeasured if r.setting == study.baseline.setting),
                    study.baseline.metrics.instances_per_s)
        best = study.best.instances_per_s if study.best is not None else base
        if study.level_instances_per_s and study.best is not None:
            # The level from continuous windows of the applied setting, pooled; the config's from the
            # paired gain (the rounds' short interleaved pieces are for comparing, not for the level).
            best = study.level_instances_per_s
            base = best / study.best.speedup if study.best.speedup > 0 else best
        epochs = context.config.trainer.num_epochs
        as_is, advised = total / base, total / best
        # The machine's own drift while measuring: the applied setting's rate between the rounds. A fact,
        # not a confidence interval: on the 2-vCPU benchmark VM two back-to-back real epochs differed
        # by 11% and 30%, more than the rounds of one analysis moved (benchmarks/predict.py).
        chosen = study.best.setting if study.best is not None else None
        rounds = [r for m in study.remeasured if m.setting == chosen for r in m.instances_per_s if r > 0]
        at_rounds = None  # [fastest, slowest] epoch seconds at the rounds' speeds
        if len(rounds) >= 3:
            middle = statistics.median(rounds)
            at_rounds = [round(advised * middle / max(rounds), 1), round(advised * middle / min(rounds), 1)]
        # Two level windows seconds apart that disagree say the machine's speed moved under the analysis.
        rates = [rate for rate in study.level_windows if rate > 0] if study.best is not None else []
        # From the rates, not the rounded seconds: a small sample's epoch can round to 0.0 s.
        moved = max(rates) / min(rates) - 1 if len(rates) >= 2 else 0.0
        windows = [round(total / rate, 1) for rate in rates]
        # AllenNLP reads, tokenizes and indexes the whole file once, before the trainer starts; later
        # epochs reuse the loaded instances (unless max_instances_in_memory makes the loader read
        # every epoch). Reading and first indexing (token -> id) per instance are measured on the sample.
        per_instance = (model.sample.seconds + model.timings.loader_s) / model.sample.instances if model.sample.instances else 0.0
        reading = per_instance * total
        rereads = bool(context.config.data_loader.max_instances_in_memory)
        total_as_is = as_is * epochs + reading * (epochs if rereads else 1)
        total_advised = advised * epochs + reading * (epochs if rereads else 1)
        yield self.finding(
            f"one epoch of {total:,} instances: {_duration(as_is)} as configured, {_duration(advised)} advised"
            f"{_at_rounds(at_rounds)} ({epochs} epochs: {_duration(total_as_is)} -> {_duration(total_advised)})"
            f"{_moved(moved)}",
            "Plan with the advised time", {
                "instances per epoch": total, "estimate": model.sample.estimate_method,
                "instances/s as configured": round(base, 1), "instances/s advised": round(best, 1),
                "epoch seconds as configured": round(as_is, 1), "epoch seconds advised": round(advised, 1),
                "epoch seconds advised, range over the rounds' speeds": at_rounds,
                "epoch seconds advised, at each level window": windows,
                "reading and indexing seconds per epoch read": round(reading, 1),
                "first epoch seconds advised": round(advised + reading, 1),
                "epochs": epochs, "scope": "training steps and reading (no validation, no checkpoints)"})
