"""One check run end to end, for the CLI and the Python API: collect → extract → check →
report → exit code. Prints nothing; returns what to show."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .checker import CheckReport, Progress, check
from .collect import DEFAULT_SUFFIXES, collect
from .config import Config
from .errors import ExitCode
from .extract.parallel import extract_sources
from .report import Format, ReportOptions, reporter_for
from .state import State, StateError


@dataclass(frozen=True)
class Outcome:
    report: CheckReport
    rendered: str
    exit_code: ExitCode
    warnings: tuple[str, ...]


def project_root(cwd: Path) -> Path:
    """Where .linkcheck/ lives: the repository root above cwd, else cwd (like .pytest_cache)."""
    for directory in (cwd, *cwd.parents):
        if (directory / ".git").exists():
            return directory
    return cwd


def exit_code_for(report: CheckReport, config: Config) -> ExitCode:
    if report.offline:
        return ExitCode.COULD_NOT_CHECK
    if any(result.verdict.status in config.fail_on for result in report.results):
        return ExitCode.LINKS_FAILED
    return ExitCode.OK


def run(
    paths: Sequence[str],
    config: Config,
    *,
    cwd: Path,
    stdin: BinaryIO | None = None,
    progress: Progress | None = None,
    verbose: bool = False,
    quiet: bool = False,
    color: bool = False,
) -> Outcome:
    """Raises LinkcheckError subclasses for input and configuration errors."""
    collected = collect(paths, suffixes=config.extensions or DEFAULT_SUFFIXES, stdin=stdin)
    links = extract_sources(collected.sources)
    state_path = project_root(cwd) / config.state_dir / "state.db"
    try:
        state = State(state_path)
    except StateError as error:
        collected.warnings.append(f"state not used: {error}")
        state = None
    try:
        if state is not None:
            state.begin_run()
        report = asyncio.run(check(links, config, state=state, progress=progress))
        if state is not None:
            state.finish_run()
    finally:
        if state is not None:
            state.close()
    report = CheckReport(
        report.results, report.offline, report.fetched, report.cached, tuple(collected.warnings)
    )
    options = ReportOptions(fail_on=config.fail_on, verbose=verbose, quiet=quiet, color=color)
    rendered = reporter_for(Format(config.format)).render(report, options)
    return Outcome(report, rendered, exit_code_for(report, config), tuple(collected.warnings))
