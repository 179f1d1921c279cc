"""``advisor check``, the preflight API, and the AllenNLP callback and bf16 trainer."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from probes import NumaNode, probe_machine

runner = CliRunner(mix_stderr=False)
GPU = ["examples/gpu_habits/config.jsonnet", "-V", "DATA_DIR=examples/gpu_habits/data/tiny"]
WORKERS = ["examples/bilstm_classifier/tiny.jsonnet", "--overrides", '{"data_loader.num_workers": 8}']


def test_check_exit_codes(tiny_data, in_repo):
    assert runner.invoke(app, ["check", *GPU]).exit_code == 2
    assert runner.invoke(app, ["check", "examples/bilstm_classifier/tiny.jsonnet", "--strict"]).exit_code == 0
    assert runner.invoke(app, ["check", *WORKERS]).exit_code == 0  # warnings only
    assert runner.invoke(app, ["check", *WORKERS, "--strict"]).exit_code == 1
    assert runner.invoke(app, ["check", "nowhere.jsonnet"]).exit_code == 2


def test_check_json(tiny_data, in_repo):
    result = runner.invoke(app, ["check", *GPU, "--json"])
    data = json.loads(result.stdout)
    assert data["exit_code"] == 2 and data["schema_version"] == "1"
    assert {"D001", "D002", "D003"} <= {f["code"] for f in data["findings"]}


def test_check_does_not_import_allennlp(in_repo):
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom advisor.cli import app\n"
            f"r = CliRunner().invoke(app, ['check', *{GPU!r}])\n"
            "sys.stderr.write('ALLENNLP=%s' % any(m.startswith('allennlp') for m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "ALLENNLP=False" in proc.stderr, proc.stderr


def test_check_warns_on_a_config_tuned_elsewhere(tiny_data, in_repo, tmp_path):
    out = tmp_path / "advice"
    assert runner.invoke(app, ["analyze", "examples/cnn_classifier/tiny.jsonnet", "-o", str(out),
                               "--no-trials"]).exit_code == 0
    config = out / "config.cpu.jsonnet"
    assert runner.invoke(app, ["check", str(config), "--strict"]).exit_code == 0
    config.write_text(config.read_text().replace("// advisor-fingerprint: ", "// advisor-fingerprint: 0ther"))
    result = runner.invoke(app, ["check", str(config), "--strict"])
    assert result.exit_code == 1 and "N003" in result.stdout


def test_preflight_strict_raises_with_the_findings(tiny_data, in_repo):
    from advisor import PreflightError, preflight

    with pytest.raises(PreflightError) as info:
        preflight(GPU[0], ext_vars={"DATA_DIR": "examples/gpu_habits/data/tiny"}, strict=True)
    assert "D001" in str(info.value) and info.value.result.errors
    assert preflight("examples/bilstm_classifier/tiny.jsonnet", strict=True).errors == []


def test_preflight_apply_sets_threads_and_reports_what_it_cannot(tiny_data, in_repo):
    import torch

    from advisor import preflight

    machine = probe_machine()
    two_nodes = (NumaNode(0, (0,), (0,), 1 << 30, ()), NumaNode(1, (1,), (1,), 1 << 30, ()))
    machine = dataclasses.replace(machine, topology=dataclasses.replace(machine.topology, numa_nodes=two_nodes))
    before = torch.get_num_threads()
    try:
        result = preflight(WORKERS[0], overrides='{"data_loader": {"num_workers": 8, "max_instances_in_memory": 64}}',
                           apply=True, machine=machine, environ={})
        expected = next(f.change.env["OMP_NUM_THREADS"] for f in result.findings if "OMP_NUM_THREADS" in f.change.env)
        assert torch.get_num_threads() == int(expected)
        assert "OMP_NUM_THREADS" in result.applied
        assert "launch" in result.not_applied and "numactl" in result.not_applied["launch"]
    finally:
        torch.set_num_threads(before)


def _train(config_text, tmp_path, name):
    config = tmp_path / f"{name}.jsonnet"
    config.write_text(config_text)
    out = tmp_path / name
    proc = subprocess.run([sys.executable, "-m", "allennlp", "train", str(config), "-s", str(out),
                           "--include-package", "advisor.integration"], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return proc, out


def test_callback_logs_preflight_and_throughput_in_a_real_train(tiny_data, in_repo, tmp_path):
    text = ('(import "%s/examples/bilstm_classifier/tiny.jsonnet") + '
            '{ trainer+: { callbacks: [{ type: "cpu_preflight", every_n_batches: 2 }] } }' % in_repo)
    proc, out = _train(text, tmp_path, "callback")
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr  # AllenNLP logs INFO to stdout
    assert "cpu-advisor preflight:" in log
    assert log.count("cpu-advisor throughput (batches") >= 3
    assert "cpu-advisor throughput (epoch 0)" in log and "instances/s" in log


BF16_TOLERANCE = 0.05  # first-epoch training loss within 5% (relative) of fp32 from the same seeds


def test_cpu_bf16_trainer_trains_close_to_fp32_or_refuses(tiny_data, in_repo, tmp_path):
    base = '(import "%s/examples/bilstm_classifier/tiny.jsonnet")' % in_repo
    proc, out = _train(base + ' + { trainer+: { type: "cpu_bf16" } }', tmp_path, "bf16")
    if not probe_machine().isa.native_bf16:
        assert proc.returncode != 0 and "no native bf16" in proc.stderr
        return
    assert proc.returncode == 0, proc.stderr[-3000:]
    ref, ref_out = _train(base, tmp_path, "fp32")
    assert ref.returncode == 0, ref.stderr[-3000:]
    bf16_loss = json.loads((out / "metrics.json").read_text())["training_loss"]
    fp32_loss = json.loads((ref_out / "metrics.json").read_text())["training_loss"]
    assert abs(bf16_loss - fp32_loss) / fp32_loss <= BF16_TOLERANCE
