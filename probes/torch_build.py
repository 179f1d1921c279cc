"""The torch build: version, parallel backend, default threads, MKL, oneDNN.

torch is imported here only, and only when this probe runs. Works on torch
1.12 (which AllenNLP 2.10.1 pins): it lacks torch.backends.cpu and the
torch.cpu._is_* helpers, so everything is parsed from torch.__config__.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Dict, Mapping, Optional

from . import torch_cache
from ._fs import FsRoot

__all__ = ["TorchFacts", "probe_torch", "parse_build_config"]


@dataclass(frozen=True)
class TorchFacts:
    source: str  # "live", "cached" (a live probe's facts kept under the same key, .torch_cache) or "recorded"
    version: Optional[str]
    parallel_backend: Optional[str]
    intra_op_threads: Optional[int]
    inter_op_threads: Optional[int]
    mkl_version: Optional[str]
    onednn_version: Optional[str]
    mkldnn_available: Optional[bool]
    openmp: Optional[str]
    cpu_capability: Optional[str]
    cuda_available: Optional[bool]
    cuda_device_count: Optional[int]
    openmp_runtime: Optional[str] = None  # gnu (libgomp), intel (libiomp5) or llvm (libomp)
    unknown: Dict[str, str] = field(default_factory=dict)


def _search(pattern: str, text: str) -> Optional[str]:
    m = re.search(pattern, text)
    return m.group(1).strip() if m else None


def parse_build_config(show: str, parallel: str) -> Dict[str, object]:
    """Facts from ``torch.__config__.show()`` and ``parallel_info()`` text."""
    intra = _search(r"at::get_num_threads\(\)\s*:\s*(\d+)", parallel)
    inter = _search(r"at::get_num_interop_threads\(\)\s*:\s*(\d+)", parallel)
    return {
        "parallel_backend": _search(r"ATen parallel backend:\s*(.+)", parallel),
        "intra_op_threads": int(intra) if intra else None,
        "inter_op_threads": int(inter) if inter else None,
        "mkl_version": _search(r"Math Kernel Library Version\s+([\w.]+)", show),
        "onednn_version": _search(r"MKL-DNN v([\d.]+)", show) or _search(r"oneDNN v([\d.]+)", show),
        "openmp": _search(r"OpenMP (\d+)", show),
        "cpu_capability": _search(r"CPU capability usage:\s*(\S+)", show),
    }


_OPENMP_LIBS = (("libiomp5", "intel"), ("libgomp", "gnu"), ("libomp", "llvm"))


def _openmp_runtime() -> Optional[str]:
    """Which OpenMP library torch loaded: KMP_* variables work only with Intel's."""
    try:
        with open("/proc/self/maps") as maps:
            text = maps.read()
    except OSError:
        return None
    for lib, name in _OPENMP_LIBS:
        if f"/{lib}" in text:
            return name
    return None


def _live() -> TorchFacts:
    try:
        import torch
    except ImportError as exc:  # the probe sheet still works without torch
        reason = f"torch not importable: {exc}"
        return TorchFacts("live", None, None, None, None, None, None, None, None, None, None, None, None,
                          {"version": reason})
    parsed = parse_build_config(torch.__config__.show(), torch.__config__.parallel_info())
    cuda = torch.cuda.is_available()
    return TorchFacts(
        source="live",
        version=torch.__version__,
        mkldnn_available=bool(torch.backends.mkldnn.is_available()),
        cuda_available=cuda,
        cuda_device_count=torch.cuda.device_count() if cuda else 0,
        openmp_runtime=_openmp_runtime(),
        **parsed,  # type: ignore[arg-type]
        unknown={k: "not in torch.__config__" for k, v in parsed.items() if v is None},
    )


def _recorded(fs: FsRoot) -> TorchFacts:
    text = fs.read("_meta/python.json")
    meta = {}
    try:
        meta = json.loads(text) if text else {}
    except ValueError:
        pass
    if not meta.get("torch"):
        reason = "recorded tree has no _meta/python.json with torch facts"
        return TorchFacts("recorded", None, None, None, None, None, None, None, None, None, None, None, None,
                          {"version": reason})
    parsed = parse_build_config(meta.get("config", ""), meta.get("parallel", ""))
    unknown = {k: "not in the recorded torch config" for k, v in parsed.items() if v is None}
    unknown["cuda_available"] = "not recorded"
    unknown["openmp_runtime"] = "not recorded"
    return TorchFacts(
        source="recorded",
        version=meta["torch"],
        mkldnn_available=meta.get("mkldnn"),
        cuda_available=None,
        cuda_device_count=None,
        **parsed,  # type: ignore[arg-type]
        unknown=unknown,
    )


def _from_cache(data: Dict[str, object]) -> Optional[TorchFacts]:
    names = {f.name for f in fields(TorchFacts)}
    if set(data) != names or not data.get("version"):
        return None  # written by another version of these facts: probe again
    try:
        return replace(TorchFacts(**data), source="cached")  # type: ignore[arg-type]
    except TypeError:
        return None


def probe_torch(fs: FsRoot, machine: Mapping[str, object]) -> TorchFacts:
    """The torch build's facts: recorded ones for a recorded tree; else live, or from the cache
    (.torch_cache) where torch is not imported yet and a live probe under the same key was kept.
    ``machine``: the probed facts the torch facts depend on (the CPU, its affinity), for the key."""
    if not fs.live:
        return _recorded(fs)
    key = torch_cache.cache_key(machine)
    if key is not None and "torch" not in sys.modules:  # once imported, the live probe costs nothing
        data = torch_cache.load(key)
        cached = _from_cache(data) if data is not None else None
        if cached is not None:
            return cached
    facts = _live()
    if key is not None and facts.version:
        torch_cache.store(key, asdict(facts))
    return facts
