"""The user's experiment: the config file as written, evaluated, and its static facts."""
from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from ..errors import AdvisorError
from .facts import ConfigFacts, config_facts
from .jsonnet import evaluate_config
from .shape import check_shape

__all__ = ["Experiment", "StaticReport", "load_experiment", "parse_ext_vars", "static_report", "REQUIRED_KEYS"]

SCHEMA_VERSION = "1"

REQUIRED_KEYS = ("dataset_reader", "train_data_path", "model")
# What `allennlp train` accepts at the top level (TrainModel.from_partial_objects in AllenNLP 2.10,
# plus the keys train_model and prepare_environment pop first). Anything else fails there.
TOP_LEVEL_KEYS = frozenset((
    *REQUIRED_KEYS, "data_loader", "trainer", "vocabulary", "datasets_for_vocab_creation",
    "validation_dataset_reader", "validation_data_path", "validation_data_loader", "test_data_path",
    "evaluate_on_test", "batch_weight_key", "ddp_accelerator", "distributed", "type",
    "random_seed", "numpy_seed", "pytorch_seed"))


@dataclass(frozen=True)
class Experiment:
    path: Path
    text: str  # the file exactly as the user wrote it; never rewritten
    params: Dict[str, Any]  # evaluated, overrides applied
    ext_vars: Dict[str, str]  # given with -V (the environment is read too, as by allennlp)
    overrides: Optional[str]
    include_packages: Tuple[str, ...]
    config_hash: str  # of the evaluated params: same experiment, same hash
    facts: ConfigFacts

    @property
    def train_data_path(self) -> str:
        return str(self.params["train_data_path"])


@dataclass(frozen=True)
class StaticReport:
    """``advisor inspect --no-build``: what the config says, without building anything."""

    schema_version: str
    config: str
    config_hash: str
    static: ConfigFacts


def static_report(experiment: Experiment) -> StaticReport:
    return StaticReport(SCHEMA_VERSION, str(experiment.path), experiment.config_hash, experiment.facts)


def parse_ext_vars(pairs: Sequence[str]) -> Dict[str, str]:
    """``NAME=VALUE`` strings from ``-V``."""
    out: Dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise AdvisorError(f"-V {pair!r}: ext vars are given as NAME=VALUE, e.g. -V DATA_DIR=data/.")
        out[name] = value
    return out


def read_config_text(path: Path) -> str:
    """The config file's text, or a clear error for a path that is no readable text config."""
    what = "Give the path of an AllenNLP training config (.jsonnet or .json), e.g. examples/bilstm_classifier/config.jsonnet."
    if path.is_dir():
        raise AdvisorError(f"{path} is a directory, not a config file. {what}")
    if not path.exists():
        raise AdvisorError(f"{path}: no such config file. {what}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AdvisorError(f"{path} cannot be read ({exc.strerror or exc}). Check its permissions, "
                           "or copy it somewhere readable.") from None
    if not raw.strip():
        raise AdvisorError(f"{path} is empty. {what}")
    try:
        text = raw.decode("utf-8")
        bad = text.find("\0")
    except UnicodeDecodeError as exc:
        bad = exc.start
    if bad >= 0:
        raise AdvisorError(f"{path} is not a text file (byte {bad} is not UTF-8 text): is it the right file? {what}")
    return text


def load_experiment(path: Union[str, Path], *, ext_vars: Optional[Mapping[str, str]] = None,
                    overrides: Optional[str] = None, include_packages: Sequence[str] = ()) -> Experiment:
    """Read and evaluate an AllenNLP training config as ``allennlp train`` would.

    Raises:
        AdvisorError: the file is missing, is not valid jsonnet, needs an ext var that was
            not given, or is not an AllenNLP training config.
    """
    path = Path(path)
    text = read_config_text(path)
    params = evaluate_config(path, ext_vars, overrides)
    missing = [key for key in REQUIRED_KEYS if key not in params]
    if missing:
        present = ", ".join(sorted(params)) or "no keys"
        raise AdvisorError(
            f"{path} is not an AllenNLP training config: it has no {', '.join(missing)} "
            f"(it has {present}). A training config names at least dataset_reader, train_data_path, "
            "model, data_loader and trainer, as `allennlp train` expects.")
    check_shape(params, path)
    unknown = sorted(set(params) - TOP_LEVEL_KEYS)
    if unknown:
        hints = [f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key)
                 for key in unknown for close in [difflib.get_close_matches(key, TOP_LEVEL_KEYS, n=1)]]
        raise AdvisorError(
            f"{path} has top-level keys that `allennlp train` does not accept: {', '.join(hints)}. "
            f"It would stop with \"Extra parameters passed to TrainModel\". Remove or rename them; "
            f"the accepted keys are {', '.join(sorted(TOP_LEVEL_KEYS))}.")
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]
    return Experiment(path=path, text=text, params=params, ext_vars=dict(ext_vars or {}), overrides=overrides,
                      include_packages=tuple(include_packages), config_hash=digest, facts=config_facts(params, text))
