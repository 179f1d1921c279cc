"""Generated malformed configs: every one ends in exit 0 or 2 with a message, never a traceback."""
from __future__ import annotations

import copy
import json
import random
from typing import Any, Callable, List

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.config import evaluate_config

from ..conftest import EXAMPLES

runner = CliRunner(mix_stderr=False)
N_CONFIGS = 220
WEIRD_VALUES: List[Any] = [None, 0, -1, 1e308, "", "x" * 300, [], {}, [1, "a", None], {"type": 5}, True,
                           "../../../etc/passwd", "http://127.0.0.1:9/x", {"": {}}, [[[]]], "\u2603", -0.0]


def _paths(node: Any, prefix=()) -> List[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, prefix + (i,))
    return out


def _set(node: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node[path[0]] = _set(node[path[0]], path[1:], value)
    return node


def _mutations(rng: random.Random, base: dict) -> List[Callable[[], str]]:
    text = json.dumps(base, indent=1)

    def truncated() -> str:
        return text[: rng.randrange(0, len(text))]

    def wrong_value() -> str:
        config = copy.deepcopy(base)
        path = rng.choice(_paths(config)[1:])
        return json.dumps(_set(config, path, copy.deepcopy(rng.choice(WEIRD_VALUES))))

    def some_key():
        """A copy of the config, a dict inside it and one of its keys."""
        config = copy.deepcopy(base)
        path = rng.choice([p for p in _paths(config)[1:] if isinstance(p[-1], str)])
        parent = config
        for part in path[:-1]:
            parent = parent[part]
        return config, parent, path[-1]

    def mutated_key() -> str:
        config, parent, key = some_key()
        parent[rng.choice([key + "_", key.upper(), key[:-1], "", "type", "0"])] = parent.pop(key)
        return json.dumps(config)

    def dropped_key() -> str:
        config, parent, key = some_key()
        parent.pop(key)
        return json.dumps(config)

    def byte_flip() -> str:
        chars = list(text)
        for _ in range(rng.randint(1, 4)):
            chars[rng.randrange(len(chars))] = rng.choice('{}[]:,"\\x0 ')
        return "".join(chars)

    def wrong_top() -> str:
        return json.dumps(rng.choice([[base], "config", 42, None, {"model": base}]))

    return [truncated, wrong_value, wrong_value, mutated_key, dropped_key, byte_flip, wrong_top]


def _cases() -> List[str]:
    rng = random.Random(20261126)
    bases = [evaluate_config(EXAMPLES / name / "tiny.jsonnet")
             for name in ("bilstm_classifier", "gru_tagger", "transformer_classifier", "cnn_classifier")]
    cases = []
    for _ in range(N_CONFIGS):
        base = rng.choice(bases)
        cases.append(rng.choice(_mutations(rng, base))())
    return cases


def _ok(result) -> str:
    text = result.stdout + result.stderr
    assert result.exit_code in (0, 2), f"exit {result.exit_code}: {text[-800:]}"
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in text
    if result.exit_code == 2:
        assert "error" in text.lower() and len(text.strip()) > 20
    return text


@pytest.mark.parametrize("command", [["inspect", "--no-build"], ["check"]])
def test_malformed_configs_fail_cleanly(command, tmp_path, tiny_data, in_repo):
    codes = {0: 0, 2: 0}
    for number, text in enumerate(_cases()):
        path = tmp_path / f"fuzz-{number}.jsonnet"
        path.write_text(text)
        result = runner.invoke(app, [*command, str(path)])
        _ok(result)
        codes[result.exit_code] += 1
    assert codes[2] > N_CONFIGS // 4  # the generator does produce broken configs
