"""GitHub Actions workflow commands: an annotation per problem link."""

from __future__ import annotations

from ..models import CheckReport
from .base import ReportOptions, explanation, headline, problems, severity


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GitHubReporter:
    def render(self, report: CheckReport, options: ReportOptions) -> str:
        lines = []
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
            lines.append(f"::{command} {properties}::{_escape_data(message)}")
        lines.append(f"::notice title=linkcheck::{_escape_data(headline(report))}")
        return "\n".join(lines) + "\n"
