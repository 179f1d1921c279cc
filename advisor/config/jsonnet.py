"""Evaluate a config exactly as ``allennlp train`` does, without importing AllenNLP.

AllenNLP's ``Params.from_file`` evaluates the jsonnet with ext vars taken from
the environment and then from ``ext_vars`` (which win), parses ``-o``
overrides as a jsonnet snippet with the same ext vars, and merges them with
``with_overrides``. We repeat that here (so ``advisor check`` and
``inspect --no-build`` stay fast) and test it against AllenNLP's own code.
"""
from __future__ import annotations

import copy
import json
import os
import re
from itertools import chain
from pathlib import Path
from typing import Any, Dict, Iterable, Mapping, Optional, Set, Union

from ..errors import AdvisorError

__all__ = ["evaluate_config", "parse_overrides", "with_overrides", "environment_ext_vars"]

_LOCATION = re.compile(r"(?P<file>[^\s:]+):(?P<line>\d+):(?P<col>\d+)(?:-(?P<end>\d+))?")


def environment_ext_vars() -> Dict[str, str]:
    """The environment as AllenNLP passes it to jsonnet (values that cannot be encoded dropped)."""
    return {k: v for k, v in os.environ.items() if v == "" or v.encode("utf-8", "ignore") != b""}


def _offending_text(file: str, line: int, col: int) -> str:
    try:
        text = Path(file).read_text().splitlines()[line - 1]
    except (OSError, IndexError):
        return ""
    return f"\n    {text}\n    {' ' * (col - 1)}^"


def _jsonnet_error(message: str, config: Path, ext_vars: Mapping[str, str]) -> AdvisorError:
    first = message.strip().splitlines()[0]
    where = _LOCATION.search(message)
    location = ""
    if where:
        file, line, col = where.group("file"), int(where.group("line")), int(where.group("col"))
        location = f"{file}:{line}:{col}"
        snippet = _offending_text(file, line, col)
    else:
        snippet = ""
    m = re.search(r"undefined external variable: (\S+)", first)
    if m:
        name = m.group(1)
        return AdvisorError(
            f"{config} needs the ext var {name} (std.extVar(\"{name}\") at {location or 'unknown location'}), "
            f"and it was not given. Pass it as `-V {name}=VALUE` (or `--ext-var {name}=VALUE`), or set it in "
            f"the environment (`export {name}=VALUE`) as `allennlp train` reads it.")
    kind = "syntax error" if first.startswith("STATIC ERROR") else "evaluation error"
    detail = re.sub(r"^(STATIC|RUNTIME) ERROR:\s*", "", first)
    detail = detail.replace(f"{location}: ", "").replace(f"{location}:", "") if location else detail
    hint = ""
    if "std.native" in snippet:
        hint = ("Native functions (std.native) are not available: AllenNLP, and so the advisor, evaluate "
                "configs without native callbacks. ")
    elif "couldn't open import" in detail:
        hint = "Imports resolve relative to the importing file; check the name and that the file exists. "
    return AdvisorError(
        f"jsonnet {kind} in {location or config}: {detail}{snippet}\n"
        f"{hint}Fix the config so that `allennlp train` can read it, then run the advisor again.")


def _evaluate_file(path: Path, ext_vars: Mapping[str, str]) -> Any:
    import _jsonnet  # ships with AllenNLP's `jsonnet` dependency; light to import

    try:
        return json.loads(_jsonnet.evaluate_file(str(path), ext_vars=dict(ext_vars)))
    except RuntimeError as exc:
        raise _jsonnet_error(str(exc), path, ext_vars) from None


def parse_overrides(overrides: Union[str, Mapping[str, Any], None], ext_vars: Mapping[str, str]) -> Dict[str, Any]:
    """``-o/--overrides`` as JSON or jsonnet, evaluated with the same ext vars (AllenNLP semantics)."""
    if not overrides:
        return {}
    if isinstance(overrides, Mapping):
        return dict(overrides)
    import _jsonnet

    try:
        value = json.loads(_jsonnet.evaluate_snippet("overrides", overrides, ext_vars=dict(ext_vars)))
    except RuntimeError as exc:
        detail = str(exc).strip().splitlines()[0]
        raise AdvisorError(f"--overrides is not valid JSON or jsonnet: {detail}. "
                           "Give an object such as '{\"trainer.num_epochs\": 1}'.") from None
    if not isinstance(value, dict):
        raise AdvisorError("--overrides must be a JSON object, such as '{\"trainer.num_epochs\": 1}'.")
    return value


def with_overrides(original: Any, overrides: Dict[str, Any], prefix: str = "") -> Any:
    """Merge dotted-key overrides into a config (same rules as AllenNLP's ``with_overrides``)."""
    keys: Iterable[Any]
    if isinstance(original, list):
        merged: Any = [None] * len(original)
        keys = range(len(original))
    elif isinstance(original, dict):
        merged = {}
        keys = chain(original.keys(), (k for k in overrides if "." not in k and k not in original))
    else:
        where = f"'{prefix[:-1]}'" if prefix else "the config"
        raise AdvisorError(f"--overrides reach into {where}, which is a {type(original).__name__}, "
                           "not an object or list: override the whole key instead.")
    used: Set[str] = set()
    for key in keys:
        if str(key) in overrides:
            merged[key] = copy.deepcopy(overrides[str(key)])
            used.add(str(key))
            continue
        sub = {}
        for o_key in overrides:
            if o_key.startswith(f"{key}."):
                sub[o_key[len(f"{key}."):]] = overrides[o_key]
                used.add(o_key)
        merged[key] = with_overrides(original[key], sub, prefix + f"{key}.") if sub else copy.deepcopy(original[key])
    unused = sorted(prefix + k for k in set(overrides) - used)
    if unused:
        raise AdvisorError(f"--overrides name keys that are not in the config: {', '.join(unused)}. "
                           "Check the spelling, or give the whole parent object.")
    return merged


def evaluate_config(path: Path, ext_vars: Optional[Mapping[str, str]] = None,
                    overrides: Union[str, Mapping[str, Any], None] = None) -> Dict[str, Any]:
    """The config as ``allennlp train PATH -o OVERRIDES`` would see it."""
    merged_vars = {**environment_ext_vars(), **(ext_vars or {})}
    value = _evaluate_file(path, merged_vars)
    if not isinstance(value, dict):
        raise AdvisorError(f"{path} evaluates to a {type(value).__name__}, not an object: "
                           "an AllenNLP training config is an object with dataset_reader, model, ... keys.")
    parsed = parse_overrides(overrides, merged_vars)
    return with_overrides(value, parsed) if parsed else value
