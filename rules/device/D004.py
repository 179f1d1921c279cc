from __future__ import annotations

from .._base import REMOVE, Change, Context, Kind, Rule, Severity


class GpuOnlyWrappers(Rule):
    """GPU-only distributed or checkpointing wrappers on a CPU machine.

    ## What it does
    Fires for `distributed.ddp_accelerator` (DDP/FSDP across GPUs) and `checkpoint_wrapper`
    keys (activation checkpointing to save GPU memory) when torch sees no usable GPU.

    ## Why it matters
    FSDP needs CUDA; activation checkpointing trades compute for GPU memory, so on CPU it only
    recomputes activations (slower) with no memory pressure to relieve.

    ## Example
    ```jsonnet
    distributed: { cuda_devices: [0, 1], ddp_accelerator: { type: "fairscale_fsdp" } }
    ```

    ## Fix
    Remove the wrapper keys (and the `distributed` block, see D002).

    ## References
    - AllenNLP DdpAccelerator: https://docs.allennlp.org/main/api/nn/parallel/ddp_accelerator/
    """

    code = "D004"
    title = "gpu-only-wrappers"
    category = "device"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        if context.has_gpu:
            return
        dist = context.config.distributed
        if dist is not None and dist.ddp_accelerator:
            yield self.finding(
                f"distributed.ddp_accelerator ({dist.ddp_accelerator}) is for multi-GPU training",
                "Remove distributed.ddp_accelerator",
                {"distributed.ddp_accelerator": dist.ddp_accelerator},
                change=Change(config={"distributed.ddp_accelerator": REMOVE}))
        for path in context.config.checkpoint_wrappers:
            yield self.finding(
                f"{path} recomputes activations to save GPU memory: on CPU it only costs time",
                f"Remove {path}",
                {path: "set"},
                change=Change(config={path: REMOVE}))
