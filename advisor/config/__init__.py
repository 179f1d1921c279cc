"""Config I/O: read the user's AllenNLP config exactly as ``allennlp train`` does.

No AllenNLP or torch imports here, so static work stays fast.
"""
from .experiment import REQUIRED_KEYS, Experiment, StaticReport, load_experiment, parse_ext_vars, static_report
from .facts import ConfigFacts, config_facts
from .jsonnet import evaluate_config, parse_overrides, with_overrides

__all__ = [
    "REQUIRED_KEYS", "ConfigFacts", "Experiment", "config_facts", "evaluate_config", "load_experiment",
    "parse_ext_vars", "parse_overrides", "static_report", "StaticReport", "with_overrides",
]
