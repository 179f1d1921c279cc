"""AllenNLP integration: a pre-flight/throughput callback and a CPU bf16 trainer.

Make them available with ``--include-package advisor.integration`` (or a line
``advisor.integration`` in ``.allennlp_plugins``), then in the config:

    trainer: { type: "cpu_bf16", callbacks: [{ type: "cpu_preflight", every_n_batches: 50 }] }
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any, Dict, List, Optional

import torch
from allennlp.common.checks import ConfigurationError
from allennlp.data import TensorDict
from allennlp.training.callbacks.callback import TrainerCallback
from allennlp.training.gradient_descent_trainer import GradientDescentTrainer
from allennlp.training.trainer import Trainer

from .inspect.tensors import batch_counts

__all__ = ["CpuPreflightCallback", "CpuBf16Trainer"]

logger = logging.getLogger("advisor")


def _count(batch: TensorDict):
    """Instances and non-padding tokens in one batch."""
    instances, fields = batch_counts(batch)
    return instances, sum(tokens for tokens, _ in fields.values())


@TrainerCallback.register("cpu_preflight")
class CpuPreflightCallback(TrainerCallback):
    """Runs the advisor's checks at start and logs measured throughput while training.

    Args:
        every_n_batches: log instances/s and tokens/s every this many training batches.
        strict: stop training at start when the checks find errors or warnings.
    """

    def __init__(self, serialization_dir: str, every_n_batches: int = 50, strict: bool = False) -> None:
        super().__init__(serialization_dir)
        self.every_n_batches = max(1, every_n_batches)
        self.strict = strict
        self._reset()

    def _reset(self) -> None:
        self._window = [0, 0, time.perf_counter()]
        self._epoch = [0, 0, time.perf_counter()]

    def on_start(self, trainer: GradientDescentTrainer, is_primary: bool = True, **kwargs: Any) -> None:
        super().on_start(trainer, is_primary, **kwargs)
        config = os.path.join(self.serialization_dir, "config.json")  # written by `allennlp train` before this
        if is_primary and os.path.exists(config):
            from .preflight import preflight

            result = preflight(config, strict=self.strict)
            for f in result.findings:
                logger.log(logging.WARNING if f.severity.value != "info" else logging.INFO,
                           "cpu-advisor %s [%s] %s -> %s", f.code, f.severity.value, f.message, f.fix)
            logger.info("cpu-advisor preflight: %d error(s), %d warning(s) on machine %s",
                        len(result.errors), len(result.warnings), result.fingerprint)
        self._reset()

    def on_batch(self, trainer: GradientDescentTrainer, batch_inputs: List[TensorDict],
                 batch_outputs: List[Dict[str, Any]], batch_metrics: Dict[str, Any], epoch: int,
                 batch_number: int, is_training: bool, is_primary: bool = True,
                 batch_grad_norm: Optional[float] = None, **kwargs: Any) -> None:
        if not is_training or not is_primary:
            return
        for batch in batch_inputs:
            instances, tokens = _count(batch)
            for acc in (self._window, self._epoch):
                acc[0] += instances
                acc[1] += tokens
        if batch_number % self.every_n_batches == 0:
            self._log("batches", batch_number, self._window)
            self._window = [0, 0, time.perf_counter()]

    def on_epoch(self, trainer: GradientDescentTrainer, metrics: Dict[str, Any], epoch: int,
                 is_primary: bool = True, **kwargs: Any) -> None:
        if is_primary and epoch >= 0:
            self._log("epoch", epoch, self._epoch)
        self._reset()

    @staticmethod
    def _log(what: str, number: int, acc: list) -> None:
        seconds = max(time.perf_counter() - acc[2], 1e-9)
        logger.info("cpu-advisor throughput (%s %d): %.1f instances/s, %.1f tokens/s",
                    what, number, acc[0] / seconds, acc[1] / seconds)


@Trainer.register("cpu_bf16", constructor="from_partial_objects")
class CpuBf16Trainer(GradientDescentTrainer):
    """GradientDescentTrainer whose forward passes run under CPU bf16 autocast.

    AllenNLP's ``use_amp`` is CUDA-only; this is its CPU counterpart. Weights, gradients and the
    optimizer stay fp32; matrix products run in bf16. It refuses to start on CPUs without native
    bf16, where bf16 is emulated and many times slower than fp32.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from probes import FsRoot
        from probes.isa import probe_isa

        isa = probe_isa(FsRoot("/"))
        if not isa.native_bf16:
            raise ConfigurationError(
                "trainer type cpu_bf16: this CPU has no native bf16 (no avx512_bf16/amx_bf16 or aarch64 bf16; "
                f"best vector ISA {isa.best_vector_isa}), so bf16 would be emulated and many times slower than "
                "fp32. Use the default trainer (remove trainer.type) on this machine.")
        super().__init__(*args, **kwargs)

    def batch_outputs(self, batch: TensorDict, for_training: bool) -> Dict[str, torch.Tensor]:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return super().batch_outputs(batch, for_training)
