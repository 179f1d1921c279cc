from __future__ import annotations

from .._base import Change, Context, Kind, Rule, Severity
from .._measured import studied, tried_other


def compute_threads(context: Context) -> int:
    """Intra-op threads each training process will start with in this environment."""
    value = context.environ.get("OMP_NUM_THREADS")
    if value and value.isdigit():
        return int(value)
    return context.machine.torch.intra_op_threads or context.machine.topology.logical_usable or 1


class Oversubscription(Rule):
    """More busy threads than usable cores: training processes x threads + loader workers.

    ## What it does
    Counts training processes (`distributed.cuda_devices` where a GPU is usable, else 1) times intra-op threads
    (`OMP_NUM_THREADS`, else torch's default), plus data-loader workers that produce batches
    alongside training (`num_workers` with `max_instances_in_memory`), and compares the total
    with the usable CPUs (affinity, cpuset and cgroup quota).

    ## Why it matters
    Oversubscribed OpenMP threads spin and wait on each other; throughput can drop several
    times, and a CPU quota throttles the whole container.

    ## Example
    8 usable CPUs, `num_workers: 8`, torch's 8 threads: 16 busy threads on 8 cores.

    ## Fix
    Fewer workers and `OMP_NUM_THREADS` = usable CPUs minus busy workers; the trials measure
    the best split.

    ## References
    - PyTorch CPU performance tuning guide: https://pytorch.org/tutorials/recipes/recipes/tuning_guide.html
    """

    code = "C002"
    title = "oversubscription"
    category = "cores"
    severity = Severity.WARNING
    kind = Kind.SPEED

    def check(self, context: Context):
        usable = context.machine.limits.usable_cpus
        dist = context.config.distributed
        # Without a usable GPU the distributed block cannot start its processes (D002 removes it): one process.
        processes = len(dist.cuda_devices) if dist is not None and dist.cuda_devices and context.has_gpu else 1
        threads = compute_threads(context)
        loader = context.config.data_loader
        workers = loader.num_workers if loader.max_instances_in_memory else 0
        busy = processes * threads + workers
        if busy <= usable:
            return
        fit = max(1, (usable - workers) // processes) if usable > workers else 1
        # Where trials ran, they decide the thread count (C001 applies a measured winner): a static count
        # here would override the measurement, as it did on the GPU-habits example (x0.6), so it is
        # only reported, and says whether another count was measured at all.
        ran, measured = studied(context), tried_other(context, "intra_op_threads", "inter_op_threads")
        yield self.finding(
            f"{busy} busy threads ({processes} process(es) x {threads} threads + {workers} loader workers) "
            f"on {usable} usable CPUs",
            f"Use at most {usable} busy threads: e.g. OMP_NUM_THREADS={fit}" +
            (", fewer loader workers" if workers else "") +
            ("; the trials measured thread counts, so only a measured winner (C001) is applied" if measured else
             "; no trial measured another thread count, so the config's is kept" if ran else ""),
            {"processes": processes, "threads per process": threads, "busy loader workers": workers,
             "usable CPUs": usable},
            change=Change() if ran else Change(env={"OMP_NUM_THREADS": str(fit), "MKL_NUM_THREADS": str(fit)}))
