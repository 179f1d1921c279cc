"""Config evaluation matches AllenNLP's own Params.from_file / with_overrides."""
from __future__ import annotations

import json

import pytest

from advisor.config import evaluate_config, load_experiment, with_overrides
from advisor.errors import AdvisorError

from ..conftest import EXAMPLES

CONFIGS = sorted(p for p in EXAMPLES.glob("*/*.jsonnet"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_examples_evaluate_exactly_as_allennlp(path, monkeypatch):
    from allennlp.common import Params

    monkeypatch.setenv("DATA_DIR", "some/data")
    overrides = '{"trainer.num_epochs": 3, "data_loader.batch_size": 4}'
    ours = evaluate_config(path, {}, overrides)
    theirs = Params.from_file(str(path), overrides).as_dict(quiet=True)
    assert json.loads(json.dumps(ours)) == json.loads(json.dumps(theirs))
    assert ours["trainer"]["num_epochs"] == 3


@pytest.mark.parametrize("overrides", [
    {"a.b": 5},
    {"a": {"z": 1}},
    {"list.1.x": 9},
    {"new_key": [1, 2]},
    {"a.c.d": "deep"},
])
def test_with_overrides_matches_allennlp(overrides):
    from allennlp.common.params import with_overrides as allennlp_with_overrides

    original = {"a": {"b": 1, "c": {"d": 2}}, "list": [{"x": 1}, {"x": 2}], "k": 0}
    assert with_overrides(original, overrides) == allennlp_with_overrides(original, overrides)


def test_unused_override_key_is_a_clear_error():
    # As in AllenNLP, a new dict key is added; an index past a list's end is unused.
    assert with_overrides({"t": {"n": 1}}, {"t.m": 2}) == {"t": {"n": 1, "m": 2}}
    with pytest.raises(AdvisorError, match="callbacks.3.type"):
        with_overrides({"callbacks": [{"type": "a"}]}, {"callbacks.3.type": "b"})


def test_ext_var_given_with_v_wins_over_environment(tmp_path, monkeypatch):
    config = tmp_path / "c.jsonnet"
    config.write_text('{ dataset_reader: {type: "x"}, train_data_path: std.extVar("D"), model: {type: "m"} }')
    monkeypatch.setenv("D", "from-env")
    assert load_experiment(config).params["train_data_path"] == "from-env"
    assert load_experiment(config, ext_vars={"D": "from-v"}).params["train_data_path"] == "from-v"


def test_imports_resolve_relative_to_the_config_file(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "base.libsonnet").write_text('{ model: {type: "basic_classifier"} }')
    config = tmp_path / "sub" / "c.jsonnet"
    config.write_text('(import "base.libsonnet") + { dataset_reader: {type: "r"}, train_data_path: "t" }')
    monkeypatch.chdir(tmp_path)  # not the config's folder
    assert load_experiment(config).facts.model_type == "basic_classifier"


def test_config_hash_follows_the_evaluated_config(tmp_path):
    config = tmp_path / "c.jsonnet"
    config.write_text('{ dataset_reader: {type: "r"}, train_data_path: "t", model: {type: "m"}, random_seed: 1 }')
    a = load_experiment(config)
    b = load_experiment(config, overrides='{"random_seed": 2}')
    assert a.config_hash != b.config_hash
    assert a.config_hash == load_experiment(config).config_hash
