"""Markdown: an issue body for scheduled CI."""

from __future__ import annotations

from collections.abc import Iterator

from ..models import CheckReport, Result, Status
from .base import ReportOptions, headline, problems

_SECTIONS = (
    (Status.DEAD, "Dead links", "Why"),
    (Status.DEAD, "Dead links, acknowledged", "Why"),
    (Status.REDIRECTED, "Redirected links (update them)", "Now at"),
    (Status.UNKNOWN, "Could not verify", "Why"),
)


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _link(url: str) -> str:
    """External URLs as autolinks, anything else as code (a relative <path> is no link)."""
    return f"<{url}>" if url.startswith(("http://", "https://")) else f"`{_cell(url)}`"


def _why(result: Result, status: Status) -> str:
    verdict = result.verdict
    if status is Status.REDIRECTED:
        return f"{_link(verdict.final_url or '')} ({verdict.reason})"
    detail = f": {verdict.detail}" if verdict.detail else ""
    streak = ""
    if result.history and result.history.consecutive_failures > 1:
        streak = f" (failing {result.history.consecutive_failures} runs in a row)"
    archived = ""
    if result.snapshot:
        archived += f"; snapshot: `{_cell(result.snapshot)}`"
    if result.wayback:
        archived += f"; [Wayback]({result.wayback})"
    checked = f"; checked as {_link(result.target)}" if result.remapped and result.target else ""
    return f"`{verdict.reason}`{_cell(detail)}{streak}{checked}{archived}"


class MarkdownReporter:
    def render(self, report: CheckReport, options: ReportOptions) -> Iterator[str]:
        """Its lines, each made as it is written (a line ends where the next begins)."""
        yield "\n".join(["## linkcheck report", "", headline(report) + ".", ""])
        for status, title, why in _SECTIONS:
            acknowledged = title.endswith("acknowledged")
            found = [r for r in problems(report, (status,)) if r.acknowledged == acknowledged]
            if not found:
                continue
            yield "\n" + "\n".join(
                [
                    f"### {title} ({len(found)})",
                    "",
                    f"| Post | Line | Link | {why} |",
                    "| --- | --- | --- | --- |",
                ]
            )
            for result in found:
                link = result.link
                yield (
                    f"\n| `{_cell(link.file)}` | {link.line}:{link.column} | "
                    f"{_link(link.raw)} | {_why(result, status)} |"
                )
            yield "\n"
        if not problems(report):
            yield "\nEvery link checked is alive.\n"
