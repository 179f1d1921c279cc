"""``advisor probe`` through the CLI."""
from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from advisor.cli import app

runner = CliRunner(mix_stderr=False)  # logs on stderr must not mix into --json output


def test_probe_json_on_this_machine():
    result = runner.invoke(app, ["probe", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == "1"
    assert data["live"] is True
    assert data["limits"]["usable_cpus"] >= 1


def test_probe_tables_for_recorded_xeon(recorded_root):
    result = runner.invoke(app, ["probe", "--root", str(recorded_root("xeon-amx-16c-kvm"))])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Intel(R) Xeon(R) Processor" in out
    lines = {line.strip().split("  ")[0]: line for line in out.splitlines() if line.strip()}
    assert "yes" in lines["AMX"] and "yes" in lines["AVX-512"] and "yes" in lines["native bf16"]


def test_probe_tables_for_recorded_epyc_say_bf16_is_emulated(recorded_root):
    result = runner.invoke(app, ["probe", "--root", str(recorded_root("epyc-2vcpu-kvm"))])
    assert result.exit_code == 0
    assert "bf16 would be emulated" in result.stdout


def test_probe_bad_root_is_a_clear_error():
    result = runner.invoke(app, ["probe", "--root", "/no/such/tree"])
    assert result.exit_code == 2
    assert "/no/such/tree" in result.stderr and "Traceback" not in result.stderr


def test_console_script_end_to_end_without_allennlp():
    """The installed `advisor` entry point, in a fresh process; AllenNLP must stay unimported."""
    code = ("import sys, runpy; sys.argv = ['advisor', 'probe', '--json']\n"
            "try:\n    runpy.run_module('advisor', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write('ALLENNLP=%s' % any(m.startswith('allennlp') for m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["cpu"]["architecture"]
    assert "ALLENNLP=False" in proc.stderr
