"""Rich tables for the probe sheet (``advisor probe``)."""
from __future__ import annotations

from typing import Dict, List

from rich.console import RenderableType
from rich.table import Table

from probes import MachineFacts, format_cpu_list
from probes.isa import ARM_FEATURES, X86_FEATURES

from ._format import bytes_h, or_dash, yes_no

__all__ = ["machine_renderables"]


def _kv(title: str, rows: Dict[str, str], unknown: Dict[str, str]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column("fact", style="bold")
    table.add_column("value")
    for key, value in rows.items():
        table.add_row(key, value)
    for key, why in unknown.items():
        table.add_row(key, f"[dim]unknown: {why}[/]")
    return table


def _cpus(cpus) -> str:
    return "-" if cpus is None else f"{format_cpu_list(cpus)} ({len(cpus)})"


def machine_renderables(facts: MachineFacts) -> List[RenderableType]:
    cpu, topo, lim, mem, isa, tb, rt = (facts.cpu, facts.topology, facts.limits, facts.memory,
                                        facts.isa, facts.torch, facts.runtime)
    out: List[RenderableType] = []
    where = "this machine" if facts.live else f"recorded tree {facts.root}"
    out.append(_kv(f"Machine ({where}) · fingerprint {facts.fingerprint.value}", {
        "model": or_dash(cpu.model_name),
        "vendor": or_dash(cpu.vendor),
        "family/model/stepping": f"{or_dash(cpu.family)}/{or_dash(cpu.model)}/{or_dash(cpu.stepping)}",
        "architecture": or_dash(cpu.architecture),
    }, cpu.unknown))

    nodes = ", ".join(f"node{n.id}: cpus {format_cpu_list(n.cpus)}, {bytes_h(n.memory_bytes)}"
                      for n in topo.numa_nodes) or "-"
    hybrid = "-" if topo.hybrid is None else (
        f"P {format_cpu_list(topo.hybrid.performance_cpus)} / E {format_cpu_list(topo.hybrid.efficiency_cpus)}")
    out.append(_kv("Topology (CPUs this process may use)", {
        "logical CPUs online": _cpus(topo.online_cpus),
        "logical CPUs usable": _cpus(topo.usable_cpus),
        "physical cores (usable)": or_dash(topo.physical_cores),
        "threads per core": or_dash(topo.threads_per_core),
        "SMT active": yes_no(topo.smt_active),
        "sockets": or_dash(topo.sockets),
        "NUMA nodes": nodes,
        "hybrid P/E cores": hybrid,
    }, topo.unknown))

    caches = Table(title="Caches", title_justify="left", box=None, padding=(0, 2))
    for col in ("level", "size/instance", "instances", "CPUs each", "total", "line"):
        caches.add_column(col)
    for lv in facts.caches.levels:
        caches.add_row(lv.name, bytes_h(lv.size_bytes), str(lv.instances), str(lv.cpus_per_instance),
                       bytes_h(lv.total_bytes), or_dash(lv.line_size))
    for key, why in facts.caches.unknown.items():
        caches.add_row(key, f"[dim]unknown: {why}[/]", "", "", "", "")
    out.append(caches)

    out.append(_kv("Memory", {
        "total": bytes_h(mem.total_bytes), "available": bytes_h(mem.available_bytes),
        "swap": f"{bytes_h(mem.swap_total_bytes)} ({bytes_h(mem.swap_free_bytes)} free)",
        "transparent huge pages": or_dash(mem.transparent_hugepages),
    }, mem.unknown))

    names = X86_FEATURES if any(f in isa.features for f in X86_FEATURES) else ARM_FEATURES
    isa_rows = {
        "best vector ISA": or_dash(isa.best_vector_isa),
        "AVX-512": yes_no(isa.avx512),
        "AMX": yes_no(isa.amx),
        "native bf16": yes_no(isa.native_bf16) + ("" if isa.native_bf16 else "  (bf16 would be emulated: much slower than fp32)"),
    }
    isa_rows.update({name: yes_no(isa.features.get(name)) for name in names if name in isa.features})
    if "amx_fp16" not in isa.unknown:
        isa_rows["amx_fp16 (CPUID)"] = yes_no(isa.amx_fp16)
    out.append(_kv("Instruction set", isa_rows, isa.unknown))

    quota = "none" if lim.cpu_quota is None else f"{lim.cpu_quota:g} CPUs ({lim.cpu_quota_source})"
    memlim = "none" if lim.memory_limit_bytes is None else f"{bytes_h(lim.memory_limit_bytes)} ({lim.memory_limit_source})"
    out.append(_kv("Limits", {
        "cgroup": f"v{lim.cgroup_version} {lim.cgroup_path}" if lim.cgroup_version else "-",
        "affinity": _cpus(lim.affinity_cpus),
        "cpuset": _cpus(lim.cpuset_cpus),
        "CPU quota": quota,
        "memory limit": memlim,
        "[bold]usable CPUs[/]": f"[bold]{lim.usable_cpus}[/]",
        "[bold]usable memory[/]": f"[bold]{bytes_h(lim.usable_memory_bytes)}[/]",
    }, lim.unknown))

    out.append(_kv(f"Torch ({tb.source})", {
        "version": or_dash(tb.version),
        "parallel backend": or_dash(tb.parallel_backend),
        "intra-op / inter-op threads": f"{or_dash(tb.intra_op_threads)} / {or_dash(tb.inter_op_threads)}",
        "MKL": or_dash(tb.mkl_version),
        "oneDNN": or_dash(tb.onednn_version),
        "mkldnn available": yes_no(tb.mkldnn_available),
        "CPU capability": or_dash(tb.cpu_capability),
        "OpenMP runtime": or_dash(tb.openmp_runtime),
        "CUDA available": yes_no(tb.cuda_available),
    }, {k: v for k, v in tb.unknown.items() if k != "cuda_available" or tb.cuda_available is None}))

    env_rows = {name: value for name, value in rt.env.items() if value is not None}
    env_rows["allocators on disk"] = ", ".join(f"{a.name} ({a.path})" for a in rt.allocators) or "none found"
    env_rows["allocator preloaded"] = or_dash(rt.preloaded_allocator)
    env_rows["numactl"] = or_dash(rt.numactl)
    env_rows["taskset"] = or_dash(rt.taskset)
    if rt.cpu_governor is not None:
        env_rows["CPU governor"] = rt.cpu_governor
    out.append(_kv("Environment", env_rows, rt.unknown))

    if facts.roofline is not None:
        rf = facts.roofline
        out.append(_kv(f"Measured ceilings ({rf.seconds:.1f} s)", {
            f"fp32 GEMM {rf.matrix_size}², 1 thread": f"{rf.gemm_fp32_gflops_1_thread:.1f} GFLOP/s",
            f"fp32 GEMM {rf.matrix_size}², {rf.threads_all} threads": f"{rf.gemm_fp32_gflops_all:.1f} GFLOP/s",
            f"bf16 GEMM {rf.matrix_size}², {rf.threads_all} threads": (
                "-" if rf.gemm_bf16_gflops_all is None else f"{rf.gemm_bf16_gflops_all:.1f} GFLOP/s"),
            "memory copy bandwidth": f"{rf.copy_bandwidth_gbs:.1f} GB/s",
        }, rf.unknown))
    return out
