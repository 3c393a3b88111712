"""The terminal: problems per post, then a summary by status and by host (rich)."""

from __future__ import annotations

import io
from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..models import CheckReport, Result, Status
from .base import PROBLEMS, ReportOptions, by_host, copies, headline, host_of

STYLES = {
    Status.ALIVE: "green",
    Status.REDIRECTED: "yellow",
    Status.DEAD: "bold red",
    Status.UNKNOWN: "magenta",
    Status.EXCLUDED: "dim",
}


_COLUMNS = (Status.ALIVE, Status.REDIRECTED, Status.DEAD, Status.UNKNOWN, Status.EXCLUDED)


# At the real blog's size (25,000 URLs, 1,868 hosts) a line per link is 58,000 lines: by
# default problems are grouped by status, reason and host, the first few of each shown.
GROUP_LINKS = 5  # links shown of each group
STATUS_GROUPS = 12  # groups shown of each status
TABLE_HOSTS = 20  # rows of the by-host table


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
        if not options.quiet:
            if options.verbose:
                _every_link(console, report)
            else:
                _grouped(console, report)
            console.print(_host_table(report, every_host=options.verbose))
            console.print()
        console.print(Text(headline(report) + ".", style="bold"))
        return buffer.getvalue()


def _every_link(console: Console, report: CheckReport) -> None:
    """--verbose: every link of every status, per post, in source order."""
    for file, group in groupby(report.results, key=lambda r: r.link.file):
        console.print(Text(file, style="bold"))
        for result in group:
            _print_result(console, result)
        console.print()


def _grouped(console: Console, report: CheckReport) -> None:
    """The problems by status, then by reason and host, biggest group first; a group's
    shared detail said once, on its heading."""
    for status in PROBLEMS:
        groups: dict[tuple[str, str], list[Result]] = {}
        for result in report.results:
            if result.verdict.status is status:
                groups.setdefault((result.verdict.reason, host_of(result)), []).append(result)
        if not groups:
            continue
        total = sum(len(g) for g in groups.values())
        console.print(Text(f"{status.value}: {_links(total)}", style=STYLES[status]))
        ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
        for (reason, host), results in ordered[:STATUS_GROUPS]:
            details = {r.verdict.detail for r in results}
            shared = details.pop() if len(details) == 1 else None
            heading = Text(f"  {reason} · {host} · {_links(len(results))}", style="bold")
            if shared and status is not Status.REDIRECTED:
                heading.append(f": {shared}", style="dim")
            console.print(heading)
            for result in results[:GROUP_LINKS]:
                _print_member(console, result, said=shared)
            if len(results) > GROUP_LINKS:
                more = len(results) - GROUP_LINKS
                console.print(Text(f"    … and {more:,} more (--verbose lists them)", style="dim"))
        rest = ordered[STATUS_GROUPS:]
        if rest:
            hidden = sum(len(results) for _, results in rest)
            console.print(
                Text(
                    f"  … and {len(rest):,} more groups, {_links(hidden)} (--verbose lists them)",
                    style="dim",
                )
            )
        console.print()


def _links(count: int) -> str:
    return f"{count:,} link{'' if count == 1 else 's'}"


def _print_member(console: Console, result: Result, *, said: str | None) -> None:
    link, verdict = result.link, result.verdict
    line = Text(f"    {link.file}:{link.line}:{link.column}  ")
    line.append(link.raw)
    if verdict.status is Status.REDIRECTED and verdict.final_url:
        line.append(f" → {verdict.final_url}", style="yellow")
    console.print(_marked(line, result))
    notes = []
    if verdict.detail and verdict.detail != said and verdict.status is not Status.REDIRECTED:
        notes.append(verdict.detail)
    if streak := _streak(result):
        notes.append(streak)
    if result.remapped and result.target:
        notes.append(f"checked as {result.target} (--remap)")
    if notes:
        console.print(Text(" " * 6 + "; ".join(notes), style="dim"))
    _print_copies(console, result, 6)


def _marked(line: Text, result: Result) -> Text:
    """line, with what the verdict is beside its own: from the cache, acknowledged."""
    if result.verdict.from_cache:
        line.append(" (cached)", style="dim")
    if result.acknowledged:
        line.append(" (acknowledged)", style="dim")
    return line


def _streak(result: Result) -> str | None:
    failures = result.history.consecutive_failures if result.history else 0
    return f"failing {failures} runs in a row" if failures > 1 else None


def _print_copies(console: Console, result: Result, indent: int) -> None:
    for copy in copies(result):
        console.print(Text(" " * indent + copy, style="cyan"))


def _print_result(console: Console, result: Result) -> None:
    """Its place, status, reason and URL; under it what to do, then its copies."""
    link, verdict = result.link, result.verdict
    line = Text(f"  {link.line}:{link.column}".ljust(10))
    line.append(f"{verdict.status.value:<11}", style=STYLES[verdict.status])
    line.append(f"{verdict.reason:<20} ")
    line.append(link.raw)
    console.print(_marked(line, result))
    note = None
    if verdict.status is Status.REDIRECTED and verdict.final_url:
        note = f"→ {verdict.final_url}"
    elif verdict.detail and verdict.status is not Status.ALIVE:
        note = verdict.detail
    if streak := _streak(result):
        note = f"{note}; {streak}" if note else streak
    if note:
        console.print(Text(" " * 31 + note, style="dim"))
    if result.remapped and result.target:
        console.print(Text(" " * 31 + f"checked as {result.target} (--remap)", style="dim"))
    _print_copies(console, result, 31)


def _host_table(report: CheckReport, *, every_host: bool) -> Table:
    """Hosts by their problems, most first: those with none only with --verbose, and the
    first TABLE_HOSTS otherwise."""
    rows = by_host(report)
    if not every_host:
        rows = [(host, counts) for host, counts in rows if any(counts[s] for s in PROBLEMS)]
    rows.sort(key=lambda row: (-sum(row[1][s] for s in PROBLEMS), -row[1].total(), row[0]))
    shown = rows if every_host else rows[:TABLE_HOSTS]
    title = "By host" if every_host else "Hosts with problems"
    if len(shown) < len(rows):
        title += f" (the {len(shown)} with the most of {len(rows):,}; --verbose lists all)"
    table = Table(title=title, title_justify="left", show_edge=False)
    table.add_column("host")
    for status in _COLUMNS:
        table.add_column(status.value, justify="right", style=STYLES[status])
    for host, counts in shown:
        table.add_row(host, *(str(counts[s] or "") for s in _COLUMNS))
    return table
