"""Hardware facts: what this machine (or a recorded machine tree) offers.

Pure reads under a root path; no AllenNLP, no CLI, no printing. torch is
imported lazily, only for the torch-build section and ``measure``.
"""
from ._fs import FsRoot, format_cpu_list, parse_cpu_list
from .cache import CacheFacts, CacheLevel
from .cpu import CpuFacts
from .fingerprint import Fingerprint
from .isa import IsaFacts
from .limits import LimitFacts
from .machine import SCHEMA_VERSION, MachineFacts, probe_machine
from .memory import MemoryFacts
from .roofline import Roofline
from .runtime import AllocatorLib, RuntimeFacts
from .serialize import from_jsonable, to_json, to_jsonable
from .topology import HybridCores, NumaNode, TopologyFacts
from .torch_build import TorchFacts

__all__ = [
    "AllocatorLib", "CacheFacts", "CacheLevel", "CpuFacts", "Fingerprint", "FsRoot", "HybridCores",
    "IsaFacts", "LimitFacts", "MachineFacts", "MemoryFacts", "NumaNode", "Roofline", "RuntimeFacts",
    "SCHEMA_VERSION", "TopologyFacts", "TorchFacts", "format_cpu_list", "parse_cpu_list",
    "from_jsonable", "probe_machine", "to_json", "to_jsonable",
]
