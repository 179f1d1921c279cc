"""/proc/cpuinfo parsing shared by the cpu, isa and topology probes."""
from __future__ import annotations

from typing import Dict, List, Optional

from ._fs import FsRoot

__all__ = ["read_cpuinfo"]


def read_cpuinfo(fs: FsRoot) -> Optional[List[Dict[str, str]]]:
    """One dict per ``processor`` block (plus trailing machine-wide blocks on arm)."""
    text = fs.read("proc/cpuinfo")
    if text is None:
        return None
    blocks: List[Dict[str, str]] = []
    current: Dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
                current = {}
            continue
        key, sep, value = line.partition(":")
        if sep:
            current[key.strip()] = value.strip()
    if current:
        blocks.append(current)
    return blocks
