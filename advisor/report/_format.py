"""Small formatting helpers shared by the renderers."""
from __future__ import annotations

from typing import Optional

__all__ = ["attribution_line", "bytes_h", "yes_no", "or_dash"]


def bytes_h(n: Optional[int]) -> str:
    if n is None:
        return "-"
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if value >= 100 or value == int(value) else f"{value:.1f} {unit}"
    return f"{n} B"


def yes_no(flag: Optional[bool]) -> str:
    if flag is None:
        return "[dim]unknown[/]"
    return "[green]yes[/]" if flag else "[red]no[/]"


def or_dash(value: object) -> str:
    return "-" if value is None or value == "" else str(value)


def attribution_line(study) -> Optional[str]:
    """Which of the applied changes made the difference: the main-effects fit's estimate, or the one change's
    gain as the rounds measured it."""
    if study is None or not study.attribution:
        return None
    if len(study.attribution) == 1 and study.attribution[0].source == "rounds":
        e = study.attribution[0]
        return (f"which change made the difference: {e.dimension}={e.value}, the one change applied "
                f"(x{e.gain:.2f} in the interleaved rounds)")
    parts = ", ".join(f"{e.dimension}={e.value} x{e.gain:.2f} ({e.trials} trials)" for e in study.attribution)
    return f"which change made the difference (estimated from the search's trials, each with the others held): {parts}"
