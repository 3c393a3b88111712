"""`linkcheck check`: every link's verdict, the run recorded in the history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..config import Config
from ..errors import ExitCode
from ..models import CheckReport, Progress
from .loading import load_links
from .pipeline import exit_code_for, recorded_check


@dataclass(frozen=True)
class CheckOutcome:
    report: CheckReport
    exit_code: ExitCode


def check(
    paths: Sequence[str],
    config: Config,
    *,
    cwd: Path,
    stdin: BinaryIO | None = None,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
) -> CheckOutcome:
    """Raises LinkcheckError subclasses for input and configuration errors. notice gets
    lines for the user while the run goes (the up-front plan)."""
    loaded = load_links(paths, config, cwd=cwd, stdin=stdin, changed_only=config.changed_only)
    report = recorded_check(loaded, config, cwd=cwd, progress=progress, notice=notice)
    return CheckOutcome(report, exit_code_for(report, config))
