"""linkcheck: a link-rot checker and archiver for Markdown blogs.

The Python API: `extract_links` (one document's links, no network) and `check` (what
`linkcheck check` does, returned as a CheckReport rather than printed).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from .config import Config
from .errors import LinkcheckError
from .models import CheckReport, Link, LinkKind, Result, Scope, Status, Target, Verdict
from .version import __version__

__all__ = [
    "CheckReport",
    "Config",
    "Link",
    "LinkKind",
    "LinkcheckError",
    "Result",
    "Scope",
    "Status",
    "Target",
    "Verdict",
    "__version__",
    "check",
    "extract_links",
]


def extract_links(path: str, text: str) -> list[Link]:
    """Every link in one Markdown or HTML document (chosen by the path's suffix)."""
    from .extract import extract_text

    return extract_text(path, text)


def check(
    paths: Sequence[str | os.PathLike[str]],
    config: Config | None = None,
    *,
    cwd: Path | None = None,
) -> CheckReport:
    """Check every link in the files, folders or globs named, as `linkcheck check` does:
    the run is recorded in the history (Config.state_dir at the project root) and the
    report returned; nothing is printed.
    Raises LinkcheckError (with an exit_code) for unusable input or configuration."""
    from .commands.check import check as run_check

    outcome = run_check([os.fspath(p) for p in paths], config or Config(), cwd=cwd or Path.cwd())
    return outcome.report
