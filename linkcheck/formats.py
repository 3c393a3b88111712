"""The report formats, as the CLI and the reporters name them (kept light to import)."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    TERMINAL = "terminal"
    JSON = "json"
    MARKDOWN = "markdown"
    JUNIT = "junit"
    SARIF = "sarif"
    GITHUB = "github"
    HTML = "html"
