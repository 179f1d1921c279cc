from __future__ import annotations

from .._base import Context, Kind, Rule, Severity


class WorkersWithoutMaxInstances(Rule):
    """Loader workers without `max_instances_in_memory` only help the first epoch.

    ## What it does
    Fires when `num_workers > 0` and `max_instances_in_memory` is unset.

    ## Why it matters
    AllenNLP's MultiProcessDataLoader then uses its workers once, to read and cache every
    instance; from the second epoch on, batches are built in the main process and the workers
    (and their start-up cost) buy nothing.

    ## Example
    ```jsonnet
    data_loader: { batch_size: 32, num_workers: 4 }
    ```

    ## Fix
    Either set `max_instances_in_memory` (workers then build batches in parallel) or drop
    `num_workers`; the trials measure both.

    ## References
    - allennlp/data/data_loaders/multiprocess_data_loader.py (`max_instances_in_memory` docs)
    """

    code = "L004"
    title = "workers-without-max-instances"
    category = "data"
    severity = Severity.INFO
    kind = Kind.SPEED

    def check(self, context: Context):
        loader = context.config.data_loader
        if loader.num_workers > 0 and not loader.max_instances_in_memory:
            yield self.finding(
                f"num_workers={loader.num_workers} without max_instances_in_memory: the workers only load "
                "the first epoch",
                "Set max_instances_in_memory, or drop num_workers",
                {"num_workers": loader.num_workers, "max_instances_in_memory": None})
