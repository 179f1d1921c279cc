"""Each user error: a clear message naming the culprit, exit code 2, no traceback."""
from __future__ import annotations

import json
import textwrap

from typer.testing import CliRunner

from advisor.cli import app

runner = CliRunner(mix_stderr=False)  # logs on stderr must not mix into --json output
MINIMAL = {
    "dataset_reader": {"type": "text_classification_json", "tokenizer": {"type": "whitespace"}},
    "model": {"type": "basic_classifier",
              "text_field_embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 4}}},
              "seq2vec_encoder": {"type": "boe", "embedding_dim": 4}},
    "data_loader": {"batch_size": 4},
    "trainer": {"optimizer": "adam", "num_epochs": 1},
}


def fails(*args):
    result = runner.invoke(app, ["inspect", *map(str, args)])
    text = result.stdout + result.stderr
    assert result.exit_code == 2, text
    assert "Traceback" not in text
    return " ".join(text.split())  # unwrap the console's line breaks


def write_config(tmp_path, train_path, **changes):
    config = dict(MINIMAL, train_data_path=str(train_path), **changes)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path


def test_jsonnet_syntax_error_names_file_line_column_and_text(tmp_path):
    bad = tmp_path / "bad.jsonnet"
    bad.write_text(textwrap.dedent("""\
        {
          model: { type: "basic_classifier" },
          data_loader: [1, 2
          trainer: {},
        }
    """))
    out = fails(bad)
    assert f"{bad}:4:3" in out
    assert "trainer: {}," in out


def test_missing_ext_var_names_it_and_both_ways_to_pass_it(monkeypatch):
    monkeypatch.delenv("DATA_DIR", raising=False)
    out = fails("examples/gpu_habits/config.jsonnet")
    assert "DATA_DIR" in out and "-V DATA_DIR=" in out and "export DATA_DIR=" in out


def test_missing_data_path_names_it(tmp_path):
    out = fails(write_config(tmp_path, tmp_path / "nowhere.jsonl"))
    assert "nowhere.jsonl" in out and "does not exist" in out


def test_unknown_registered_type_names_type_registry_and_hint(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text('{"text": "a b", "label": "x"}\n')
    out = fails(write_config(tmp_path, data, dataset_reader={"type": "no_such_reader"}))
    assert '"no_such_reader"' in out and "DatasetReader" in out and "--include-package" in out


def test_reader_yielding_nothing_is_reported(tmp_path):
    data = tmp_path / "empty.jsonl"
    data.write_text("")
    out = fails(write_config(tmp_path, data))
    assert "yielded no instances" in out and "empty.jsonl" in out


def test_not_a_training_config_says_what_is_missing(tmp_path):
    path = tmp_path / "vocab.json"
    path.write_text('{"vocabulary": {"min_count": {"tokens": 2}}}')
    out = fails(path)
    assert "not an AllenNLP training config" in out and "dataset_reader" in out and "model" in out


def test_missing_config_file():
    assert "no such config file" in fails("nowhere/config.jsonnet")


def test_bad_key_for_a_class_names_the_part(tmp_path):
    data = tmp_path / "train.jsonl"
    data.write_text('{"text": "a b", "label": "x"}\n')
    model = json.loads(json.dumps(MINIMAL["model"]))
    model["seq2vec_encoder"]["no_such_option"] = 3
    out = fails(write_config(tmp_path, data, model=model))
    assert "while building the model" in out and "no_such_option" in out


def test_debug_shows_the_traceback(tmp_path):
    result = runner.invoke(app, ["--debug", "inspect", str(tmp_path / "none.jsonnet")])
    assert result.exit_code != 0 and result.exc_info is not None
