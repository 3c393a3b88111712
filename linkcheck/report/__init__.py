"""Report formats: one class per format behind one protocol (report/base.py), selected
from an enum; each format's module is imported only when it is asked for."""

from __future__ import annotations

from ..formats import Format
from .base import Reporter, ReportOptions


def reporter_for(fmt: Format) -> Reporter:
    from . import github, html, json_report, junit, markdown, sarif, terminal

    reporters: dict[Format, Reporter] = {
        Format.TERMINAL: terminal.TerminalReporter(),
        Format.JSON: json_report.JsonReporter(),
        Format.MARKDOWN: markdown.MarkdownReporter(),
        Format.JUNIT: junit.JUnitReporter(),
        Format.SARIF: sarif.SarifReporter(),
        Format.GITHUB: github.GitHubReporter(),
        Format.HTML: html.HtmlReporter(),
    }
    return reporters[fmt]


__all__ = ["ReportOptions", "Reporter", "reporter_for"]
