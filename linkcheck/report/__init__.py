"""Report formats: one class per format behind one protocol (report/base.py), selected
from an enum; each format's module is imported only when it is asked for."""

from __future__ import annotations

from typing import assert_never

from ..formats import Format
from .base import Reporter, ReportOptions


def reporter_for(fmt: Format) -> Reporter:
    # One import per format: the terminal format's rich and the HTML page's template cost
    # 0.06 s at every start, which a JSON report for CI never needs. Plain import
    # statements, not importlib, so the layout test's import walker sees each one.
    if fmt is Format.TERMINAL:
        from .terminal import TerminalReporter

        return TerminalReporter()
    if fmt is Format.JSON:
        from .json_report import JsonReporter

        return JsonReporter()
    if fmt is Format.MARKDOWN:
        from .markdown import MarkdownReporter

        return MarkdownReporter()
    if fmt is Format.JUNIT:
        from .junit import JUnitReporter

        return JUnitReporter()
    if fmt is Format.SARIF:
        from .sarif import SarifReporter

        return SarifReporter()
    if fmt is Format.GITHUB:
        from .github import GitHubReporter

        return GitHubReporter()
    if fmt is Format.HTML:
        from .html import HtmlReporter

        return HtmlReporter()
    assert_never(fmt)


__all__ = ["ReportOptions", "Reporter", "reporter_for"]
