from __future__ import annotations

from .._base import Context, Kind, Rule, Severity


class BusyMachine(Rule):
    """Other work used the CPUs while the advisor measured: the advice may not hold on a quiet machine.

    ## What it does
    Reads the load the study recorded: other processes' CPU time on the usable CPUs (from
    `/proc/stat`, minus the advisor's own process tree) before measuring and around every trial,
    steal time where the hypervisor reports it, and which trials were measured while that load
    moved. Fires when the machine was busy before measuring, when the load changed during the
    study, or when steal was high.

    ## Why it matters
    OpenMP threads that wait for a core another process holds spin and stall: on a 2-core
    machine the same bi-LSTM step took 0.25 s on a quiet machine and 2.6 s while other processes
    kept it busy, and 1 thread degraded far less than 2. A study measured under load finds the
    best setting for that load, and one measured while the load changes compares unlike with
    unlike.

    ## Example
    A browser and a compile job held 1.3 of 2 CPUs when measuring started; the study kept one
    CPU free and found 1 thread fastest. On a quiet machine 2 threads may be faster.

    ## Fix
    Measure under the load training will see: on a quiet machine (`--wait-quiet SECONDS` waits
    for one), or with `--reserve-cpus N` for the CPUs a data pipeline or another job will use.

    ## References
    - PyTorch CPU threading notes: https://pytorch.org/docs/stable/notes/cpu_threading_torchscript_inference.html
    - `man 5 proc`: /proc/stat (user, system, steal columns), /proc/loadavg
    """

    code = "C005"
    title = "busy-machine"
    category = "cores"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        study = context.study
        load = study.load if study is not None else None
        if load is None or not load.warnings:
            return
        plan = load.plan
        evidence = {
            "outside load before measuring": f"{plan.before.outside_cores:.2f} of {plan.before.usable_cpus} CPUs",
            "top processes then": ", ".join(f"{p.name} (pid {p.pid}) {p.cores:.2f}" for p in plan.before.top) or "-",
            "outside load during trials": (f"median {load.median_cores:.2f}, max {load.max_cores:.2f} cores"
                                           if load.median_cores is not None else "-"),
            "trials measured under a changed load": ", ".join(map(str, load.flagged_trials)) or "none",
            "re-measure rounds under a changed load": load.flagged_rounds,
            "CPUs kept free": f"{plan.reserve_cpus} ({plan.reserve_basis})",
        }
        if load.max_steal_fraction is not None:
            evidence["max steal"] = f"{load.max_steal_fraction:.1%}"
        yield self.finding(load.warnings[0],
                           "Measure under the load training will see: --wait-quiet SECONDS for a quiet machine, "
                           "or --reserve-cpus N for CPUs other work will use", evidence)
