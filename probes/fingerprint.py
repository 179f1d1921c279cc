"""A short, stable hash of what changes training speed on this machine.

Two machines with the same fingerprint should give the same advice; a config
tuned under one fingerprint is flagged when used under another.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Dict, Optional

from .cpu import CpuFacts
from .isa import IsaFacts
from .limits import LimitFacts
from .torch_build import TorchFacts

__all__ = ["Fingerprint", "hardware_identity", "make_fingerprint"]

_GIB = 1 << 30


@dataclass(frozen=True)
class Fingerprint:
    value: str  # 12 hex digits
    inputs: Dict[str, object]  # exactly what was hashed


def hardware_identity(cpu: CpuFacts, isa: IsaFacts) -> Dict[str, object]:
    """The processor's model and the instructions it offers (also a key of the torch facts' cache)."""
    return {"cpu": [cpu.vendor, cpu.model_name, cpu.family, cpu.model, cpu.stepping],
            "isa": sorted(name for name, present in isa.features.items() if present)}


def make_fingerprint(cpu: CpuFacts, isa: IsaFacts, limits: LimitFacts, torch: TorchFacts) -> Fingerprint:
    memory: Optional[int] = limits.usable_memory_bytes
    inputs: Dict[str, object] = {
        **hardware_identity(cpu, isa),
        "usable_cpus": limits.usable_cpus,
        # Rounded so that a few MiB of kernel reservations do not change it.
        "usable_memory_gib": round(memory / _GIB) if memory else None,
        "torch": torch.version,
    }
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    return Fingerprint(digest[:12], inputs)
