from __future__ import annotations

from .._base import Context, Kind, Rule, Severity


class Bf16Emulated(Rule):
    """This CPU has no native bf16: never train in bf16 here.

    ## What it does
    Fires on CPUs without avx512_bf16, amx_bf16 (x86) or bf16 (aarch64): as a warning when the
    config asks for reduced precision (`use_amp`, a bf16 trainer), otherwise as information.

    ## Why it matters
    Without native instructions every bf16 operation is converted to and from fp32 in software:
    bf16 autocast was measured 28-35x slower than fp32 on an AVX2 EPYC.

    ## Example
    AMD EPYC (Zen 3), AVX2 only.

    ## Fix
    Train in fp32 on this machine; bf16 pays off on Sapphire Rapids or newer Xeons (AMX), Zen 4
    and later (avx512_bf16), or Arm cores with bf16.

    ## References
    - Intel AMX: https://www.intel.com/content/www/us/en/products/docs/accelerator-engines/advanced-matrix-extensions/overview.html
    """

    code = "P002"
    title = "bf16-emulated"
    category = "precision"
    severity = Severity.INFO
    kind = Kind.BEHAVIOUR

    def check(self, context: Context):
        isa = context.machine.isa
        if isa.native_bf16 or not isa.features:
            return
        requested = context.config.trainer.use_amp or context.config.trainer.type == "cpu_bf16"
        yield self.finding(
            f"no native bf16 on this CPU ({isa.best_vector_isa}): bf16 would be emulated, many times slower than fp32",
            "Never train in bf16 on this CPU: keep fp32",
            {"avx512_bf16": isa.has("avx512_bf16"), "amx_bf16": isa.has("amx_bf16"),
             "best vector ISA": isa.best_vector_isa, "config requests reduced precision": requested},
            severity=Severity.WARNING if requested else Severity.INFO)
