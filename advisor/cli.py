"""The ``advisor`` command line: parse arguments, call the stages, render.

Thin on purpose: every command's work lives in the stage modules, so the
Python API and the CLI give the same answers.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, List, Optional

import typer
from rich.console import Console
from rich.markup import escape

from .errors import AdvisorError, Interrupted

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Measure an AllenNLP experiment on this machine and advise how to train it fast on CPU.",
)

_state = {"debug": False}


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors.")) -> None:
    _state["debug"] = debug


def _console() -> Console:
    return Console(highlight=False)


def _run(fn: Callable[[], None]) -> None:
    """User errors: one clear paragraph, exit 2. Interrupted: exit 130. Our own bugs: one paragraph, exit 3.

    ``--debug`` shows the traceback instead.
    """
    err = Console(stderr=True, highlight=False)
    try:
        fn()
    except AdvisorError as exc:
        if _state["debug"]:
            raise
        err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2)
    except Interrupted as exc:
        err.print(f"[bold yellow]interrupted:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(130)
    except KeyboardInterrupt:
        err.print("[bold yellow]interrupted[/] before any measurement was kept.")
        raise typer.Exit(130)
    except Exception as exc:  # noqa: BLE001 - never a bare traceback for the user
        if _state["debug"]:
            raise
        err.print(f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}. This is a bug "
                  "in cpu-advisor, not in your config: run the same command with --debug (before the "
                  "subcommand) for the traceback and report it.", soft_wrap=True)
        raise typer.Exit(3)


@app.command()
def probe(
    as_json: bool = typer.Option(False, "--json", help="Print the probe sheet as JSON."),
    root: Optional[Path] = typer.Option(
        None, "--root", help="Probe a recorded machine tree (procfs/sysfs files under DIR) instead of this machine."),
    measure: bool = typer.Option(
        False, "--measure", help="Also measure GEMM GFLOP/s and memory bandwidth (a few seconds)."),
) -> None:
    """Show what this machine offers for CPU training: cores, caches, ISA, limits, torch build."""

    def work() -> None:
        from probes import probe_machine, to_json

        if root is not None and not root.is_dir():
            raise AdvisorError(
                f"--root {root}: no such directory. Pass the folder that stands for '/' in a recorded "
                "machine tree (it holds proc/ and sys/), or leave --root out to probe this machine.")
        if root is not None and not any((root / marker).exists() for marker in ("proc/cpuinfo", "sys/devices/system/cpu")):
            raise AdvisorError(
                f"--root {root} is not a machine tree: it has neither proc/cpuinfo nor sys/devices/system/cpu. "
                "Pass the folder that stands for '/' in a recorded machine tree (it holds proc/ and sys/).")
        facts = probe_machine(root or "/", measure=measure)
        if as_json:
            sys.stdout.write(to_json(facts) + "\n")
            return
        from .report import machine_renderables

        console = _console()
        for renderable in machine_renderables(facts):
            console.print(renderable)
            console.print()

    _run(work)


def _load(config: Path, ext_var: List[str], overrides: Optional[str], include_package: List[str]):
    from .config import load_experiment, parse_ext_vars

    return load_experiment(config, ext_vars=parse_ext_vars(ext_var), overrides=overrides,
                           include_packages=include_package)


_CONFIG = typer.Argument(..., help="An AllenNLP training config (.jsonnet or .json).")
_EXT_VAR = typer.Option([], "-V", "--ext-var", help="Ext var for the jsonnet, NAME=VALUE (repeatable); "
                                                    "the environment is read too, as by allennlp train.")
_OVERRIDES = typer.Option(None, "--overrides", help="JSON/jsonnet overrides, as `allennlp train -o`.")
_INCLUDE = typer.Option([], "--include-package", help="Import this package for custom classes (repeatable).")


@app.command()
def inspect(
    config: Path = _CONFIG,
    ext_var: List[str] = _EXT_VAR,
    overrides: Optional[str] = _OVERRIDES,
    include_package: List[str] = _INCLUDE,
    as_json: bool = typer.Option(False, "--json", help="Print the facts as JSON."),
    no_build: bool = typer.Option(False, "--no-build", help="Static facts only: no AllenNLP, no torch."),
    sample_instances: int = typer.Option(2000, "--sample-instances", min=1,
                                         help="Read at most this many training instances."),
    sample_seconds: float = typer.Option(20.0, "--sample-seconds", min=0.1,
                                         help="Stop reading the sample after this many seconds."),
) -> None:
    """Read an AllenNLP config and build its real model on a sample of the training data."""

    def work() -> None:
        from probes import to_json

        experiment = _load(config, ext_var, overrides, include_package)
        if no_build:
            from .config import static_report

            report = static_report(experiment)
            if as_json:
                sys.stdout.write(to_json(report) + "\n")
                return
            from .report import static_renderables

            renderables = static_renderables(report.static, report.config, report.config_hash)
        else:
            from .inspect import inspect_experiment
            from .inspect.build import SampleCaps

            facts = inspect_experiment(experiment, SampleCaps(sample_instances, sample_seconds))
            if as_json:
                sys.stdout.write(to_json(facts) + "\n")
                return
            from .report import model_renderables

            renderables = model_renderables(facts)
        console = _console()
        for renderable in renderables:
            console.print(renderable)
            console.print()

    _run(work)


@app.command()
def analyze(
    config: Path = _CONFIG,
    ext_var: List[str] = _EXT_VAR,
    overrides: Optional[str] = _OVERRIDES,
    include_package: List[str] = _INCLUDE,
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="Output directory (default: advisor-NAME next "
                                                                 "to the config). Never the config itself."),
    force: bool = typer.Option(False, "--force", help="Overwrite outputs already in the output directory."),
    budget: float = typer.Option(120.0, "--budget", min=5, help="Seconds for the whole measurement."),
    trials: Optional[int] = typer.Option(None, "--trials", min=1, help="At most this many trials."),
    storage: Optional[str] = typer.Option(None, "--storage", help="Optuna storage URL (default: SQLite in OUT)."),
    no_trials: bool = typer.Option(False, "--no-trials", help="Static findings only, in seconds."),
    apply_behaviour: bool = typer.Option(False, "--apply-behaviour",
                                         help="Also apply behaviour-changing advice (precision, vocabulary, ...)."),
    allow_batch_change: bool = typer.Option(False, "--allow-batch-change",
                                            help="Let the search change the batch size (behaviour-changing)."),
    sample_instances: int = typer.Option(2000, "--sample-instances", min=1),
    sample_seconds: float = typer.Option(20.0, "--sample-seconds", min=0.1),
    reserve_cpus: Optional[int] = typer.Option(
        None, "--reserve-cpus", min=0, help="CPUs other work will use during training (a data pipeline, another "
                                            "job): fewer threads are tried. Default: the load seen when measuring."),
    wait_quiet: float = typer.Option(0.0, "--wait-quiet", min=0,
                                     help="Wait up to SECONDS for other processes to leave the CPUs before measuring."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON report to stdout."),
) -> None:
    """Probe, measure and decide: write an annotated CPU config, env.sh and a report."""

    def work() -> None:
        from .analysis import AnalyzeOptions, analyze as run
        from .config import parse_ext_vars
        from .trials import StudyOptions

        options = AnalyzeOptions(
            out_dir=out, force=force, trials=not no_trials, apply_behaviour=apply_behaviour,
            allow_batch_change=allow_batch_change, storage=storage, reserve_cpus=reserve_cpus,
            wait_quiet_s=wait_quiet,
            study=StudyOptions(budget_s=budget, n_trials=trials, sample_instances=sample_instances,
                               sample_seconds=sample_seconds))
        console = Console(stderr=as_json, highlight=False)
        _sigterm_as_interrupt()
        with _progress(console, budget, enabled=not no_trials) as on_progress:
            report = run(config, ext_vars=parse_ext_vars(ext_var), overrides=overrides,
                         include_packages=include_package, options=options, progress=on_progress,
                         notice=lambda line: console.print(f"[bold yellow]note:[/] {escape(line)}", soft_wrap=True))
        if as_json:
            from probes import to_json

            sys.stdout.write(to_json(report) + "\n")
            return
        from .report.analysis import analysis_renderables

        for renderable in analysis_renderables(report):
            console.print(renderable)

    _run(work)


def _sigterm_as_interrupt() -> None:
    """SIGTERM (kill, a job scheduler, a container stop) ends the study as Ctrl-C does: trials kept."""
    import signal

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


class _progress:
    """A rich progress bar fed by the study's progress events (nothing when disabled)."""

    def __init__(self, console: Console, budget: float, enabled: bool) -> None:
        self.console, self.budget, self.enabled = console, budget, enabled

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                            TextColumn("{task.fields[best]}"), console=self.console, transient=True)
        self.bar.__enter__()
        self.task = self.bar.add_task("measuring", total=self.budget, best="")

        def update(event) -> None:
            best = (f"best {event.best_instances_per_s:.0f} inst/s: {event.best_label}"
                    if event.best_instances_per_s else "")
            self.bar.update(self.task, completed=min(event.elapsed_s, self.budget),
                            description=f"{event.phase} · {event.trials_done} trials", best=best[:70])

        return update

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self.bar.__exit__(*exc)


@app.command()
def check(
    config: Path = _CONFIG,
    ext_var: List[str] = _EXT_VAR,
    overrides: Optional[str] = _OVERRIDES,
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when there are warnings."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
) -> None:
    """Fast static checks before training (no trials, no AllenNLP): exit 0 clean, 1 warnings (--strict), 2 errors."""
    from .preflight import exit_code, preflight

    result = None

    def work() -> None:
        nonlocal result
        from .config import parse_ext_vars

        result = preflight(config, ext_vars=parse_ext_vars(ext_var), overrides=overrides)

    _run(work)
    if as_json:
        from probes import to_jsonable
        import json

        data = to_jsonable(result)
        data["exit_code"] = exit_code(result, strict)
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        from .report.analysis import check_renderables

        console = _console()
        for renderable in check_renderables(result, strict):
            console.print(renderable)
    raise typer.Exit(exit_code(result, strict))


@app.command("rules")
def rules_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
    """List the rule catalogue."""
    from rules import all_rules

    catalogue = all_rules()
    if as_json:
        import json

        rows = [dict(zip(("code", "category", "severity", "kind", "title"), cls.summary())) for cls in catalogue.values()]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    from .report.analysis import rules_table

    _console().print(rules_table(catalogue))


@app.command()
def explain(code: str = typer.Argument(..., help="A rule code, e.g. C001."),
            as_json: bool = typer.Option(False, "--json")) -> None:
    """Explain one rule: what it does, why it matters, example, fix, references."""

    def work() -> None:
        from rules import all_rules, get_rule

        try:
            cls = get_rule(code)
        except KeyError:
            raise AdvisorError(f"no rule {code!r}. Known codes: {', '.join(all_rules())} (`advisor rules` lists them).")
        if as_json:
            import json

            page = dict(zip(("code", "category", "severity", "kind", "title"), cls.summary()))
            page["summary"] = (cls.__doc__ or "").strip().splitlines()[0]
            page.update({name.lower().replace(" ", "_"): body for name, body in cls.doc_sections().items()})
            sys.stdout.write(json.dumps(page, indent=2) + "\n")
            return
        from .report.analysis import rule_page

        for renderable in rule_page(cls):
            _console().print(renderable)

    _run(work)


def main() -> None:
    app(prog_name="advisor")
