"""Bad input, one test each: a clear message naming the culprit, exit 2, no traceback, nothing written."""
from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.config import evaluate_config

from ..conftest import EXAMPLES

runner = CliRunner(mix_stderr=False)
TINY = EXAMPLES / "cnn_classifier" / "tiny.jsonnet"


def fails(*args) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    text = result.stdout + result.stderr
    assert result.exit_code == 2, text
    assert "Traceback" not in text and (result.exception is None or isinstance(result.exception, SystemExit))
    return " ".join(text.split())  # unwrap the console's line breaks


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def tiny_config(tmp_path: Path, **changes) -> Path:
    config = {**evaluate_config(TINY), **changes}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path


# ---- the config ----------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["inspect", "--no-build"], ["check"], ["analyze", "--no-trials"]])
def test_config_that_is_not_a_file(command, tmp_path):
    assert "no such config file" in fails(*command, tmp_path / "nope.jsonnet")
    assert "is a directory" in fails(*command, tmp_path)


def test_empty_config(tmp_path):
    path = write(tmp_path, "empty.jsonnet", "  \n\n")
    assert f"{path} is empty" in fails("inspect", "--no-build", path)


def test_binary_config(tmp_path):
    path = tmp_path / "model.tar.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)))
    assert "is not a text file" in fails("inspect", "--no-build", path)


@pytest.mark.parametrize("body, says", [
    ('error "DATA_DIR must point at the corpus"', "DATA_DIR must point at the corpus"),
    ("1 / 0", "division by zero"),
])
def test_jsonnet_runtime_error_names_line_and_message(body, says, tmp_path):
    path = write(tmp_path, "c.jsonnet", f"""\
        {{
          dataset_reader: {{ type: "text_classification_json" }},
          train_data_path: {body},
        }}
    """)
    out = fails("inspect", "--no-build", path)
    assert f"{path}:3:" in out and says in out and "evaluation error" in out


def test_import_that_does_not_exist(tmp_path):
    path = write(tmp_path, "c.jsonnet", 'local base = import "base.libsonnet";\nbase + {}\n')
    out = fails("check", path)
    assert f"{path}:1:" in out and "base.libsonnet" in out and "relative to the importing file" in out


def test_unknown_top_level_key_with_a_suggestion(tmp_path):
    config = evaluate_config(TINY)
    config["trianer"] = config.pop("trainer")
    path = tmp_path / "c.json"
    path.write_text(json.dumps(config))
    out = fails("inspect", "--no-build", path)
    assert "'trianer' (did you mean 'trainer'?)" in out and "does not accept" in out


def test_wrong_value_type_names_the_key(tmp_path):
    config = evaluate_config(TINY)
    config["data_loader"]["batch_size"] = "32"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(config))
    out = fails("check", path)
    assert "data_loader.batch_size should be a positive int" in out and "'32' (a string)" in out


def test_native_functions_are_not_available(tmp_path):
    path = write(tmp_path, "c.jsonnet", '{ train_data_path: std.native("shell")("ls") }\n')
    out = fails("inspect", "--no-build", path)
    assert "std.native" in out and "without native callbacks" in out


# ---- the data ------------------------------------------------------------------------------------

def test_malformed_line_is_named_with_its_number(tmp_path, tiny_data, in_repo):
    data = tmp_path / "train.jsonl"
    data.write_text('{"text": "a b", "label": "x"}\n{"text": "c d", "label": "y"}\n{"text": "e f", "label": \n')
    out = fails("inspect", tiny_config(tmp_path, train_data_path=str(data)))
    assert "Line 3 is not valid JSON" in out and "JSONDecodeError" in out and "after 2 instances" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: permissions cannot be tested as root")
def test_unreadable_data_file(tmp_path, tiny_data, in_repo):
    data = tmp_path / "train.jsonl"
    shutil.copy(EXAMPLES / "cnn_classifier" / "data" / "tiny" / "train.jsonl", data)
    data.chmod(0)
    config = tiny_config(tmp_path, train_data_path=str(data))
    assert "cannot read it" in fails("inspect", config)
    assert "cannot read it" in fails("check", config)


def test_data_url_without_network(tmp_path, tiny_data, in_repo):
    url = "http://127.0.0.1:9/corpus/train.jsonl"  # the discard port: nothing listens there
    out = fails("inspect", tiny_config(tmp_path, train_data_path=url))
    assert url in out and "cannot be reached" in out and "local path" in out


def test_a_failed_analyze_leaves_no_output_directory(tmp_path, tiny_data, in_repo):
    data = tmp_path / "train.jsonl"
    data.write_text("not json at all\n")
    out_dir = tmp_path / "advice"
    out = fails("analyze", tiny_config(tmp_path, train_data_path=str(data)), "-o", out_dir, "--budget", "20")
    assert "Line 1 is not valid JSON" in out
    assert not out_dir.exists()


# ---- the arguments -------------------------------------------------------------------------------

@pytest.mark.parametrize("option, value", [("--budget", "0"), ("--budget", "-3"), ("--trials", "0")])
def test_budget_and_trials_must_be_positive(option, value, tmp_path):
    out = fails("analyze", TINY, "-o", tmp_path / "out", option, value)
    assert f"Invalid value for '{option}'" in out
    assert not (tmp_path / "out").exists()


def test_output_directory_that_exists_is_refused_without_force(tmp_path, in_repo):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "notes.txt").write_text("mine")
    out = fails("analyze", TINY, "-o", out_dir, "--no-trials")
    assert "already exists and is not empty" in out and "--force" in out and "notes.txt" in out
    result = runner.invoke(app, ["analyze", str(TINY), "-o", str(out_dir), "--no-trials", "--force"])
    assert result.exit_code == 0, result.stderr
    assert (out_dir / "notes.txt").read_text() == "mine"  # --force replaces only the advisor's own files
    assert (out_dir / "config.cpu.jsonnet").exists()


def test_output_directory_that_is_a_file(tmp_path, in_repo):
    target = tmp_path / "out"
    target.write_text("a file")
    assert "is a file, not a directory" in fails("analyze", TINY, "-o", target, "--no-trials")
    assert target.read_text() == "a file"


def test_output_directory_that_is_not_writable(tmp_path, in_repo):
    if os.geteuid() == 0:
        target = Path("/sys/advisor-out")  # read-only even for root
        if os.access("/sys", os.W_OK) and not Path("/sys/kernel").is_dir():
            pytest.skip("no read-only file system to test against")
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "out"
    assert "cannot be written" in fails("analyze", TINY, "-o", target, "--no-trials")


@pytest.mark.parametrize("url, says", [
    ("sqlite:////no/such/folder/trials.db", "does not exist"),
    ("postgresql://advisor@127.0.0.1:9/trials", "cannot be opened"),
    ("notadb://whatever", "cannot be opened"),
])
def test_unreachable_storage(url, says, tmp_path, in_repo):
    out = fails("analyze", TINY, "-o", tmp_path / "out", "--storage", url)
    assert url in out and says in out
    assert not (tmp_path / "out").exists()


def test_probe_root_that_is_not_a_machine_tree(tmp_path):
    (tmp_path / "etc").mkdir()
    assert "is not a machine tree" in fails("probe", "--root", tmp_path)
    assert "no such directory" in fails("probe", "--root", tmp_path / "missing")
