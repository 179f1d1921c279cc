"""Custom classes through --include-package and a .allennlp_plugins file, as in AllenNLP."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from advisor.cli import app

runner = CliRunner(mix_stderr=False)  # logs on stderr must not mix into --json output
PLUGIN = """
from allennlp.data.dataset_readers import DatasetReader, TextClassificationJsonReader

@DatasetReader.register("{name}")
class Reader(TextClassificationJsonReader):
    pass
"""


def make_plugin(tmp_path, package, reader_name):
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text(PLUGIN.format(name=reader_name))
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps({"text": f"w{i} w{i + 1} common", "label": str(i % 2)}) + "\n"
                            for i in range(20)))
    config = {
        "dataset_reader": {"type": reader_name, "tokenizer": {"type": "whitespace"}},
        "train_data_path": str(data),
        "model": {"type": "basic_classifier",
                  "text_field_embedder": {"token_embedders": {"tokens": {"type": "embedding", "embedding_dim": 4}}},
                  "seq2vec_encoder": {"type": "boe", "embedding_dim": 4}},
        "data_loader": {"batch_size": 4},
        "trainer": {"optimizer": "adam"},
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path


def test_include_package_makes_a_custom_reader_available(tmp_path, monkeypatch):
    config = make_plugin(tmp_path, "advisor_plug_a", "advisor_test_reader_a")
    monkeypatch.syspath_prepend(str(tmp_path))
    result = runner.invoke(app, ["inspect", str(config), "--json", "--include-package", "advisor_plug_a"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sample"]["instances"] == 20


def test_allennlp_plugins_file_in_the_working_directory(tmp_path, monkeypatch):
    config = make_plugin(tmp_path, "advisor_plug_b", "advisor_test_reader_b")
    (tmp_path / ".allennlp_plugins").write_text("advisor_plug_b\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    result = runner.invoke(app, ["inspect", str(config), "--json"])
    assert result.exit_code == 0, result.output


def test_missing_include_package_is_a_clear_error(tmp_path):
    config = make_plugin(tmp_path, "advisor_plug_c", "advisor_test_reader_c")
    result = runner.invoke(app, ["inspect", str(config), "--include-package", "advisor_no_such_pkg"])
    assert result.exit_code == 2
    assert "advisor_no_such_pkg" in result.stderr
