"""The torch build's facts, kept between runs so that a probe need not import torch.

``import torch`` (1.12) took 1.35 s of ``advisor check``'s 2.0-2.4 s on a 2-vCPU AMD EPYC VM
(fingerprint 49afa0f4fac8), and ``check`` runs before every training job. The facts depend on
the installed build, on the CPU and on what the environment tells torch as it loads (thread
variables, preloaded libraries, the CPU affinity, the visible GPUs). All of these are in the key,
so any change to them probes torch again; an entry is never trusted beyond its key.

``CPU_ADVISOR_CACHE_DIR`` names the directory (default ``$XDG_CACHE_HOME/cpu-advisor``, else
``~/.cache/cpu-advisor``); ``off`` turns the cache off. A cache that cannot be read or written is
skipped silently: the live probe is always the fallback.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Dict, List, Mapping, Optional

__all__ = ["CACHE_ENV", "cache_dir", "cache_key", "load", "store"]

CACHE_ENV = "CPU_ADVISOR_CACHE_DIR"
_KEY_SCHEMA = "1"  # bump when TorchFacts' fields or what they mean change

# What torch reads from the environment as it loads, or what changes what it finds.
_ENV_PREFIXES = ("OMP_", "KMP_", "MKL_", "GOMP_")
_ENV_NAMES = ("ATEN_CPU_CAPABILITY", "CUDA_VISIBLE_DEVICES", "LD_PRELOAD", "LD_LIBRARY_PATH")


def cache_dir() -> Optional[Path]:
    """Where entries live, or None when the cache is off."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return None if value.strip().lower() in ("", "off", "0", "no") else Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cpu-advisor"


def _build_files(package: Path) -> List[List[object]]:
    """Name, size and mtime of the files a reinstall or upgrade rewrites."""
    files = [package / "__init__.py", package / "version.py", *sorted((package / "lib").glob("libtorch*.so*"))]
    out: List[List[object]] = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out.append([f.name, st.st_size, st.st_mtime_ns])
    return out


def cache_key(machine: Mapping[str, object]) -> Optional[str]:
    """A hash of everything the facts depend on, or None where torch is not installed.

    ``machine``: the probed facts among them (the CPU's identity and affinity: the build's CPU
    capability and the thread defaults follow them); the rest is read here."""
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    package = Path(spec.origin).parent
    inputs = {
        **machine,
        "schema": _KEY_SCHEMA,
        "python": [sys.executable, sys.version],
        "torch": [str(package), _build_files(package)],
        "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith(_ENV_PREFIXES) or k in _ENV_NAMES},
        "gpus": sorted(p.name for p in Path("/dev").glob("nvidia*")),
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:20]


def _path(key: str) -> Optional[Path]:
    base = cache_dir()
    return None if base is None else base / f"torch-{key}.json"


def load(key: str) -> Optional[Dict[str, object]]:
    """The stored facts under ``key``, or None (no entry, unreadable, or not a JSON object)."""
    path = _path(key)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store(key: str, facts: Dict[str, object]) -> None:
    """Write the facts under ``key``; written whole or not at all (a reader never sees half)."""
    path = _path(key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(facts, sort_keys=True))
        os.replace(tmp, path)
    except OSError:
        pass
