"""The terminal: problems per post, then a summary by status and by host (rich)."""

from __future__ import annotations

import io
from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..models import CheckReport, Result, Status
from .base import PROBLEMS, ReportOptions, by_host, copies, headline

STYLES = {
    Status.ALIVE: "green",
    Status.REDIRECTED: "yellow",
    Status.DEAD: "bold red",
    Status.UNKNOWN: "magenta",
    Status.EXCLUDED: "dim",
}


_COLUMNS = (Status.ALIVE, Status.REDIRECTED, Status.DEAD, Status.UNKNOWN, Status.EXCLUDED)


class TerminalReporter:
    def render(self, report: CheckReport, options: ReportOptions) -> str:
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            force_terminal=options.color,
            no_color=not options.color,
            width=120,
            highlight=False,
            soft_wrap=True,
        )
        shown = set(Status) if options.verbose else set(PROBLEMS)
        if not options.quiet:
            listed = [r for r in report.results if r.verdict.status in shown]
            for file, group in groupby(listed, key=lambda r: r.link.file):
                console.print(Text(file, style="bold"))
                for result in group:
                    _print_result(console, result)
                console.print()
            console.print(_host_table(report))
            console.print()
        console.print(Text(headline(report) + ".", style="bold"))
        return buffer.getvalue()


def _print_result(console: Console, result: Result) -> None:
    """Its place, status, reason and URL; under it what to do, then its copies."""
    link, verdict = result.link, result.verdict
    line = Text(f"  {link.line}:{link.column}".ljust(10))
    line.append(f"{verdict.status.value:<11}", style=STYLES[verdict.status])
    line.append(f"{verdict.reason:<20} ")
    line.append(link.raw)
    if verdict.from_cache:
        line.append(" (cached)", style="dim")
    if result.acknowledged:
        line.append(" (acknowledged)", style="dim")
    console.print(line)
    note = None
    if verdict.status is Status.REDIRECTED and verdict.final_url:
        note = f"→ {verdict.final_url}"
    elif verdict.detail and verdict.status is not Status.ALIVE:
        note = verdict.detail
    if result.history and result.history.consecutive_failures > 1:
        streak = f"failing {result.history.consecutive_failures} runs in a row"
        note = f"{note}; {streak}" if note else streak
    if note:
        console.print(Text(" " * 31 + note, style="dim"))
    if result.remapped and result.target:
        console.print(Text(" " * 31 + f"checked as {result.target} (--remap)", style="dim"))
    for copy in copies(result):
        console.print(Text(" " * 31 + copy, style="cyan"))


def _host_table(report: CheckReport) -> Table:
    table = Table(title="By host", title_justify="left", show_edge=False)
    table.add_column("host")
    for status in _COLUMNS:
        table.add_column(status.value, justify="right", style=STYLES[status])
    for host, counts in by_host(report):
        table.add_row(host, *(str(counts[s] or "") for s in _COLUMNS))
    return table
