from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity


class CudaDeviceWithoutGpu(Rule):
    """trainer.cuda_device names a GPU, and this machine has none.

    ## What it does
    Fires when `trainer.cuda_device` is 0 or more (or a "cuda:N" string) and torch sees no usable GPU.

    ## Why it matters
    AllenNLP's trainer moves the model to that device at start-up; without CUDA `allennlp train`
    stops with a configuration error before the first batch.

    ## Example
    ```jsonnet
    trainer: { cuda_device: 0 }
    ```

    ## Fix
    Set `trainer.cuda_device: -1` (CPU).

    ## References
    - AllenNLP GradientDescentTrainer `cuda_device`: https://docs.allennlp.org/main/api/training/gradient_descent_trainer/
    """

    code = "D001"
    title = "cuda-device-without-gpu"
    category = "device"
    severity = Severity.ERROR
    kind = Kind.SPEED

    def check(self, context: Context):
        device = context.config.trainer.cuda_device
        if context.has_gpu or device is None:
            return
        uses_gpu = (isinstance(device, int) and device >= 0) or (isinstance(device, str) and "cuda" in device)
        if uses_gpu:
            yield self.finding(
                f"trainer.cuda_device is {device!r}, but torch sees no usable GPU here",
                "Train on CPU: set trainer.cuda_device to -1",
                {"trainer.cuda_device": device, "torch.cuda.is_available()": context.machine.torch.cuda_available},
                change=Change(config={"trainer.cuda_device": -1}),
                expected_effect="allennlp train runs instead of failing at start-up")
