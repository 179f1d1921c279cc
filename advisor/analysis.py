"""``advisor analyze``: probe, read, measure, decide, emit; one typed report.

Flow is one way: probes -> facts; config -> experiment; trials -> measurements (and the model
facts the first worker collected); rules -> findings; emit -> files. Nothing here prints.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence, Tuple

from probes import MachineFacts, probe_machine, to_json

from .config import Experiment, load_experiment, parse_overrides
from .config.jsonnet import environment_ext_vars
from .emit import ChangePlan, plan_changes, render_env, render_overlay
from .errors import AdvisorError, Interrupted
from .inspect.facts import ModelFacts
from .trials import Progress, StudyOptions, StudyResult, build_space, run_study
from .trials.load import plan_load, up_front_notes
from .trials.storage import open_storage, sqlite_url
from rules import Context, Finding, run_rules

__all__ = ["AnalysisReport", "AnalyzeOptions", "analyze", "default_out_dir", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1"
OUTPUT_FILES = ("config.cpu.jsonnet", "env.sh", "report.md", "report.json")


@dataclass(frozen=True)
class AnalyzeOptions:
    out_dir: Optional[Path] = None
    force: bool = False
    trials: bool = True
    apply_behaviour: bool = False
    allow_batch_change: bool = False
    storage: Optional[str] = None
    reserve_cpus: Optional[int] = None  # CPUs other work will use while training (None: the load seen now)
    wait_quiet_s: float = 0.0  # wait up to this long for the machine to settle before measuring
    study: StudyOptions = StudyOptions()


@dataclass(frozen=True)
class AnalysisReport:
    schema_version: str
    created: str
    config: str
    config_hash: str
    fingerprint: str
    out_dir: str
    machine: MachineFacts
    model: Optional[ModelFacts]
    study: Optional[StudyResult]
    findings: Tuple[Finding, ...]
    applied: Tuple[str, ...]  # codes whose changes are in config.cpu.jsonnet / env.sh
    suggested: Tuple[str, ...]  # behaviour-changing codes left commented out
    outputs: Dict[str, str] = field(default_factory=dict)
    partial: bool = False  # interrupted before the advice was decided


def default_out_dir(config: Path) -> Path:
    return config.parent / f"advisor-{config.stem}"


ADVISOR_ENTRIES = (*OUTPUT_FILES, "trials.db", "logs")  # what --force may replace; nothing else is touched


def _resumable(out_dir: Path) -> bool:
    """An interrupted run left only its own files and a report marked partial: go on without --force."""
    try:
        partial = json.loads((out_dir / "report.json").read_text()).get("partial")
    except (OSError, ValueError, AttributeError):
        return False
    return bool(partial) and all(p.name in ADVISOR_ENTRIES for p in out_dir.iterdir())


def _prepare_out_dir(out_dir: Path, config: Path, force: bool) -> None:
    if out_dir.resolve() == config.resolve() or config.resolve() in [out_dir.resolve() / f for f in OUTPUT_FILES]:
        raise AdvisorError(f"-o {out_dir} would overwrite the config itself: choose another output directory.")
    if out_dir.exists() and not out_dir.is_dir():
        raise AdvisorError(f"-o {out_dir} is a file, not a directory. The advisor writes several files into "
                           "an output directory: name a new directory (it is created) or an existing one.")
    if out_dir.is_dir():
        entries = sorted(p.name for p in out_dir.iterdir())
        if entries and not force and not _resumable(out_dir):
            shown = ", ".join(entries[:6]) + (", ..." if len(entries) > 6 else "")
            raise AdvisorError(
                f"-o {out_dir} already exists and is not empty ({shown}). Pass --force to write the advisor's "
                f"files there ({', '.join(OUTPUT_FILES)}, trials.db, logs/; anything else is left alone, and "
                "trials measured there are reused), or choose a new directory with -o.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".advisor-write-test-"):
            pass
    except OSError as exc:
        raise AdvisorError(f"-o {out_dir} cannot be written ({exc.strerror or exc}). Choose a directory you can "
                           "write to with -o.") from None


def analyze(config: Path, *, ext_vars: Optional[Dict[str, str]] = None, overrides: Optional[str] = None,
            include_packages: Sequence[str] = (), options: AnalyzeOptions = AnalyzeOptions(),
            progress: Optional[Callable[[Progress], None]] = None,
            notice: Optional[Callable[[str], None]] = None) -> AnalysisReport:
    """Run the whole advisor on one config and write its outputs.

    Example:
        >>> report = analyze(Path("examples/bilstm_classifier/config.jsonnet"))
        >>> sorted(report.outputs)
        ['config.cpu.jsonnet', 'env.sh', 'report.json', 'report.md']
    """
    experiment = load_experiment(config, ext_vars=ext_vars, overrides=overrides, include_packages=include_packages)
    out_dir = options.out_dir or default_out_dir(experiment.path)
    if options.storage and options.trials:  # an unusable storage fails before anything is written
        open_storage(options.storage).engine.dispose()
    created_dir = not out_dir.exists()
    _prepare_out_dir(out_dir, experiment.path, options.force)
    try:
        return _analyze(experiment, out_dir, options, progress, notice)
    except AdvisorError:
        if created_dir:  # a failed run leaves no half-filled directory behind (it held nothing else)
            shutil.rmtree(out_dir, ignore_errors=True)
        raise


def _analyze(experiment: Experiment, out_dir: Path, options: AnalyzeOptions,
             progress: Optional[Callable[[Progress], None]],
             notice: Optional[Callable[[str], None]]) -> AnalysisReport:
    if options.trials and not options.storage:  # a leftover trials.db that cannot be used: say so now
        open_storage(sqlite_url(out_dir / "trials.db")).engine.dispose()
    machine = probe_machine()
    study = None
    model = None
    if options.trials:
        plan = plan_load(machine, reserve_cpus=options.reserve_cpus, wait_quiet_s=options.wait_quiet_s)
        if notice is not None:
            for line in up_front_notes(plan):
                notice(line)
        space = build_space(machine, experiment, allow_batch_change=options.allow_batch_change,
                            reserve_cpus=plan.reserve_cpus, reserve_basis=plan.reserve_basis)
        study = run_study(experiment, machine, space, out_dir, options=options.study, storage=options.storage,
                          progress=progress, load_plan=plan)
        model = study.model_facts
    context = Context(machine=machine, config=experiment.facts, params=experiment.params, model=model,
                      study=study, environ=dict(os.environ))
    findings = run_rules(context)
    plan = plan_changes(findings, apply_behaviour=options.apply_behaviour)
    created = _dt.datetime.now().isoformat(timespec="seconds")
    peak = None
    if study is not None and study.best is not None:
        trial = next((t for t in study.trials if t.setting == study.best.setting and t.metrics), None)
        peak = trial.metrics.peak_rss_bytes if trial else None
    partial = study is not None and study.partial
    # An interrupted run writes only its (partial) report: no advice was decided, so no config to train with.
    outputs = {} if partial else _write_outputs(experiment, machine, plan, out_dir, created, peak)
    outputs.update({name: str(out_dir / name) for name in ("report.md", "report.json")})
    report = AnalysisReport(
        schema_version=SCHEMA_VERSION, created=created, config=str(experiment.path),
        config_hash=experiment.config_hash, fingerprint=machine.fingerprint.value, out_dir=str(out_dir),
        machine=machine, model=model, study=study, findings=tuple(findings),
        applied=tuple(dict.fromkeys(c.finding.code for c in plan.applied)),
        suggested=tuple(dict.fromkeys(c.finding.code for c in plan.suggested)), outputs=outputs, partial=partial)
    from .report.markdown import render_markdown  # presentation of the finished report

    (out_dir / "report.md").write_text(render_markdown(report))
    (out_dir / "report.json").write_text(to_json(report) + "\n")
    if partial:
        raise Interrupted(
            f"{study.notes[0]}. A partial report is in {out_dir / 'report.md'}; no config.cpu.jsonnet or env.sh "
            f"was written. Run the same command again to resume (no --force needed).", report)
    return report


def _write_outputs(experiment: Experiment, machine: MachineFacts, plan: ChangePlan, out_dir: Path,
                   created: str, peak_rss_bytes: Optional[int]) -> Dict[str, str]:
    config_out = out_dir / "config.cpu.jsonnet"
    user_overrides = parse_overrides(experiment.overrides, {**environment_ext_vars(), **experiment.ext_vars})
    config_out.write_text(render_overlay(experiment.path, config_out, plan, fingerprint=machine.fingerprint.value,
                                         user_overrides=user_overrides, created=created,
                                         peak_rss_bytes=peak_rss_bytes))
    env_out = out_dir / "env.sh"
    env_out.write_text(render_env(plan, config_out=config_out, out_dir=out_dir, ext_vars=experiment.ext_vars,
                                  include_packages=experiment.include_packages,
                                  fingerprint=machine.fingerprint.value, cwd=os.getcwd()))
    env_out.chmod(0o755)
    return {name: str(out_dir / name) for name in OUTPUT_FILES}

