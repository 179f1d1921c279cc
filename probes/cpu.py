"""CPU identity: vendor, model name, family/model/stepping, architecture."""
from __future__ import annotations

import platform
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from ._cpuinfo import read_cpuinfo
from ._fs import FsRoot

__all__ = ["CpuFacts", "probe_cpu"]

# aarch64 /proc/cpuinfo gives an implementer code instead of a vendor string.
_ARM_IMPLEMENTERS = {
    "0x41": "ARM", "0x42": "Broadcom", "0x43": "Cavium", "0x46": "Fujitsu",
    "0x48": "HiSilicon", "0x4e": "NVIDIA", "0x51": "Qualcomm", "0x61": "Apple",
    "0xc0": "Ampere",
}


@dataclass(frozen=True)
class CpuFacts:
    architecture: Optional[str]
    vendor: Optional[str]
    model_name: Optional[str]
    family: Optional[int]
    model: Optional[int]
    stepping: Optional[int]
    unknown: Dict[str, str] = field(default_factory=dict)


def _int(value: Optional[str]) -> Optional[int]:
    if value is None:
        return None
    try:
        return int(value, 0)
    except ValueError:
        return None


def _architecture(fs: FsRoot, first: Dict[str, str]) -> Optional[str]:
    if fs.live:
        return platform.machine() or None
    uname = fs.read("_meta/uname.txt")  # recorded trees keep `uname -a`
    if uname:
        for arch in ("x86_64", "aarch64", "arm64", "ppc64le", "s390x", "riscv64"):
            if arch in uname.split():
                return arch
    if "flags" in first:
        return "x86_64" if " lm " in f" {first['flags']} " else "x86"
    if "Features" in first or "CPU implementer" in first:
        return "aarch64"
    return None


def probe_cpu(fs: FsRoot) -> CpuFacts:
    unknown: Dict[str, str] = {}
    blocks: Optional[List[Dict[str, str]]] = read_cpuinfo(fs)
    if not blocks:
        reason = "no /proc/cpuinfo"
        if fs.live and platform.system() != "Linux":
            reason += f" on {platform.system()}"
        arch = (platform.machine() or None) if fs.live else None
        vendor = (platform.processor() or None) if fs.live else None
        for name in ("vendor", "model_name", "family", "model", "stepping"):
            unknown[name] = reason
        if arch is None:
            unknown["architecture"] = reason
        return CpuFacts(arch, vendor, None, None, None, None, unknown)

    first = blocks[0]
    arch = _architecture(fs, first)
    if "vendor_id" in first:  # x86
        vendor = first.get("vendor_id")
        model_name = first.get("model name")
        family, model, stepping = (_int(first.get(k)) for k in ("cpu family", "model", "stepping"))
    else:  # aarch64 and others
        impl = first.get("CPU implementer")
        vendor = _ARM_IMPLEMENTERS.get((impl or "").lower(), impl)
        model_name = first.get("model name") or first.get("Hardware") or first.get("cpu model")
        family = _int(first.get("CPU architecture"))
        model = _int(first.get("CPU part"))
        stepping = _int(first.get("CPU revision"))
    facts = {"architecture": arch, "vendor": vendor, "model_name": model_name,
             "family": family, "model": model, "stepping": stepping}
    for name, value in facts.items():
        if value is None:
            unknown[name] = "not in /proc/cpuinfo"
    return CpuFacts(arch, vendor, model_name, family, model, stepping, unknown)
