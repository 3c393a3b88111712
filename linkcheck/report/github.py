"""GitHub Actions workflow commands: an annotation per problem link."""

from __future__ import annotations

from collections.abc import Iterator

from ..models import CheckReport
from .base import ReportOptions, explanation, headline, problems, severity


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GitHubReporter:
    def render(self, report: CheckReport, options: ReportOptions) -> Iterator[str]:
        """A line per problem, each made as it is written."""
        for result in problems(report):
            link, verdict = result.link, result.verdict
            level = severity(result, options)
            command = "notice" if level == "note" else level  # GitHub's word for a note
            title = f"linkcheck: {verdict.status.value} ({verdict.reason})"
            message = link.raw + explanation(result, moved=" → {}", copy=" ({})")
            properties = ",".join(
                [
                    f"file={_escape_property(link.file)}",
                    f"line={link.line}",
                    f"col={link.column}",
                    f"title={_escape_property(title)}",
                ]
            )
            yield f"::{command} {properties}::{_escape_data(message)}\n"
        yield f"::notice title=linkcheck::{_escape_data(headline(report))}\n"
