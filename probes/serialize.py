"""One serializer for every typed result (facts, trials, findings).

Results are frozen dataclasses; their JSON form is their fields, recursively,
with tuples as lists and enums as their values. Documents carry a
``schema_version`` so readers can tell formats apart.
"""
from __future__ import annotations

import dataclasses
import enum
import json
from pathlib import PurePath
from typing import Any

__all__ = ["to_jsonable", "to_json"]


def to_jsonable(obj: Any) -> Any:
    """Turn a dataclass tree into plain JSON-compatible Python values."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj) if isinstance(obj, (set, frozenset)) else obj
        return [to_jsonable(v) for v in items]
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, float) and obj != obj:  # NaN is not JSON
        return None
    return obj


def to_json(obj: Any, *, indent: int = 2) -> str:
    return json.dumps(to_jsonable(obj), indent=indent, sort_keys=False)
