"""Instruction-set facts that decide which kernels torch can use.

The flag that matters most for training advice is ``native_bf16``: bf16
autocast on a CPU without avx512_bf16/amx_bf16 (or aarch64 bf16) is emulated
and was measured 28-35x slower than fp32 on an AVX2 EPYC.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional

from ._cpuid import cpuid
from ._cpuinfo import read_cpuinfo
from ._fs import FsRoot

__all__ = ["IsaFacts", "probe_isa", "X86_FEATURES", "ARM_FEATURES"]

X86_FEATURES = (
    "sse4_2", "avx", "avx2", "fma", "f16c",
    "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni", "avx512_bf16", "avx512_fp16",
    "avx_vnni", "amx_tile", "amx_bf16", "amx_int8",
)
ARM_FEATURES = ("asimd", "sve", "sve2", "bf16", "i8mm")

_AMX_FP16_BIT = 21  # CPUID.(EAX=7,ECX=1):EAX[21]


@dataclass(frozen=True)
class IsaFacts:
    """Which SIMD/matrix extensions this CPU exposes.

    ``features`` maps each name in X86_FEATURES or ARM_FEATURES (by the
    architecture) to whether /proc/cpuinfo lists it. ``amx_fp16`` comes from
    CPUID because /proc/cpuinfo may not name it.
    """

    features: Dict[str, bool]
    amx_fp16: Optional[bool]
    avx512: bool
    amx: bool
    native_bf16: bool
    best_vector_isa: Optional[str]
    unknown: Dict[str, str] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return bool(self.features.get(name))


def _amx_fp16(fs: FsRoot, amx_tile: bool) -> "tuple[Optional[bool], Optional[str]]":
    if not fs.live:
        return None, "CPUID is only read on the live machine"
    top = cpuid(0)
    if top is None:
        return None, "CPUID not available here (needs x86-64 Linux)"
    if top[0] < 7 or cpuid(7, 0)[0] < 1:  # type: ignore[index]
        return False, None
    eax = cpuid(7, 1)[0]  # type: ignore[index]
    # The instruction exists only if the kernel also enabled AMX tile state.
    return bool(eax >> _AMX_FP16_BIT & 1) and amx_tile, None


def _best(features: Dict[str, bool]) -> Optional[str]:
    order = [("amx_tile", "AMX"), ("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX"),
             ("sse4_2", "SSE4.2"), ("sve", "SVE"), ("asimd", "NEON")]
    for flag, name in order:
        if features.get(flag):
            return name
    return None


def probe_isa(fs: FsRoot) -> IsaFacts:
    unknown: Dict[str, str] = {}
    blocks = read_cpuinfo(fs)
    if not blocks:
        unknown["features"] = "no /proc/cpuinfo"
        unknown["amx_fp16"] = "no /proc/cpuinfo"
        return IsaFacts({}, None, False, False, False, None, unknown)
    first = blocks[0]
    if "flags" in first:
        present = set(first["flags"].split())
        features = {name: name in present for name in X86_FEATURES}
        amx_fp16, why = _amx_fp16(fs, features["amx_tile"])
        if why:
            unknown["amx_fp16"] = why
    else:
        present = set(first.get("Features", "").split())
        features = {name: name in present for name in ARM_FEATURES}
        amx_fp16 = None
        unknown["amx_fp16"] = "not an x86 CPU"
    native_bf16 = bool(features.get("avx512_bf16") or features.get("amx_bf16") or features.get("bf16"))
    return IsaFacts(
        features=features,
        amx_fp16=amx_fp16,
        avx512=bool(features.get("avx512f")),
        amx=bool(features.get("amx_tile")),
        native_bf16=native_bf16,
        best_vector_isa=_best(features),
        unknown=unknown,
    )
