"""CPU caches from sysfs (py-cpuinfo misreports L2/L3 on AMD; sysfs does not)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from ._fs import FsRoot, parse_cpu_list

__all__ = ["CacheLevel", "CacheFacts", "probe_caches", "parse_size"]


@dataclass(frozen=True)
class CacheLevel:
    level: int
    type: str  # Data, Instruction, Unified
    size_bytes: int  # one instance
    instances: int  # distinct instances across the online CPUs
    usable_instances: int  # instances that serve at least one usable CPU
    cpus_per_instance: int
    shared_cpu_lists: Tuple[Tuple[int, ...], ...]
    line_size: Optional[int]
    ways: Optional[int]

    @property
    def name(self) -> str:
        suffix = {"Data": "d", "Instruction": "i"}.get(self.type, "")
        return f"L{self.level}{suffix}"

    @property
    def total_bytes(self) -> int:
        return self.size_bytes * self.instances


@dataclass(frozen=True)
class CacheFacts:
    levels: Tuple[CacheLevel, ...]
    unknown: Dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Optional[CacheLevel]:
        return next((lv for lv in self.levels if lv.name == name), None)


def parse_size(text: Optional[str]) -> Optional[int]:
    """sysfs cache sizes: ``48K``, ``2048K``, ``32M``."""
    if not text:
        return None
    text = text.strip().upper()
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1], 1)
    digits = text[:-1] if text[-1] in "KMG" else text
    return int(digits) * scale if digits.isdigit() else None


def probe_caches(fs: FsRoot, online: Optional[Sequence[int]], usable: Sequence[int]) -> CacheFacts:
    cpus = list(online or usable)
    found: Dict[Tuple[int, str], dict] = {}
    for cpu in cpus:
        for index in fs.glob(f"sys/devices/system/cpu/cpu{cpu}/cache", "index[0-9]*"):
            rel = str(index.relative_to(fs.root))
            level, ctype = fs.read_int(f"{rel}/level"), fs.read(f"{rel}/type")
            size = parse_size(fs.read(f"{rel}/size"))
            if level is None or ctype is None or size is None:
                continue
            entry = found.setdefault((level, ctype), {"size": size, "lists": set(),
                                                       "line": fs.read_int(f"{rel}/coherency_line_size"),
                                                       "ways": fs.read_int(f"{rel}/ways_of_associativity")})
            entry["lists"].add(parse_cpu_list(fs.read(f"{rel}/shared_cpu_list")) or (cpu,))
    if not found:
        return CacheFacts((), {"levels": "no sys/devices/system/cpu/cpu*/cache in this tree"})
    keep = set(usable)
    levels: List[CacheLevel] = []
    for (level, ctype), entry in sorted(found.items()):
        lists = tuple(sorted(entry["lists"]))
        levels.append(CacheLevel(
            level=level, type=ctype, size_bytes=entry["size"], instances=len(lists),
            usable_instances=sum(1 for lst in lists if keep & set(lst)),
            cpus_per_instance=max(len(lst) for lst in lists), shared_cpu_lists=lists,
            line_size=entry["line"], ways=entry["ways"]))
    return CacheFacts(tuple(levels))
