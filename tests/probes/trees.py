"""Builders for hand-made machine trees in the recorded trees' file formats."""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence

from probes import format_cpu_list

_FLAGS = "fpu sse sse2 ht lm sse4_2 avx avx2 fma f16c"


def cpuinfo(n: int, flags: str = _FLAGS, cores: Optional[Sequence[int]] = None,
            packages: Optional[Sequence[int]] = None) -> str:
    blocks = []
    for cpu in range(n):
        blocks.append("\n".join([
            f"processor\t: {cpu}", "vendor_id\t: GenuineIntel", "cpu family\t: 6", "model\t\t: 85",
            "model name\t: Test CPU", "stepping\t: 7",
            f"physical id\t: {packages[cpu] if packages else 0}",
            f"core id\t\t: {cores[cpu] if cores else cpu}",
            f"flags\t\t: {flags}"]))
    return "\n\n".join(blocks) + "\n"


def topology(core_groups: Iterable[Sequence[int]], packages: Dict[int, int]) -> Dict[str, str]:
    files: Dict[str, str] = {}
    for core_id, group in enumerate(core_groups):
        for cpu in group:
            base = f"sys/devices/system/cpu/cpu{cpu}/topology"
            files[f"{base}/core_cpus_list"] = format_cpu_list(group)
            files[f"{base}/thread_siblings_list"] = format_cpu_list(group)
            files[f"{base}/physical_package_id"] = str(packages[cpu])
            files[f"{base}/core_id"] = str(core_id)
    return files


def meminfo(total_kb: int) -> str:
    return f"MemTotal: {total_kb} kB\nMemFree: {total_kb // 2} kB\nMemAvailable: {total_kb // 2} kB\n" \
           "SwapTotal: 0 kB\nSwapFree: 0 kB\n"


def basic(n: int, *, status_cpus: Optional[List[int]] = None) -> Dict[str, str]:
    """An n-CPU machine, one core per CPU, one socket, one NUMA node."""
    files = {
        "proc/cpuinfo": cpuinfo(n),
        "proc/meminfo": meminfo(16 * 1024 * 1024),
        "proc/self/status": f"Name:\tpython\nCpus_allowed_list:\t{format_cpu_list(status_cpus or range(n))}\n",
        "sys/devices/system/cpu/online": format_cpu_list(range(n)),
        "sys/devices/system/node/node0/cpulist": format_cpu_list(range(n)),
        "sys/devices/system/node/node0/meminfo": "Node 0 MemTotal:       16777216 kB\n",
    }
    files.update(topology([[c] for c in range(n)], {c: 0 for c in range(n)}))
    return files
