from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity


class QuotaBelowVisibleCpus(Rule):
    """A cgroup quota, cpuset or affinity leaves fewer CPUs than torch starts threads for.

    ## What it does
    Fires when torch's default intra-op thread count is larger than the usable CPUs
    (min of affinity, cpuset, and floor of the cgroup CPU quota).

    ## Why it matters
    torch sizes its pool from the CPUs it sees; under a container quota of 2 CPUs on a 64-CPU
    host it starts 64 threads, which the kernel throttles every scheduling period.

    ## Example
    `cpu.max` = `200000 100000` (2 CPUs) on a 16-CPU machine: torch starts 16 threads.

    ## Fix
    Export `OMP_NUM_THREADS` = usable CPUs.

    ## References
    - Linux cgroup v2 cpu.max: https://docs.kernel.org/admin-guide/cgroup-v2.html#cpu-interface-files
    """

    code = "C003"
    title = "quota-below-visible-cpus"
    category = "cores"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        limits = context.machine.limits
        default = context.machine.torch.intra_op_threads
        if context.environ.get("OMP_NUM_THREADS") or default is None or default <= limits.usable_cpus:
            return
        yield self.finding(
            f"torch starts {default} threads but only {limits.usable_cpus} CPUs are usable here",
            f"Export OMP_NUM_THREADS={limits.usable_cpus}",
            {"torch default threads": default, "usable CPUs": limits.usable_cpus,
             "cpu quota": limits.cpu_quota, "cpuset": limits.cpuset_cpus, "affinity": limits.affinity_cpus},
            change=Change(env={"OMP_NUM_THREADS": str(limits.usable_cpus), "MKL_NUM_THREADS": str(limits.usable_cpus)}))
