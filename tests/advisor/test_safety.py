"""The user's files are never touched, outputs stay in the output directory, odd paths stay intact."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Dict

from typer.testing import CliRunner

from advisor.cli import app
from advisor.config import evaluate_config

from ..conftest import EXAMPLES

runner = CliRunner(mix_stderr=False)
ODD = "my data's \"$HOME\" `x` [1]"  # spaces, quotes, a dollar, backticks, brackets


def _snapshot(root: Path, skip: Path) -> Dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and skip not in p.parents}


def test_odd_paths_survive_env_sh_and_report_and_nothing_else_is_written(tmp_path, tiny_data, monkeypatch):
    home = tmp_path / ODD
    data = home / "data"
    shutil.copytree(EXAMPLES / "cnn_classifier" / "data" / "tiny", data)
    base = evaluate_config(EXAMPLES / "cnn_classifier" / "tiny.jsonnet")
    for key in ("train_data_path", "validation_data_path"):
        base.pop(key)
    (home / "base.json").write_text(json.dumps(base))
    config = home / "config.jsonnet"
    config.write_text('(import "base.json") + {\n  train_data_path: std.extVar("DATA") + "/train.jsonl",\n'
                      '  validation_data_path: std.extVar("DATA") + "/validation.jsonl",\n}\n')
    out = home / "advice $(touch pwned)"
    monkeypatch.chdir(home)
    before = _snapshot(home, out)
    note = "it's \"quoted\" $PATH `uname` \\ end"
    result = runner.invoke(app, ["analyze", str(config), "-o", str(out), "-V", f"DATA={data}", "-V", f"NOTE={note}",
                                 "--budget", "20", "--trials", "3"])
    assert result.exit_code == 0, result.stderr[-2000:]
    assert _snapshot(home, out) == before  # config, data and everything beside them untouched
    assert not (home / "pwned").exists() and not Path("pwned").exists()

    env = out / "env.sh"
    assert subprocess.run(["bash", "-n", str(env)]).returncode == 0
    sourced = subprocess.run(["bash", "-c", 'source "$1" && printf "%s\\n%s" "$DATA" "$NOTE"', "_", str(env)],
                             capture_output=True, text=True)
    assert sourced.stdout == f"{data}\n{note}"
    # The training command itself, through env.sh: AllenNLP reads the odd paths (dry run: no training).
    serialization = home / "model run"
    trained = subprocess.run(["bash", str(env), "-s", str(serialization), "--dry-run"], capture_output=True,
                             text=True, timeout=300)
    assert trained.returncode == 0, trained.stderr[-2000:]
    assert not (home / "pwned").exists()

    report = (out / "report.md").read_text()
    assert f"`` {config} ``" in report or f"``{config}``" in report  # a code span that holds the backticks
    assert _snapshot(home, out).keys() - before.keys() <= {str(p.relative_to(home)) for p in serialization.rglob("*")}
