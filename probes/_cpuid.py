"""Execute the x86 CPUID instruction from Python (no compiler, no extension).

/proc/cpuinfo omits some features the kernel does not name yet (AMX-FP16 on
older kernels). On x86-64 Linux we map a 27-byte function into executable
memory and call it through ctypes. Anything unusual (other arch, W^X policy)
returns None and the caller records why.
"""
from __future__ import annotations

import ctypes
import mmap
import platform
import sys
from typing import Optional, Tuple

__all__ = ["cpuid"]

# void cpuid(uint32 leaf /*edi*/, uint32 subleaf /*esi*/, uint32 out[4] /*rdx*/)
_CODE = bytes.fromhex(
    "53"          # push rbx            (callee-saved, cpuid clobbers it)
    "4989d0"      # mov  r8, rdx        (cpuid overwrites rdx)
    "89f8"        # mov  eax, edi
    "89f1"        # mov  ecx, esi
    "0fa2"        # cpuid
    "418900"      # mov  [r8], eax
    "41895804"    # mov  [r8+4], ebx
    "41894808"    # mov  [r8+8], ecx
    "4189500c"    # mov  [r8+12], edx
    "5b"          # pop  rbx
    "c3"          # ret
)

_Out = ctypes.c_uint32 * 4
_func = None
_keep = None  # the mapping must outlive the function pointer


def _load():
    global _func, _keep
    if _func is None:
        buf = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        buf.write(_CODE)
        addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
        proto = ctypes.CFUNCTYPE(None, ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(_Out))
        _func, _keep = proto(addr), buf
    return _func


def cpuid(leaf: int, subleaf: int = 0) -> Optional[Tuple[int, int, int, int]]:
    """(eax, ebx, ecx, edx) of CPUID(leaf, subleaf), or None where it cannot run."""
    if not sys.platform.startswith("linux") or platform.machine() not in ("x86_64", "AMD64"):
        return None
    try:
        out = _Out()
        _load()(leaf, subleaf, ctypes.byref(out))
        return tuple(out)  # type: ignore[return-value]
    except (OSError, ValueError, AttributeError, TypeError):
        return None
