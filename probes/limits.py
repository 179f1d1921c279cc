"""Container and scheduler limits: what this process may really use.

``os.cpu_count()`` and torch's default thread count see every online CPU; a
container's CPU quota or cpuset, or a ``taskset``, can leave far fewer.
Threads beyond the usable CPUs only add contention, so every later stage
sizes itself from ``usable_cpus`` and ``usable_memory_bytes``.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from ._fs import FsRoot, parse_cpu_list
from .memory import total_memory_bytes

__all__ = ["LimitFacts", "probe_limits", "online_cpus"]

# cgroup v1 reports "no limit" as a page-rounded LONG_MAX.
_V1_UNLIMITED = 1 << 60


@dataclass(frozen=True)
class LimitFacts:
    cgroup_version: Optional[int]
    cgroup_path: Optional[str]
    affinity_cpus: Optional[Tuple[int, ...]]
    cpuset_cpus: Optional[Tuple[int, ...]]
    cpu_quota: Optional[float]  # in CPUs; None means no quota
    cpu_quota_source: Optional[str]
    memory_limit_bytes: Optional[int]  # None means no limit
    memory_limit_source: Optional[str]
    allowed_cpus: Tuple[int, ...]  # online ∩ affinity ∩ cpuset
    usable_cpus: int  # min(len(allowed_cpus), floor(cpu_quota)), at least 1
    usable_memory_bytes: Optional[int]  # min(MemTotal, memory limit)
    unknown: Dict[str, str] = field(default_factory=dict)


def online_cpus(fs: FsRoot) -> Optional[Tuple[int, ...]]:
    return parse_cpu_list(fs.read("sys/devices/system/cpu/online"))


def _affinity(fs: FsRoot) -> Optional[Tuple[int, ...]]:
    if fs.live and hasattr(os, "sched_getaffinity"):
        return tuple(sorted(os.sched_getaffinity(0)))
    status = fs.read("proc/self/status")
    for line in (status or "").splitlines():
        if line.startswith("Cpus_allowed_list:"):
            return parse_cpu_list(line.split(":", 1)[1])
    if fs.live:
        try:
            import psutil

            return tuple(sorted(psutil.Process().cpu_affinity()))
        except (ImportError, AttributeError, OSError):
            return None
    return None


def _cgroup_lines(fs: FsRoot) -> List[Tuple[str, str, str]]:
    text = fs.read("proc/self/cgroup") or ""
    lines = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            lines.append((parts[0], parts[1], parts[2]))
    return lines


def _ancestors(fs: FsRoot, mount: str, path: str) -> List[str]:
    """Existing cgroup dirs from the process's own up to the mount root.

    Inside a cgroup namespace the recorded path may not exist under the mount;
    then the nearest existing ancestor (often the mount root) is what applies.
    """
    parts = [p for p in path.strip("/").split("/") if p]
    dirs = []
    for depth in range(len(parts), -1, -1):
        rel = "/".join([mount] + parts[:depth])
        if fs.path(rel).is_dir():
            dirs.append(rel)
    return dirs


def _v2(fs: FsRoot, path: str, out: dict) -> None:
    dirs = _ancestors(fs, "sys/fs/cgroup", path)
    for rel in dirs:  # deepest first
        text = fs.read(f"{rel}/cpu.max")
        if text and not text.startswith("max"):
            quota, _, period = text.partition(" ")
            cpus = int(quota) / int(period or 100000)
            if out["cpu_quota"] is None or cpus < out["cpu_quota"]:
                out["cpu_quota"], out["cpu_quota_source"] = cpus, f"/{rel}/cpu.max"
        for name in ("memory.max", "memory.high"):
            text = fs.read(f"{rel}/{name}")
            if text and text.isdigit():
                limit = int(text)
                if out["memory_limit_bytes"] is None or limit < out["memory_limit_bytes"]:
                    out["memory_limit_bytes"], out["memory_limit_source"] = limit, f"/{rel}/{name}"
        if out["cpuset_cpus"] is None:  # effective already folds in the ancestors
            out["cpuset_cpus"] = parse_cpu_list(fs.read(f"{rel}/cpuset.cpus.effective"))


def _v1_mount(fs: FsRoot, controllers: str, wanted: str) -> Optional[str]:
    for name in (controllers, wanted, f"{wanted},cpuacct", f"cpuacct,{wanted}"):
        if name and fs.path(f"sys/fs/cgroup/{name}").is_dir():
            return f"sys/fs/cgroup/{name}"
    return None


def _v1(fs: FsRoot, lines: List[Tuple[str, str, str]], out: dict) -> None:
    for _, controllers, path in lines:
        names = controllers.split(",")
        if "cpu" in names and (mount := _v1_mount(fs, controllers, "cpu")):
            for rel in _ancestors(fs, mount, path):
                quota = fs.read_int(f"{rel}/cpu.cfs_quota_us")
                period = fs.read_int(f"{rel}/cpu.cfs_period_us") or 100000
                if quota is not None and quota > 0:
                    cpus = quota / period
                    if out["cpu_quota"] is None or cpus < out["cpu_quota"]:
                        out["cpu_quota"], out["cpu_quota_source"] = cpus, f"/{rel}/cpu.cfs_quota_us"
        if "memory" in names and (mount := _v1_mount(fs, controllers, "memory")):
            for rel in _ancestors(fs, mount, path):
                limit = fs.read_int(f"{rel}/memory.limit_in_bytes")
                if limit is not None and limit < _V1_UNLIMITED:
                    if out["memory_limit_bytes"] is None or limit < out["memory_limit_bytes"]:
                        out["memory_limit_bytes"] = limit
                        out["memory_limit_source"] = f"/{rel}/memory.limit_in_bytes"
        if "cpuset" in names and (mount := _v1_mount(fs, controllers, "cpuset")):
            for rel in _ancestors(fs, mount, path):
                cpus = parse_cpu_list(fs.read(f"{rel}/cpuset.effective_cpus") or fs.read(f"{rel}/cpuset.cpus"))
                if cpus:
                    out["cpuset_cpus"] = cpus
                    break


def probe_limits(fs: FsRoot) -> LimitFacts:
    unknown: Dict[str, str] = {}
    out: dict = {"cpu_quota": None, "cpu_quota_source": None, "memory_limit_bytes": None,
                 "memory_limit_source": None, "cpuset_cpus": None}
    lines = _cgroup_lines(fs)
    unified = [path for hid, ctl, path in lines if hid == "0" and ctl == ""]
    v1_lines = [line for line in lines if line[1]]
    version: Optional[int] = None
    cgroup_path: Optional[str] = None
    if not lines:
        unknown["cgroup_version"] = "no /proc/self/cgroup (not Linux, or procfs not mounted)"
    elif v1_lines and (_v1_mount(fs, "", "cpu") or _v1_mount(fs, "", "memory")):
        version = 1
        _v1(fs, v1_lines, out)
        cgroup_path = next((p for _, c, p in v1_lines if "cpu" in c.split(",")), v1_lines[0][2])
    elif unified and fs.exists("sys/fs/cgroup/cgroup.controllers"):
        version, cgroup_path = 2, unified[0]
        _v2(fs, cgroup_path, out)
    else:
        unknown["cgroup_version"] = "cgroup filesystem not found under /sys/fs/cgroup"

    online = online_cpus(fs)
    affinity = _affinity(fs)
    if affinity is None:
        unknown["affinity_cpus"] = "no sched_getaffinity and no Cpus_allowed_list in /proc/self/status"
    allowed = set(online or affinity or ())
    if not allowed and fs.live:
        allowed = set(range(os.cpu_count() or 1))
        unknown["allowed_cpus"] = "no CPU lists in sysfs/procfs: os.cpu_count() used"
    elif not allowed:
        unknown["allowed_cpus"] = "no online CPU list and no affinity in this tree"
    for restriction in (affinity, out["cpuset_cpus"]):
        if restriction:
            allowed &= set(restriction)
    usable = len(allowed)
    if out["cpu_quota"] is not None:
        usable = min(usable, math.floor(out["cpu_quota"]))
    usable = max(usable, 1)

    total = total_memory_bytes(fs)
    limit = out["memory_limit_bytes"]
    usable_memory = min(x for x in (total, limit) if x is not None) if (total or limit) else None
    if usable_memory is None:
        unknown["usable_memory_bytes"] = "neither /proc/meminfo nor a cgroup memory limit"
    return LimitFacts(
        cgroup_version=version,
        cgroup_path=cgroup_path,
        affinity_cpus=affinity,
        cpuset_cpus=out["cpuset_cpus"],
        cpu_quota=out["cpu_quota"],
        cpu_quota_source=out["cpu_quota_source"],
        memory_limit_bytes=limit,
        memory_limit_source=out["memory_limit_source"],
        allowed_cpus=tuple(sorted(allowed)),
        usable_cpus=usable,
        usable_memory_bytes=usable_memory,
        unknown=unknown,
    )
