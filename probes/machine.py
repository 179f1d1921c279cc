"""The whole probe sheet: :class:`MachineFacts` and :func:`probe_machine`."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from ._fs import FsRoot
from .cache import CacheFacts, probe_caches
from .cpu import CpuFacts, probe_cpu
from .fingerprint import Fingerprint, hardware_identity, make_fingerprint
from .isa import IsaFacts, probe_isa
from .limits import LimitFacts, probe_limits
from .memory import MemoryFacts, probe_memory
from .roofline import Roofline, measure_roofline
from .runtime import RuntimeFacts, probe_runtime
from .topology import TopologyFacts, probe_topology
from .torch_build import TorchFacts, probe_torch

__all__ = ["MachineFacts", "probe_machine", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class MachineFacts:
    schema_version: str
    root: str
    live: bool
    cpu: CpuFacts
    topology: TopologyFacts
    caches: CacheFacts
    memory: MemoryFacts
    isa: IsaFacts
    limits: LimitFacts
    torch: TorchFacts
    runtime: RuntimeFacts
    fingerprint: Fingerprint
    roofline: Optional[Roofline] = None


def probe_machine(root: "str | os.PathLike[str]" = "/", *, measure: bool = False,
                  with_torch: bool = True) -> MachineFacts:
    """Probe the machine (or a recorded machine tree) into one typed sheet.

    Args:
        root: filesystem root to read; ``/`` is this machine.
        measure: also run the few-second roofline measurement (live only).
        with_torch: import torch for the torch-build facts.

    Example:
        >>> facts = probe_machine()
        >>> facts.limits.usable_cpus >= 1
        True
    """
    fs = FsRoot(root)
    cpu = probe_cpu(fs)
    isa = probe_isa(fs)
    limits = probe_limits(fs)
    topology = probe_topology(fs, limits.allowed_cpus)
    caches = probe_caches(fs, topology.online_cpus, topology.usable_cpus)
    if with_torch:
        # The torch facts' cache key: what the thread defaults and the CPU capability follow.
        torch = probe_torch(fs, {**hardware_identity(cpu, isa), "affinity": limits.affinity_cpus})
    else:
        torch = TorchFacts("skipped", *([None] * 12), {"version": "torch facts not requested"})  # type: ignore[arg-type]
    roofline = None
    if measure and fs.live and torch.version:
        roofline = measure_roofline(limits.usable_cpus, isa.native_bf16)
    return MachineFacts(
        schema_version=SCHEMA_VERSION,
        root=str(fs.root),
        live=fs.live,
        cpu=cpu,
        topology=topology,
        caches=caches,
        memory=probe_memory(fs),
        isa=isa,
        limits=limits,
        torch=torch,
        runtime=probe_runtime(fs),
        fingerprint=make_fingerprint(cpu, isa, limits, torch),
        roofline=roofline,
    )
