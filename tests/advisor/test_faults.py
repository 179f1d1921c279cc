"""Faults around the trials: workers that cannot start, interrupted runs, shared and broken storages."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest

from advisor.config import load_experiment
from advisor.errors import AdvisorError
from advisor.trials import DEFAULT, StudyOptions, build_space, run_study
from advisor.trials.storage import open_storage
from probes import AllocatorLib, probe_machine

from ..conftest import EXAMPLES, REPO, fixed_load_plan

FAST = dict(budget_s=120, target_trial_s=0.3, min_steps=3, warmup_steps=1, remeasure_rounds=3,
            trial_timeout_s=60, whatifs=False)
TINY = EXAMPLES / "cnn_classifier" / "tiny.jsonnet"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_worker_that_cannot_start_is_a_failed_trial(tiny_data, in_repo, tmp_path):
    not_a_library = tmp_path / "libtcmalloc.so.4"
    not_a_library.write_text("this is not an ELF file\n")
    machine = probe_machine()
    machine = dataclasses.replace(machine, runtime=dataclasses.replace(machine.runtime, allocators=(
        AllocatorLib("jemalloc", str(tmp_path / "gone" / "libjemalloc.so.2")), AllocatorLib("tcmalloc", str(not_a_library)))))
    experiment = load_experiment(TINY)
    space = build_space(machine, experiment).restrict(
        inter_op_threads=(DEFAULT,), omp_proc_bind=("unset",), intra_op_threads=(DEFAULT,), batch_layout=("config",),
        num_workers=("config",), precision=("fp32",), allocator=("system", "jemalloc", "tcmalloc"))
    # The load's outcome fixed: a fresh CI clone once measured the baseline under other load, which
    # keeps it out of the decision (best None) though nothing here is about the load.
    result = run_study(experiment, machine, space, tmp_path / "out", options=StudyOptions(**FAST),
                       load_plan=fixed_load_plan(), sampler=optuna.samplers.BruteForceSampler(seed=0),
                       pruner=optuna.pruners.NopPruner())
    by_allocator = {t.setting.allocator: t for t in result.trials if t.state != "reused"}
    assert by_allocator["system"].state == "complete"
    assert by_allocator["jemalloc"].state == "failed" and "does not exist" in by_allocator["jemalloc"].reason
    assert by_allocator["tcmalloc"].state == "failed" and "cannot be preloaded" in by_allocator["tcmalloc"].reason
    assert result.best is not None


def _analyze_cmd(out: Path, *extra: str):
    return [sys.executable, "-m", "advisor", "analyze", str(TINY), "-o", str(out), *extra]


def _trials(storage: Path):
    with sqlite3.connect(storage) as db:
        return db.execute("SELECT trial_id, number, state FROM trials ORDER BY trial_id").fetchall()


def test_sigterm_keeps_trials_writes_a_partial_report_and_resumes(tiny_data, in_repo, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen(_analyze_cmd(out, "--budget", "300"), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
    deadline = time.time() + 150
    complete = 0
    while time.time() < deadline and complete < 2:  # wait for two measured trials
        time.sleep(1)
        if (out / "trials.db").exists():
            try:
                complete = sum(1 for _, _, state in _trials(out / "trials.db") if state == "COMPLETE")
            except sqlite3.Error:
                pass
    assert complete >= 2, "the study never measured two trials"
    import psutil

    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers  # the trials run in worker processes
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    alive = [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]
    assert not alive, [(w.pid, w.cmdline()) for w in alive]  # workers stopped
    report = json.loads((out / "report.json").read_text())
    assert report["partial"] is True and report["study"]["partial"] is True
    assert "PARTIAL REPORT" in (out / "report.md").read_text()
    assert not (out / "config.cpu.jsonnet").exists()
    kept = [t for t in report["study"]["trials"] if t["state"] == "complete"]
    assert len(kept) >= 2

    # The same command again (no --force) resumes: the kept trials are reused, not measured again.
    again = subprocess.run(_analyze_cmd(out, "--budget", "30", "--json"), cwd=REPO, capture_output=True,
                           text=True, timeout=300, env={**os.environ, "TQDM_DISABLE": "1"})
    assert again.returncode == 0, again.stderr
    resumed = json.loads(again.stdout)
    assert resumed["partial"] is False and (out / "config.cpu.jsonnet").exists()
    numbers = {t["number"] for t in resumed["study"]["trials"]}
    assert {t["number"] for t in kept} <= numbers
    key = lambda t: json.dumps(t["setting"], sort_keys=True)  # noqa: E731
    kept_settings = {key(t) for t in kept if not t["contended"]}  # contended ones may be measured again
    later = [t for t in resumed["study"]["trials"] if t["number"] > max(t["number"] for t in kept)
             and t["state"] == "complete"]
    assert not [t for t in later if key(t) in kept_settings]  # nothing kept was measured a second time


def test_two_analyze_processes_share_one_storage(tiny_data, in_repo, tmp_path):
    storage = tmp_path / "shared.db"
    url = f"sqlite:///{storage}"
    env = {**os.environ, "TQDM_DISABLE": "1"}
    procs = [subprocess.Popen(_analyze_cmd(tmp_path / f"out{i}", "--budget", "40", "--trials", "4", "--storage", url,
                                           "--json"), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for i in range(2)]
    outputs = [p.communicate(timeout=400) for p in procs]
    for p, (stdout, stderr) in zip(procs, outputs):
        assert p.returncode == 0, stderr[-2000:]
    rows = _trials(storage)
    numbers = [number for _, number, _ in rows]
    assert sorted(numbers) == list(range(len(rows)))  # every trial once, none lost, none numbered twice
    # None left running. Waiting ones may stay: a run that stops at its budget or trial count leaves the
    # queued screening trials for the next run on this storage (Optuna's queue), and reports none of them.
    assert all(state in ("COMPLETE", "PRUNED", "FAIL", "WAITING") for _, _, state in rows), rows
    reports = [json.loads(stdout) for stdout, _ in outputs]
    seen = set()
    for report in reports:
        seen |= {t["number"] for t in report["study"]["trials"]}
    assert seen == {number for _, number, state in rows if state != "WAITING"}, rows


def _foreign_db(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
        db.execute("INSERT INTO invoices VALUES (1, 9.5)")


def _old_optuna_db(path: Path) -> None:
    open_storage(f"sqlite:///{path}").engine.dispose()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = 'v0.9.0.a'")


@pytest.mark.parametrize("make, says", [
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + os.urandom(2000)), "not a readable SQLite database"),
    (lambda p: p.write_bytes(os.urandom(3000)), "not a readable SQLite database"),
    (_foreign_db, "another program"),
    (_old_optuna_db, "cannot use"),
], ids=["corrupt", "random-bytes", "foreign-sqlite", "old-optuna-schema"])
def test_unusable_storage_is_refused_and_left_untouched(make, says, tmp_path):
    path = tmp_path / "trials.db"
    make(path)
    before = _digest(path)
    with pytest.raises(AdvisorError, match=says) as err:
        open_storage(f"sqlite:///{path}")
    assert "left untouched" in str(err.value)
    assert _digest(path) == before
