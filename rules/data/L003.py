from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity

_PYTHON_OVERHEAD = 20  # an Instance's Python objects take many times its text's bytes


class InstancesInMemory(Rule):
    """`max_instances_in_memory` (or the whole dataset) against usable memory.

    ## What it does
    Estimates the memory held by instances in memory: `max_instances_in_memory` (or all instances
    when unset) x bytes per instance in the file x a Python-object overhead factor, and compares
    it with usable memory (cgroup limit included).

    ## Why it matters
    Without `max_instances_in_memory` AllenNLP keeps every instance in memory; a large corpus in
    a memory-limited container is killed by the OOM killer mid-epoch.

    ## Example
    A 6 GB corpus in a 4 GiB container, no `max_instances_in_memory`.

    ## Fix
    Set `data_loader.max_instances_in_memory` to a few thousand (a multiple of the batch size).

    ## References
    - AllenNLP MultiProcessDataLoader `max_instances_in_memory`
    """

    code = "L003"
    title = "instances-in-memory"
    category = "data"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        model = context.model
        usable = context.machine.limits.usable_memory_bytes
        if model is None or not usable or not model.sample.file_bytes or not model.sample.estimated_total:
            return
        per_instance = model.sample.file_bytes / model.sample.estimated_total * _PYTHON_OVERHEAD
        held = context.config.data_loader.max_instances_in_memory or model.sample.estimated_total
        estimate = held * per_instance
        if estimate < 0.5 * usable:
            return
        batch = context.config.data_loader.batch_size or 32
        safe = max(batch, int(0.25 * usable / per_instance) // batch * batch)
        yield self.finding(
            f"about {estimate / 2**30:.1f} GiB of instances held in memory, "
            f"{estimate / usable:.0%} of the {usable / 2**30:.1f} GiB usable",
            f"Set data_loader.max_instances_in_memory to {safe}",
            {"instances held": held, "estimated bytes per instance": int(per_instance), "usable memory": usable},
            change=Change(config={"data_loader.max_instances_in_memory": safe}))
