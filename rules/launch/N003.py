from __future__ import annotations

from .._base import Context, Kind, Rule, Severity


class TunedOnAnotherMachine(Rule):
    """The config was tuned by `advisor analyze` on a different machine.

    ## What it does
    Compares the fingerprint that `advisor analyze` wrote into `config.cpu.jsonnet`
    (`// advisor-fingerprint:`) with this machine's: CPU model, ISA, usable CPUs, memory and torch
    version hashed together.

    ## Why it matters
    Thread counts, bf16 and batch layouts were measured there; on another CPU count or ISA the
    same settings can be slower than the defaults (bf16 on a CPU without native bf16 is many
    times slower).

    ## Example
    Tuned on a 16-core AMX Xeon, run in a 2-CPU container.

    ## Fix
    Run `advisor analyze` again on this machine.

    ## References
    - `advisor probe --json` shows the fingerprint and what it hashes
    """

    code = "N003"
    title = "tuned-on-another-machine"
    category = "launch"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        stamp = context.config.advice
        here = context.machine.fingerprint.value
        if stamp is None or stamp.fingerprint == here:
            return
        yield self.finding(
            f"this config was tuned on machine {stamp.fingerprint}; this machine is {here}",
            "Run advisor analyze again on this machine",
            {"tuned on": stamp.fingerprint, "this machine": here, "this machine's inputs": context.machine.fingerprint.inputs})
