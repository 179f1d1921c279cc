"""The ``advisor`` command line: parse arguments, call the stages, render.

Thin on purpose: every command's work lives in the stage modules, so the
Python API and the CLI give the same answers.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Optional

import typer
from rich.console import Console

from .errors import AdvisorError

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
    """Turn user errors into one clear paragraph and exit code 2."""
    try:
        fn()
    except AdvisorError as exc:
        if _state["debug"]:
            raise
        Console(stderr=True, highlight=False).print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        raise typer.Exit(2)


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


def main() -> None:
    app(prog_name="advisor")
