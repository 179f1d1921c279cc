"""CPU topology among the CPUs this process may use.

Counts are taken over ``LimitFacts.allowed_cpus`` (online ∩ affinity ∩
cpuset), not the whole machine: a process pinned to 4 of 16 CPUs has 4.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from ._cpuinfo import read_cpuinfo
from ._fs import FsRoot, parse_cpu_list
from .limits import online_cpus

__all__ = ["NumaNode", "HybridCores", "TopologyFacts", "probe_topology"]


@dataclass(frozen=True)
class NumaNode:
    id: int
    cpus: Tuple[int, ...]
    usable_cpus: Tuple[int, ...]
    memory_bytes: Optional[int]
    distances: Tuple[int, ...]


@dataclass(frozen=True)
class HybridCores:
    """Performance and efficiency CPUs (Intel hybrid or arm big.LITTLE)."""

    performance_cpus: Tuple[int, ...]
    efficiency_cpus: Tuple[int, ...]
    source: str


@dataclass(frozen=True)
class TopologyFacts:
    online_cpus: Optional[Tuple[int, ...]]
    usable_cpus: Tuple[int, ...]
    logical_online: Optional[int]
    logical_usable: int
    physical_cores: Optional[int]  # distinct cores among usable CPUs
    threads_per_core: Optional[int]
    core_groups: Tuple[Tuple[int, ...], ...]  # usable CPUs sharing one core
    sockets: Optional[int]
    smt_active: Optional[bool]
    numa_nodes: Tuple[NumaNode, ...]
    hybrid: Optional[HybridCores]
    unknown: Dict[str, str] = field(default_factory=dict)


def _core_groups_sysfs(fs: FsRoot, cpus: Sequence[int]) -> Tuple[Optional[List[Tuple[int, ...]]], Optional[List[int]]]:
    groups: Dict[Tuple[int, ...], List[int]] = {}
    packages: List[int] = []
    for cpu in cpus:
        base = f"sys/devices/system/cpu/cpu{cpu}/topology"
        siblings = parse_cpu_list(fs.read(f"{base}/core_cpus_list") or fs.read(f"{base}/thread_siblings_list"))
        if siblings is None:
            return None, None
        groups.setdefault(siblings, []).append(cpu)
        package = fs.read_int(f"{base}/physical_package_id")
        if package is not None:
            packages.append(package)
    return [tuple(v) for v in groups.values()], (packages if len(packages) == len(cpus) else None)


def _core_groups_cpuinfo(fs: FsRoot, cpus: Sequence[int]) -> Tuple[Optional[List[Tuple[int, ...]]], Optional[List[int]]]:
    blocks = read_cpuinfo(fs) or []
    groups: Dict[Tuple[str, str], List[int]] = {}
    packages: Dict[int, int] = {}
    wanted = set(cpus)
    for block in blocks:
        if "processor" not in block or "core id" not in block:
            continue
        cpu = int(block["processor"])
        if cpu in wanted:
            key = (block.get("physical id", "0"), block["core id"])
            groups.setdefault(key, []).append(cpu)
            packages[cpu] = int(key[0])
    if not groups:
        return None, None
    return [tuple(v) for v in groups.values()], list(packages.values())


def _numa_nodes(fs: FsRoot, usable: Sequence[int]) -> List[NumaNode]:
    nodes = []
    for node_dir in fs.glob("sys/devices/system/node", "node[0-9]*"):
        node_id = int(node_dir.name[4:])
        rel = f"sys/devices/system/node/{node_dir.name}"
        cpus = parse_cpu_list(fs.read(f"{rel}/cpulist")) or ()
        memory = None
        meminfo = fs.read(f"{rel}/meminfo") or ""
        m = re.search(r"MemTotal:\s+(\d+)\s*kB", meminfo)
        if m:
            memory = int(m.group(1)) * 1024
        distances = tuple(int(x) for x in (fs.read(f"{rel}/distance") or "").split() if x.isdigit())
        nodes.append(NumaNode(node_id, cpus, tuple(c for c in cpus if c in set(usable)), memory, distances))
    return sorted(nodes, key=lambda n: n.id)


def _hybrid(fs: FsRoot, usable: Sequence[int]) -> Optional[HybridCores]:
    keep = set(usable)
    p_cores = parse_cpu_list(fs.read("sys/devices/cpu_core/cpus"))
    e_cores = parse_cpu_list(fs.read("sys/devices/cpu_atom/cpus"))
    if p_cores and e_cores:
        return HybridCores(tuple(c for c in p_cores if c in keep), tuple(c for c in e_cores if c in keep),
                           "sys/devices/cpu_core, cpu_atom")
    capacity = {cpu: fs.read_int(f"sys/devices/system/cpu/cpu{cpu}/cpu_capacity") for cpu in usable}
    known = {cpu: cap for cpu, cap in capacity.items() if cap is not None}
    if len(set(known.values())) > 1:
        top = max(known.values())
        return HybridCores(tuple(c for c, v in known.items() if v == top),
                           tuple(c for c, v in known.items() if v != top), "cpu_capacity")
    return None


def probe_topology(fs: FsRoot, allowed_cpus: Sequence[int]) -> TopologyFacts:
    unknown: Dict[str, str] = {}
    online = online_cpus(fs)
    if online is None:
        unknown["online_cpus"] = "sys/devices/system/cpu/online not readable"
    usable = tuple(sorted(allowed_cpus))

    groups, packages = _core_groups_sysfs(fs, usable)
    if groups is None:
        groups, packages = _core_groups_cpuinfo(fs, usable)
    groups = groups or None  # no usable CPUs known: nothing to count
    physical = threads = None
    if groups is None and fs.live and not online:
        physical, threads, groups = _psutil_cores(unknown)
    elif groups is None:
        unknown["physical_cores"] = "no topology in sysfs or /proc/cpuinfo"
    else:
        physical = len(groups)
        threads = max(len(g) for g in groups)
    sockets = len(set(packages)) if packages else None
    if sockets is None:
        unknown["sockets"] = "no physical_package_id in sysfs or physical id in /proc/cpuinfo"

    smt_text = fs.read("sys/devices/system/cpu/smt/active")
    smt_active = None if smt_text is None else smt_text == "1"
    if smt_active is None and threads is not None:
        smt_active = threads > 1
    numa = _numa_nodes(fs, usable)
    if not numa:
        unknown["numa_nodes"] = "no sys/devices/system/node"
    return TopologyFacts(
        online_cpus=online,
        usable_cpus=usable,
        logical_online=len(online) if online else None,
        logical_usable=len(usable),
        physical_cores=physical,
        threads_per_core=threads,
        core_groups=tuple(sorted(groups or [])),
        sockets=sockets,
        smt_active=smt_active,
        numa_nodes=tuple(numa),
        hybrid=_hybrid(fs, usable),
        unknown=unknown,
    )


def _psutil_cores(unknown: Dict[str, str]):
    """macOS/Windows: counts only, from psutil."""
    try:
        import psutil

        logical = psutil.cpu_count() or 1
        physical = psutil.cpu_count(logical=False)
    except ImportError:
        unknown["physical_cores"] = "no sysfs and no psutil"
        return None, None, None
    if physical is None:
        unknown["physical_cores"] = "psutil could not count physical cores"
        return None, None, None
    unknown["core_groups"] = "no per-CPU topology on this OS (psutil counts only)"
    return physical, max(1, logical // physical), None
