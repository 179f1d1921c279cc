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

__all__ = ["to_jsonable", "to_json", "from_jsonable"]


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


def from_jsonable(cls: Any, data: Any) -> Any:
    """Rebuild a dataclass tree written by :func:`to_jsonable` (its type hints guide the way)."""
    import typing

    def build(tp: Any, value: Any) -> Any:
        if value is None:
            return None
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing.Union:
            kinds = [a for a in args if a is not type(None)]
            for kind in kinds:
                if dataclasses.is_dataclass(kind) and isinstance(value, dict):
                    return build(kind, value)
            return build(kinds[0], value) if len(kinds) == 1 else value
        if dataclasses.is_dataclass(tp):
            hints = typing.get_type_hints(tp)
            fields = {f.name for f in dataclasses.fields(tp) if f.init}
            return tp(**{k: build(hints[k], v) for k, v in value.items() if k in fields})
        if origin in (tuple, typing.Tuple):
            if len(args) == 2 and args[1] is Ellipsis:
                return tuple(build(args[0], v) for v in value)
            return tuple(build(a, v) for a, v in zip(args, value)) if args else tuple(value)
        if origin in (list, typing.List):
            return [build(args[0], v) for v in value] if args else list(value)
        if origin in (dict, typing.Dict):
            return {k: build(args[1], v) for k, v in value.items()} if args else dict(value)
        return value

    return build(cls, data)
