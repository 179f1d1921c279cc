from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity
from .._measured import applied_effect, best_change, measured_evidence


class MeasuredThreads(Rule):
    """The measured best intra-op / inter-op thread counts differ from torch's defaults.

    ## What it does
    Fires when the study's best setting, confirmed by interleaved re-measuring beyond the noise,
    uses another intra-op or inter-op thread count than torch picks by itself.

    ## Why it matters
    torch starts one intra-op thread per CPU it sees. Small recurrent models (an LSTM step is a
    chain of small matrix products) often run faster on fewer threads: on a 2-vCPU EPYC a
    bi-LSTM step was 3-4x slower with 2 threads than with 1. Only a measurement tells.

    ## Example
    torch default: 16 threads; measured best: 4 threads, x1.6 faster.

    ## Fix
    Export `OMP_NUM_THREADS` (and `MKL_NUM_THREADS`) before training, as `env.sh` does. Inter-op
    threads have no variable: call `torch.set_num_interop_threads(n)` before any parallel work
    (`advisor.preflight(..., apply=True)` does it).

    ## References
    - PyTorch CPU threading: https://pytorch.org/docs/stable/notes/cpu_threading_torchscript_inference.html
    """

    code = "C001"
    title = "measured-thread-count"
    category = "cores"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        intra = best_change(context, "intra_op_threads")
        inter = best_change(context, "inter_op_threads")
        if intra is None and inter is None:
            return
        study = context.study
        env = {}
        parts = []
        if intra is not None:
            env = {"OMP_NUM_THREADS": str(intra), "MKL_NUM_THREADS": str(intra)}
            parts.append(f"{intra} intra-op threads (torch default {context.machine.torch.intra_op_threads})")
        if inter is not None:
            parts.append(f"{inter} inter-op threads (torch.set_num_interop_threads({inter}))")
        yield self.finding(
            "measured: " + " and ".join(parts) + " are part of the fastest setting",
            "Run with " + ", ".join(f"{k}={v}" for k, v in env.items()) if env else
            f"Call torch.set_num_interop_threads({inter}) at start-up",
            measured_evidence(context),
            change=Change(env=env),
            expected_effect=applied_effect(context, "intra_op_threads", "inter_op_threads"), speedup=study.best.speedup)
