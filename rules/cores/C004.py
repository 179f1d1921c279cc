from __future__ import annotations

from .._base import Context, Kind, Rule, Severity


class SmtSiblings(Rule):
    """SMT (hyper-threading) siblings: two logical CPUs share one core's vector units.

    ## What it does
    Fires when the usable CPUs include SMT siblings (threads per core > 1), reporting physical
    cores against logical CPUs, and whether the trials tried both counts.

    ## Why it matters
    Dense math saturates a core's FMA units with one thread; a second thread on the sibling
    mostly competes for them. One thread per physical core is usually best, but not always.

    ## Example
    8 logical CPUs on 4 cores: try 4 threads before 8.

    ## Fix
    Let the trials decide (they try both); without trials, start from threads = physical cores.

    ## References
    - Intel, "Maximize TensorFlow/PyTorch performance on CPU": one thread per physical core
    """

    code = "C004"
    title = "smt-siblings"
    category = "cores"
    severity = Severity.INFO
    kind = Kind.SPEED

    def check(self, context: Context):
        topo = context.machine.topology
        if not topo.threads_per_core or topo.threads_per_core < 2:
            return
        yield self.finding(
            f"{topo.logical_usable} usable logical CPUs are {topo.physical_cores} physical cores "
            f"with {topo.threads_per_core} threads each",
            f"Prefer {topo.physical_cores} compute threads unless the trials measured otherwise",
            {"physical cores": topo.physical_cores, "logical CPUs": topo.logical_usable,
             "threads per core": topo.threads_per_core})
