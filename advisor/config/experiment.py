"""The user's experiment: the config file as written, evaluated, and its static facts."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from ..errors import AdvisorError
from .facts import ConfigFacts, config_facts
from .jsonnet import evaluate_config

__all__ = ["Experiment", "StaticReport", "load_experiment", "parse_ext_vars", "static_report", "REQUIRED_KEYS"]

SCHEMA_VERSION = "1"

REQUIRED_KEYS = ("dataset_reader", "train_data_path", "model")


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


def load_experiment(path: Union[str, Path], *, ext_vars: Optional[Mapping[str, str]] = None,
                    overrides: Optional[str] = None, include_packages: Sequence[str] = ()) -> Experiment:
    """Read and evaluate an AllenNLP training config as ``allennlp train`` would.

    Raises:
        AdvisorError: the file is missing, is not valid jsonnet, needs an ext var that was
            not given, or is not an AllenNLP training config.
    """
    path = Path(path)
    if not path.is_file():
        raise AdvisorError(f"{path}: no such config file. Give the path of an AllenNLP training "
                           "config (.jsonnet or .json), e.g. examples/bilstm_classifier/config.jsonnet.")
    text = path.read_text()
    params = evaluate_config(path, ext_vars, overrides)
    missing = [key for key in REQUIRED_KEYS if key not in params]
    if missing:
        present = ", ".join(sorted(params)) or "no keys"
        raise AdvisorError(
            f"{path} is not an AllenNLP training config: it has no {', '.join(missing)} "
            f"(it has {present}). A training config names at least dataset_reader, train_data_path, "
            "model, data_loader and trainer, as `allennlp train` expects.")
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]
    return Experiment(path=path, text=text, params=params, ext_vars=dict(ext_vars or {}), overrides=overrides,
                      include_packages=tuple(include_packages), config_hash=digest, facts=config_facts(params, text))
