"""Type checks for the config keys the advisor reads, before anything reads them.

AllenNLP finds a wrong type only when it builds that object (after its imports, maybe
after a whole epoch for the validation loader). The advisor reads these keys statically,
so it checks them first and names the key, what it holds and what it should hold.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Sequence, Tuple

from ..errors import AdvisorError

__all__ = ["check_shape"]

_LOADER = {
    "batch_size": "positive int", "num_workers": "non-negative int", "shuffle": "bool",
    "batch_sampler": "object", "batch_sampler.batch_size": "positive int", "batch_sampler.max_tokens": "positive int",
    "batch_sampler.sorting_keys": "list", "max_instances_in_memory": "positive int", "start_method": "str",
    "batches_per_epoch": "positive int", "drop_last": "bool",
}
_EMBEDDER = {"embedding_dim": "positive int", "sparse": "bool", "trainable": "bool", "train_parameters": "bool",
             "max_length": "positive int", "model_name": "str", "vocab_namespace": "str", "pretrained_file": "str"}

# (dotted pattern, expected); "*" matches one key. Absent keys and nulls are not checked here:
# AllenNLP's defaults apply to them.
_SPEC: Tuple[Tuple[str, str], ...] = (
    ("dataset_reader", "object"), ("dataset_reader.tokenizer", "object or str"),
    ("dataset_reader.token_indexers", "object"), ("dataset_reader.max_sequence_length", "positive int"),
    ("validation_dataset_reader", "object"),
    ("train_data_path", "str"), ("validation_data_path", "str"), ("test_data_path", "str"),
    ("model", "object"), ("vocabulary", "object"), ("vocabulary.min_count", "object"),
    ("vocabulary.max_vocab_size", "positive int or object"), ("vocabulary.pretrained_files", "object"),
    ("vocabulary.only_include_pretrained_words", "bool"), ("datasets_for_vocab_creation", "list"),
    ("data_loader", "object"), ("validation_data_loader", "object"),
    *((f"data_loader.{k}", v) for k, v in _LOADER.items()),
    *((f"validation_data_loader.{k}", v) for k, v in _LOADER.items()),
    ("trainer", "object"), ("trainer.cuda_device", "int or list"), ("trainer.use_amp", "bool"),
    ("trainer.num_epochs", "positive int"), ("trainer.num_gradient_accumulation_steps", "positive int"),
    ("trainer.optimizer", "object or str"), ("trainer.callbacks", "list"), ("trainer.grad_norm", "number or bool"),
    ("trainer.checkpointer", "object or str"),
    ("distributed", "object"), ("distributed.cuda_devices", "list"), ("distributed.num_nodes", "positive int"),
    *((f"model.**.token_embedders.*.{k}", v) for k, v in _EMBEDDER.items()),
    ("model.**.token_embedders.*", "object"), ("model.**.token_embedders", "object"),
    ("**.type", "str"),
)


def _kind_ok(value: Any, expected: str) -> bool:
    for kind in expected.split(" or "):
        if kind == "object" and isinstance(value, dict):
            return True
        if kind == "list" and isinstance(value, list):
            return True
        if kind == "str" and isinstance(value, str):
            return True
        if kind == "bool" and isinstance(value, bool):
            return True
        if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        is_int = isinstance(value, int) and not isinstance(value, bool)
        if kind == "int" and is_int:
            return True
        if kind == "positive int" and is_int and value > 0:
            return True
        if kind == "non-negative int" and is_int and value >= 0:
            return True
    return False


def _match(pattern: Sequence[str], path: Sequence[str]) -> bool:
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match(rest, path[i:]) for i in range(len(path) + 1))
    return bool(path) and (head == "*" or head == path[0]) and _match(rest, path[1:])


def _walk(node: Any, path: Tuple[str, ...] = ()) -> Iterator[Tuple[Tuple[str, ...], Any]]:
    if path:
        yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, path + (str(key),))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, path + (str(i),))


def _describe(value: Any) -> str:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    kind = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "an integer", float: "a number"}.get(type(value), type(value).__name__)
    return f"{shown} ({kind})"


_PATTERNS = tuple((tuple(p.split(".")), expected) for p, expected in _SPEC)


def check_shape(params: Any, config: Path) -> None:
    """Raise AdvisorError at the first key the advisor reads whose value has the wrong type."""
    for path, value in _walk(params):
        if value is None:
            continue
        for pattern, expected in _PATTERNS:
            if _match(pattern, path) and not _kind_ok(value, expected):
                key = ".".join(path)
                raise AdvisorError(
                    f"{config}: {key} should be a {expected}, but it is {_describe(value)}. "
                    f"`allennlp train` would stop on it too: fix that value (or remove the key for the default).")
