"""The terminal report of ``advisor analyze``: one screen, top findings first, snippet under each."""
from __future__ import annotations

from typing import List

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from ..emit import finding_snippet
from ._format import attribution_line

__all__ = ["analysis_renderables", "check_renderables", "rules_table", "rule_page"]

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def analysis_renderables(report, *, top: int = 6) -> List[RenderableType]:
    m, study = report.machine, report.study
    head = (f"[bold]{escape(report.config)}[/] on {escape(m.cpu.model_name)}, {m.limits.usable_cpus} usable CPUs, "
            f"{m.isa.best_vector_isa}, bf16 {'native' if m.isa.native_bf16 else 'emulated'} · "
            f"fingerprint {report.fingerprint}")
    if study is not None and study.best is not None:
        head += f"\n[bold green]{study.best.verdict}[/]  applied: {study.best.setting.label()}"
        attribution = attribution_line(study)
        if attribution:
            head += f"\n[dim]{escape(attribution)}[/]"
        for key, gain in study.behaviour_gains.items():
            head += f"\n[dim]behaviour-changing {key} on top: {gain.verdict}[/]"
    elif study is None:
        head += "\n[dim]static checks only (--no-trials)[/]"
    if study is not None and study.load is not None:
        load = study.load
        head += (f"\n[dim]outside load: {load.plan.before.outside_cores:.2f} cores before measuring"
                 + (f", median {load.median_cores:.2f} during trials" if load.median_cores is not None else "")
                 + f"; {load.plan.reserve_cpus} CPU(s) kept free[/]")
        for warning in load.warnings:
            head += f"\n[yellow]load: {escape(warning)}[/]"
    if study is not None and study.partial:
        head += "\n[bold yellow]PARTIAL: interrupted before the advice was decided[/]"
    out: List[RenderableType] = [Panel(head, title="cpu-advisor", expand=False)]
    for f in report.findings[:top]:
        status = "applied" if f.code in report.applied else ("suggested" if f.code in report.suggested else "")
        title = (f"[{_STYLE[f.severity.value]}]{f.code}[/] {f.title} · {f.kind.value}"
                 + (f" · [bold]{status}[/]" if status else ""))
        body: List[RenderableType] = [escape(f.message), f"[bold]fix:[/] {escape(f.fix)}"]
        if f.expected_effect:
            body.append(f"[green]{f.expected_effect}[/]")
        snippet = finding_snippet(f)
        if snippet:
            body.append(Syntax(snippet, "javascript", theme="ansi_dark", background_color="default"))
        out.append(Panel(Group(*body), title=title, title_align="left"))
    if len(report.findings) > top:
        rest = ", ".join(f.code for f in report.findings[top:])
        out.append(f"[dim]{len(report.findings) - top} more in report.md: {rest}[/]")
    if study is not None:
        table = Table(title="Trials (best first)", title_justify="left", box=None, padding=(0, 2))
        for col in ("#", "setting", "state", "inst/s"):
            table.add_column(col, overflow="fold")
        ranked = sorted((t for t in study.trials if t.state != "reused"), key=lambda t: -(t.value or 0))
        for t in ranked[:8]:
            table.add_row(str(t.number), t.setting.label(), t.state, f"{t.value:.1f}" if t.value else (t.reason or ""))
        out.append(table)
        o = study.overhead
        out.append(f"[dim]{len(study.trials)} trials in {o.total_s:.0f} s; advisor overhead {o.worker_start_s:.0f} s "
                   f"({o.fraction_of_budget:.0%} of budget)[/]")
    out.append("written: " + ", ".join(report.outputs.values()))
    return out


def rules_table(rules) -> Table:
    table = Table(title="Rules", title_justify="left", box=None, padding=(0, 2))
    for col in ("code", "category", "severity", "kind", "title"):
        table.add_column(col)
    for cls in rules.values():
        table.add_row(*cls.summary())
    return table


def rule_page(cls) -> List[RenderableType]:
    from rich.markdown import Markdown

    sections = cls.doc_sections()
    first = (cls.__doc__ or "").strip().splitlines()[0]
    text = f"# {cls.code} {cls.title}\n\n{first}\n\n*{cls.category} · {cls.severity.value} · {cls.kind.value}*\n\n"
    text += "\n\n".join(f"## {name}\n\n{body}" for name, body in sections.items())
    return [Markdown(text)]


def check_renderables(result, strict: bool) -> List[RenderableType]:
    out: List[RenderableType] = []
    for f in result.findings:
        out.append(f"[{_STYLE[f.severity.value]}]{f.code} {f.severity.value:7}[/] {f.message}\n        [dim]fix:[/] {f.fix}")
    errors, warnings = len(result.errors), len(result.warnings)
    verdict = ("[bold red]errors: training would fail or misbehave[/]" if errors else
               "[yellow]warnings[/]" if warnings else "[green]clean[/]")
    out.append(f"{result.config}: {errors} error(s), {warnings} warning(s), "
               f"{len(result.findings) - errors - warnings} note(s) · {verdict}"
               + (" (--strict: warnings fail)" if strict and warnings and not errors else ""))
    return out
