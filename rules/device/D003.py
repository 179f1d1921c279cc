from __future__ import annotations

from .._base import REMOVE, Change, Context, Kind, Rule, Severity


class AmpOnCpu(Rule):
    """`trainer.use_amp: true` with a CPU device.

    ## What it does
    Fires when `trainer.use_amp` is true and training runs on CPU (no usable GPU, or
    `cuda_device` below 0).

    ## Why it matters
    AllenNLP's trainer raises `ValueError("Using AMP requires a cuda device")` on CPU. AMP is
    CUDA float16; CPUs use bf16, and only where the CPU has native bf16 (see P001/P002).

    ## Example
    ```jsonnet
    trainer: { cuda_device: -1, use_amp: true }
    ```

    ## Fix
    Remove `use_amp`. For bf16 on a CPU with native support, follow P001.

    ## References
    - allennlp/training/gradient_descent_trainer.py: "Using AMP requires a cuda device"
    """

    code = "D003"
    title = "amp-on-cpu"
    category = "device"
    severity = Severity.ERROR
    kind = Kind.SPEED

    def check(self, context: Context):
        trainer = context.config.trainer
        on_cpu = not context.has_gpu or (isinstance(trainer.cuda_device, int) and trainer.cuda_device < 0)
        if trainer.use_amp and on_cpu:
            yield self.finding(
                "trainer.use_amp is true, but AMP needs a CUDA device: AllenNLP raises ValueError on CPU",
                "Remove trainer.use_amp",
                {"trainer.use_amp": True, "trainer.cuda_device": trainer.cuda_device},
                change=Change(config={"trainer.use_amp": REMOVE}),
                expected_effect="allennlp train runs instead of raising ValueError")
