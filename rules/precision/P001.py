from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity


class MeasuredBf16(Rule):
    """bf16 autocast is native on this CPU and measured faster, with fp32 loss parity checked.

    ## What it does
    Fires when bf16 autocast (`torch.autocast("cpu", dtype=torch.bfloat16)`), re-measured on top
    of the best speed-only setting in interleaved rounds, is faster beyond the noise, and the parity
    check (the same batches from the same weights in fp32 and bf16) kept the loss within tolerance.

    ## Why it matters
    With avx512_bf16 or AMX, matrix products in bf16 run up to several times faster. bf16 keeps
    fp32's range but only 8 bits of mantissa, so results differ slightly: behaviour-changing,
    never applied silently.

    ## Example
    AMX Xeon: bi-LSTM step 44 ms fp32 -> 28 ms bf16 (measured on the device check).

    ## Fix
    Train with the advisor's CPU bf16 trainer (`"trainer": {"type": "cpu_bf16", ...}`, after
    `--include-package advisor.integration`), or wrap the forward pass in the autocast context.

    ## References
    - PyTorch CPU autocast: https://pytorch.org/docs/stable/amp.html#cpu-op-specific-behavior
    """

    code = "P001"
    title = "measured-bf16"
    category = "precision"
    severity = Severity.INFO
    kind = Kind.BEHAVIOUR

    def check(self, context: Context):
        study = context.study
        if study is None or not context.machine.isa.native_bf16:
            return
        gain = study.behaviour_gains.get("precision=bf16")
        if gain is None or not gain.significant or gain.ratio <= 1:
            return
        parity = study.bf16_parity
        evidence = {"bf16 on top of the applied settings": gain.verdict, "rounds": gain.rounds}
        if parity is not None:
            evidence["loss parity"] = (f"{parity.steps} steps, max relative difference {parity.max_rel_diff:.2%} "
                                       f"(tolerance {parity.tolerance:.0%}): {'ok' if parity.ok else 'FAILED'}")
        if parity is not None and not parity.ok:
            yield self.finding(
                "bf16 was faster but its loss drifted from fp32 beyond tolerance: keep fp32",
                "Keep fp32", evidence, severity=Severity.WARNING)
            return
        yield self.finding(
            f"bf16 autocast is native here and measured {gain.verdict} on top of the applied settings",
            "Train under CPU bf16 autocast (trainer type cpu_bf16)",
            evidence, change=Change(config={"trainer.type": "cpu_bf16"}),
            expected_effect=gain.verdict, speedup=gain.ratio)
