"""Runtime environment: thread/affinity variables, allocators, launch tools."""
from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

from ._fs import FsRoot

__all__ = ["AllocatorLib", "RuntimeFacts", "probe_runtime", "ENV_VARS"]

ENV_VARS = (
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "KMP_AFFINITY", "KMP_BLOCKTIME", "OMP_PROC_BIND",
    "OMP_PLACES", "LD_PRELOAD", "MALLOC_CONF", "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA",
    "ATEN_CPU_CAPABILITY", "CUDA_VISIBLE_DEVICES",
)
_LIB_DIRS = (
    "usr/lib/x86_64-linux-gnu", "usr/lib/aarch64-linux-gnu", "lib/x86_64-linux-gnu",
    "lib/aarch64-linux-gnu", "usr/lib64", "usr/lib", "usr/local/lib", "lib64", "lib",
)
_BIN_DIRS = ("usr/bin", "bin", "usr/local/bin", "usr/sbin", "sbin")
_ALLOCATORS = (("jemalloc", "libjemalloc.so*"), ("tcmalloc", "libtcmalloc.so*"),
               ("tcmalloc", "libtcmalloc_minimal.so*"))


@dataclass(frozen=True)
class AllocatorLib:
    name: str  # jemalloc or tcmalloc
    path: str


@dataclass(frozen=True)
class RuntimeFacts:
    env: Dict[str, Optional[str]]
    allocators: Tuple[AllocatorLib, ...]
    preloaded_allocator: Optional[str]
    numactl: Optional[str]
    taskset: Optional[str]
    cpu_governor: Optional[str]
    unknown: Dict[str, str] = field(default_factory=dict)


def _lib_dirs(fs: FsRoot, environ: Mapping[str, str]) -> List[str]:
    dirs = [str(fs.path(d)) for d in _LIB_DIRS]
    if fs.live:  # conda and venv installs keep their own copies
        for prefix in (sys.prefix, environ.get("CONDA_PREFIX")):
            if prefix:
                dirs.append(os.path.join(prefix, "lib"))
    return dirs


def _find_allocators(fs: FsRoot, environ: Mapping[str, str]) -> Tuple[AllocatorLib, ...]:
    found: List[AllocatorLib] = []
    seen = set()
    for directory in _lib_dirs(fs, environ):
        base = FsRoot(directory, live=False)
        for name, pattern in _ALLOCATORS:
            for path in base.glob(".", pattern):
                real = os.path.realpath(path)
                if real not in seen and os.path.isfile(real):
                    seen.add(real)
                    shown = str(path) if fs.live else "/" + str(path.relative_to(fs.root))
                    found.append(AllocatorLib(name, shown))
    return tuple(found)


def _which(fs: FsRoot, tool: str, environ: Mapping[str, str]) -> Optional[str]:
    if fs.live:
        return shutil.which(tool, path=environ.get("PATH"))
    for directory in _BIN_DIRS:
        if fs.path(f"{directory}/{tool}").is_file():
            return f"/{directory}/{tool}"
    return None


def probe_runtime(fs: FsRoot, environ: Optional[Mapping[str, str]] = None) -> RuntimeFacts:
    unknown: Dict[str, str] = {}
    if environ is None:
        environ = os.environ if fs.live else {}
        if not fs.live:
            unknown["env"] = "environment variables are not part of a recorded tree"
    env = {name: environ.get(name) for name in ENV_VARS}
    preload = env.get("LD_PRELOAD") or ""
    preloaded = next((n for n in ("jemalloc", "tcmalloc") if n in preload), None)
    governor = fs.read("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
    if governor is None:
        unknown["cpu_governor"] = "no cpufreq in sysfs (common in VMs)"
    return RuntimeFacts(
        env=env,
        allocators=_find_allocators(fs, environ),
        preloaded_allocator=preloaded,
        numactl=_which(fs, "numactl", environ),
        taskset=_which(fs, "taskset", environ),
        cpu_governor=governor,
        unknown=unknown,
    )
