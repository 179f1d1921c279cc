from __future__ import annotations

from .._base import REMOVE, Change, Context, Kind, Rule, Severity


class DistributedCudaDevices(Rule):
    """A `distributed` block lists CUDA devices on a machine without a GPU.

    ## What it does
    Fires when `distributed.cuda_devices` is set and torch sees no usable GPU.

    ## Why it matters
    AllenNLP starts one process per listed device and moves each onto its GPU; without CUDA it
    fails. On CPU several processes also split the same cores, so each runs slower.

    ## Example
    ```jsonnet
    distributed: { cuda_devices: [0, 1] }
    ```

    ## Fix
    Remove the `distributed` block and train in one process; the advisor's thread settings use
    the cores instead.

    ## References
    - AllenNLP distributed training: https://guide.allennlp.org/training-and-prediction#distributed
    """

    code = "D002"
    title = "distributed-cuda-without-gpu"
    category = "device"
    severity = Severity.ERROR
    kind = Kind.SPEED

    def check(self, context: Context):
        dist = context.config.distributed
        if context.has_gpu or dist is None or not dist.cuda_devices:
            return
        yield self.finding(
            f"distributed.cuda_devices is {dist.cuda_devices}, but torch sees no usable GPU here",
            "Remove the distributed block: train in one process on CPU",
            {"distributed.cuda_devices": dist.cuda_devices, "usable CPUs": context.machine.limits.usable_cpus},
            change=Change(config={"distributed": REMOVE}),
            expected_effect="one training process instead of a failed multi-GPU start")
