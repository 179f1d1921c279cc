from __future__ import annotations

from probes import format_cpu_list

from .._base import Change, Context, Kind, Rule, Severity


class NumaNodes(Rule):
    """The usable CPUs span several NUMA nodes.

    ## What it does
    Fires when usable CPUs lie on more than one NUMA node; proposes binding the training process
    to one node with `numactl` when that node's CPUs and memory suffice, else one process per node.

    ## Why it matters
    Memory on another node is reached over the socket interconnect at lower bandwidth and higher
    latency; an unbound process spreads its pages and threads across nodes.

    ## Example
    2 sockets x 16 cores: `numactl --cpunodebind=0 --membind=0 allennlp train ...`

    ## Fix
    Launch through numactl as `env.sh` shows (install `numactl` if missing).

    ## References
    - torch.backends.xeon.run_cpu (launcher): https://pytorch.org/tutorials/recipes/xeon_run_cpu.html
    """

    code = "N001"
    title = "numa-nodes"
    category = "launch"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        nodes = [n for n in context.machine.topology.numa_nodes if n.usable_cpus]
        if len(nodes) < 2:
            return
        first = max(nodes, key=lambda n: len(n.usable_cpus))
        tool = context.machine.runtime.numactl
        prefix = f"numactl --cpunodebind={first.id} --membind={first.id}"
        yield self.finding(
            f"usable CPUs span {len(nodes)} NUMA nodes",
            f"Bind training to node {first.id} ({format_cpu_list(first.usable_cpus)}): {prefix}"
            + ("" if tool else " (install numactl first)"),
            {f"node{n.id}": format_cpu_list(n.usable_cpus) for n in nodes},
            change=Change(launch_prefix=prefix,
                          env={"OMP_NUM_THREADS": str(len(first.usable_cpus))}))
