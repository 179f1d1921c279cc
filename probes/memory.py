"""Memory: total, available, swap and the transparent-huge-pages mode."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Optional

from ._fs import FsRoot

__all__ = ["MemoryFacts", "probe_memory", "read_meminfo", "total_memory_bytes"]


@dataclass(frozen=True)
class MemoryFacts:
    total_bytes: Optional[int]
    available_bytes: Optional[int]
    swap_total_bytes: Optional[int]
    swap_free_bytes: Optional[int]
    transparent_hugepages: Optional[str]  # always / madvise / never
    unknown: Dict[str, str] = field(default_factory=dict)


def read_meminfo(fs: FsRoot) -> Dict[str, int]:
    """/proc/meminfo (or a node's meminfo) as bytes by key."""
    values: Dict[str, int] = {}
    for line in (fs.read("proc/meminfo") or "").splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            values[key.strip()] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return values


def _psutil_memory():
    try:
        import psutil

        return psutil.virtual_memory(), psutil.swap_memory()
    except (ImportError, OSError, RuntimeError):
        return None


def total_memory_bytes(fs: FsRoot) -> Optional[int]:
    total = read_meminfo(fs).get("MemTotal")
    if total is None and fs.live and (mem := _psutil_memory()):
        total = int(mem[0].total)
    return total


def probe_memory(fs: FsRoot) -> MemoryFacts:
    unknown: Dict[str, str] = {}
    info = read_meminfo(fs)
    total, avail = info.get("MemTotal"), info.get("MemAvailable")
    swap_total, swap_free = info.get("SwapTotal"), info.get("SwapFree")
    if not info and fs.live and (mem := _psutil_memory()):
        vm, sm = mem
        total, avail, swap_total, swap_free = int(vm.total), int(vm.available), int(sm.total), int(sm.free)
    for name, value in (("total_bytes", total), ("available_bytes", avail),
                        ("swap_total_bytes", swap_total), ("swap_free_bytes", swap_free)):
        if value is None:
            unknown[name] = "not in /proc/meminfo"
    thp_text = fs.read("sys/kernel/mm/transparent_hugepage/enabled")
    thp = None
    if thp_text and (m := re.search(r"\[(\w+)\]", thp_text)):
        thp = m.group(1)
    else:
        unknown["transparent_hugepages"] = "sys/kernel/mm/transparent_hugepage/enabled not readable"
    return MemoryFacts(total, avail, swap_total, swap_free, thp, unknown)
