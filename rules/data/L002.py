from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity
from .._measured import applied_effect, best_change, measured_evidence, studied, tried_other


class MeasuredLoaderWorkers(Rule):
    """The measured best number of data-loader workers differs from the config's.

    ## What it does
    Fires when the fastest setting (beyond the noise) uses another `num_workers`, or when the
    config asks for more workers than there are usable CPUs.

    ## Why it matters
    Loader workers share the cores with the compute threads. Text batches are cheap to build, so
    on a few cores extra workers usually steal time from the model; with a slow tokenizer one
    worker can hide it.

    ## Example
    `num_workers: 8` on 2 usable CPUs.

    ## Fix
    Set `data_loader.num_workers` to the measured value (workers run with one thread each).

    ## References
    - AllenNLP MultiProcessDataLoader: https://docs.allennlp.org/main/api/data/data_loaders/multiprocess_data_loader/
    """

    code = "L002"
    title = "loader-workers"
    category = "data"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        workers = best_change(context, "num_workers")
        configured = context.config.data_loader.num_workers
        usable = context.machine.limits.usable_cpus
        if workers is not None and workers != "config":
            patch = {"data_loader.num_workers": int(workers)}
            if int(workers) > 0 and not context.config.data_loader.max_instances_in_memory:
                patch["data_loader.max_instances_in_memory"] = (context.config.data_loader.batch_size or 32) * 8
            yield self.finding(
                f"measured: num_workers={workers} (config: {configured}) is part of the fastest setting",
                f"Set data_loader.num_workers to {workers}",
                measured_evidence(context), change=Change(config=patch),
                expected_effect=applied_effect(context, "num_workers"), speedup=context.study.best.speedup)
        elif workers is None and configured >= usable and configured > 0:
            # Where trials ran, the measurement decides: none found (or, short of budget, measured) a
            # faster worker count, so the static suggestion is reported, not applied.
            ran, measured = studied(context), tried_other(context, "num_workers")
            yield self.finding(
                f"num_workers={configured} loader workers on {usable} usable CPUs",
                f"Use at most {max(0, usable - 1)} workers, or 0 on small machines"
                + ("; the trials found no faster worker count, so the config's is kept" if measured else
                   "; no trial measured another worker count, so the config's is kept"
                   if ran else ""),
                {"num_workers": configured, "usable CPUs": usable},
                change=Change() if ran else
                Change(config={"data_loader.num_workers": max(0, min(configured, usable - 1))}))
