"""Reading procfs/sysfs/cgroup files under a root directory.

Every probe reads through a :class:`FsRoot` so that the same code runs on the
live machine (root ``/``) and on a recorded machine tree in the tests.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, List, Optional, Tuple

__all__ = ["FsRoot", "parse_cpu_list", "format_cpu_list"]


class FsRoot:
    """A filesystem root that probes read from.

    Args:
        root: directory that stands for ``/`` (a recorded machine tree in tests).
        live: whether the root is the running machine, so that process-level
            calls (``sched_getaffinity``, ``os.environ``, ``torch``) describe it.
            Defaults to ``root == "/"``.
    """

    def __init__(self, root: "str | os.PathLike[str]" = "/", live: Optional[bool] = None) -> None:
        self.root = Path(root)
        self.live = (self.root.resolve() == Path("/").resolve()) if live is None else live

    def path(self, rel: str) -> Path:
        return self.root / rel.lstrip("/")

    def exists(self, rel: str) -> bool:
        return self.path(rel).exists()

    def read(self, rel: str) -> Optional[str]:
        """The file's text without surrounding whitespace, or None if unreadable."""
        try:
            return self.path(rel).read_text(errors="replace").strip()
        except (OSError, ValueError):
            return None

    def read_int(self, rel: str) -> Optional[int]:
        text = self.read(rel)
        try:
            return int(text) if text is not None else None
        except ValueError:
            return None

    def glob(self, rel_dir: str, pattern: str) -> List[Path]:
        base = self.path(rel_dir)
        try:
            return sorted(base.glob(pattern))
        except OSError:
            return []

    def __repr__(self) -> str:
        return f"FsRoot({str(self.root)!r}, live={self.live})"


def parse_cpu_list(text: Optional[str]) -> Optional[Tuple[int, ...]]:
    """Parse the kernel's CPU list format (``0-3,8,10-11``) into sorted ids.

    Returns None for None or malformed text, ``()`` for an empty list.
    """
    if text is None:
        return None
    cpus = set()
    try:
        for part in text.replace("\n", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if "-" in part:
                lo, hi = part.split("-", 1)
                cpus.update(range(int(lo), int(hi) + 1))
            else:
                cpus.add(int(part))
    except ValueError:
        return None
    return tuple(sorted(cpus))


def format_cpu_list(cpus: Iterable[int]) -> str:
    """Inverse of :func:`parse_cpu_list`: ``(0, 1, 2, 3, 8)`` -> ``"0-3,8"``."""
    ids = sorted(set(cpus))
    runs: List[str] = []
    start = prev = None
    for cpu in ids + [None]:  # type: ignore[operator]
        if start is None:
            start = prev = cpu
        elif cpu is not None and cpu == prev + 1:
            prev = cpu
        else:
            runs.append(str(start) if start == prev else f"{start}-{prev}")
            start = prev = cpu
    return ",".join(runs)
