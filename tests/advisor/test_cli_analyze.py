"""``advisor analyze`` end to end on each example's tiny variant: the outputs parse and train."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from typer.testing import CliRunner

from advisor.cli import app

runner = CliRunner(mix_stderr=False)
EXAMPLES = ["bilstm_classifier", "cnn_classifier", "gru_tagger", "transformer_classifier", "bert_classifier",
            "gpu_habits"]
EXT = {"gpu_habits": {"DATA_DIR": "examples/gpu_habits/data/tiny"}}


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory, tiny_data):
    """Analyze each example once (small budget) and keep the results for the tests below."""
    from ..conftest import REPO

    done = {}

    def get(name):
        if name not in done:
            out = tmp_path_factory.mktemp(name) / "advice"
            args = ["analyze", f"examples/{name}/tiny.jsonnet", "-o", str(out), "--budget", "25", "--trials", "3",
                    "--json"]
            for key, value in EXT.get(name, {}).items():
                args += ["-V", f"{key}={value}"]
            cwd = os.getcwd()
            os.chdir(REPO)
            try:
                result = runner.invoke(app, args)
            finally:
                os.chdir(cwd)
            assert result.exit_code == 0, result.stdout + result.stderr
            done[name] = (out, json.loads(result.stdout))
        return done[name]

    return get


@pytest.mark.parametrize("name", EXAMPLES)
def test_analyze_writes_a_config_that_trains(name, analyzed, in_repo, tmp_path):
    import _jsonnet

    out, report = analyzed(name)
    for file in ("config.cpu.jsonnet", "env.sh", "report.md", "report.json"):
        assert (out / file).exists(), file
    assert report["schema_version"] == "1" and report["study"]["baseline"]["state"] == "complete"
    assert json.loads((out / "report.json").read_text())["fingerprint"] == report["fingerprint"]
    config = json.loads(_jsonnet.evaluate_file(str(out / "config.cpu.jsonnet"), ext_vars=EXT.get(name, {})))
    assert config["trainer"].get("cuda_device", -1) == -1
    # One epoch with plain `allennlp train`, through the launch script the advisor wrote.
    env = {**os.environ, "SERIALIZATION_DIR": str(tmp_path / "model")}
    proc = subprocess.run(["bash", str(out / "env.sh")], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "model" / "model.tar.gz").exists()
    metrics = json.loads((tmp_path / "model" / "metrics.json").read_text())
    assert metrics["epoch"] == 0 and metrics["training_loss"] > 0  # one epoch (0-based) trained


def test_gpu_habits_come_out_cpu_ready_with_reasons(analyzed):
    import _jsonnet

    out, report = analyzed("gpu_habits")
    config = json.loads(_jsonnet.evaluate_file(str(out / "config.cpu.jsonnet"), ext_vars=EXT["gpu_habits"]))
    assert config["trainer"]["cuda_device"] == -1
    assert "use_amp" not in config["trainer"]
    assert "distributed" not in config
    codes = {f["code"] for f in report["findings"]}
    assert {"D001", "D002", "D003"} <= codes
    text = (out / "config.cpu.jsonnet").read_text()
    assert "// D001:" in text and "// D002:" in text and "// D003:" in text
    assert "export DATA_DIR=examples/gpu_habits/data/tiny" in (out / "env.sh").read_text()


def test_behaviour_changes_are_suggested_not_applied(analyzed):
    out, report = analyzed("bilstm_classifier")
    kinds = {f["code"]: f["kind"] for f in report["findings"]}
    assert all(kinds[c] == "behaviour" for c in report["suggested"])
    assert all(kinds[c] == "speed" for c in report["applied"])
    if report["suggested"]:
        assert "Behaviour-changing suggestions, not applied" in (out / "config.cpu.jsonnet").read_text()


def test_user_config_is_never_touched_and_outputs_are_not_overwritten(in_repo, tmp_path, tiny_data):
    config = in_repo / "examples" / "cnn_classifier" / "tiny.jsonnet"
    before = config.read_text()
    out = tmp_path / "o"
    first = runner.invoke(app, ["analyze", str(config), "-o", str(out), "--no-trials"])
    assert first.exit_code == 0, first.stderr
    again = runner.invoke(app, ["analyze", str(config), "-o", str(out), "--no-trials"])
    assert again.exit_code == 2 and "--force" in again.stderr
    assert runner.invoke(app, ["analyze", str(config), "-o", str(out), "--no-trials", "--force"]).exit_code == 0
    assert config.read_text() == before


def test_no_trials_is_static_and_fast(in_repo, tmp_path):
    import time

    start = time.perf_counter()
    result = runner.invoke(app, ["analyze", "examples/gpu_habits/config.jsonnet", "-V", "DATA_DIR=x",
                                 "-o", str(tmp_path / "s"), "--no-trials", "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["study"] is None and report["model"] is None
    assert {"D001", "D002", "D003", "D004"} <= {f["code"] for f in report["findings"]}
    assert time.perf_counter() - start < 30  # generous: it builds nothing
