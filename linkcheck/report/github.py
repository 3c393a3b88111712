"""GitHub Actions workflow commands: an annotation per problem link."""

from __future__ import annotations

from ..models import CheckReport, Status
from .base import ReportOptions, copies, headline, problems


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GitHubReporter:
    def render(self, report: CheckReport, options: ReportOptions) -> str:
        lines = []
        for result in problems(report):
            link, verdict = result.link, result.verdict
            if verdict.status in options.fail_on:
                command = "error"
            elif verdict.status is Status.REDIRECTED:
                command = "warning"
            else:
                command = "notice"
            title = f"linkcheck: {verdict.status.value} ({verdict.reason})"
            message = link.raw
            if verdict.status is Status.REDIRECTED and verdict.final_url:
                message += f" → {verdict.final_url}"
            elif verdict.detail:
                message += f": {verdict.detail}"
            for copy in copies(result):
                message += f" ({copy})"
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
