"""One check run end to end, for the CLI and the Python API: collect → extract → check →
report → exit code. Prints nothing; returns what to show."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from .checker import CheckReport, Progress, check
from .collect import DEFAULT_SUFFIXES, collect
from .config import Config
from .errors import ExitCode
from .extract.parallel import extract_sources
from .formats import Format
from .models import Link, Status
from .report import ReportOptions, reporter_for
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


def archive_root(cwd: Path, config: Config) -> Path:
    """.linkcheck/archive at the project root, beside the state database."""
    return project_root(cwd) / config.state_dir / "archive"


def exit_code_for(report: CheckReport, config: Config) -> ExitCode:
    if report.offline:
        return ExitCode.COULD_NOT_CHECK
    if any(result.verdict.status in config.fail_on for result in report.results):
        return ExitCode.LINKS_FAILED
    return ExitCode.OK


async def _check_and_archive(
    links: Sequence[Link],
    config: Config,
    state: State | None,
    progress: Progress | None,
    cwd: Path,
    warnings: list[str],
) -> CheckReport:
    """The check, then what the archive stage adds: snapshots of alive links (--archive),
    Save Page Now (--save-to-wayback), and for dead links their local snapshot and newest
    Wayback capture."""
    report = await check(links, config, state=state, progress=progress)
    alive = sorted(
        {
            r.target
            for r in report.results
            if r.target is not None and r.verdict.status in (Status.ALIVE, Status.REDIRECTED)
        }
    )
    dead = sorted(
        {
            r.target
            for r in report.results
            if r.target is not None and r.verdict.status is Status.DEAD
        }
    )
    root = archive_root(cwd, config)
    snapshots: dict[str, str] = {}
    if config.archive or (dead and root.exists()):
        from .archive import Archive, archive_urls

        archive = Archive(root)
        try:
            if config.archive and alive:
                outcomes = await archive_urls(alive, archive, config, max_age=86400.0)
                failed = [o for o in outcomes if o.result in ("failed", "refused")]
                if failed:
                    warnings.append(f"archive: {len(failed)} of {len(alive)} pages not archived")
            for url in dead:
                latest = archive.latest(url)
                if latest is not None:
                    snapshots[url] = str(archive.page_path(latest))
        finally:
            archive.close()
    wayback: dict[str, str] = {}
    if dead and config.wayback and state is not None and config.cache:
        known = state.wayback(dead)  # looked up within a week: not asked again
        wayback.update({url: capture for url, capture in known.items() if capture})
        dead = [url for url in dead if url not in known]
    online = not report.offline and not config.offline
    if (dead and config.wayback and online) or (config.save_to_wayback and alive and online):
        found = await _wayback(
            config,
            dead if config.wayback else [],
            alive if config.save_to_wayback else [],
            warnings,
        )
        if state is not None and config.wayback and online:
            for url in dead:
                state.record_wayback(url, found.get(url))
        wayback.update(found)
    return attach_copies(report, snapshots, wayback)


def attach_copies(
    report: CheckReport, snapshots: dict[str, str], wayback: dict[str, str]
) -> CheckReport:
    """Point each dead link at its local snapshot and Wayback capture, where there is one."""
    if not snapshots and not wayback:
        return report
    results = tuple(
        replace(r, snapshot=snapshots.get(r.target or ""), wayback=wayback.get(r.target or ""))
        if r.verdict.status is Status.DEAD
        else r
        for r in report.results
    )
    return replace(report, results=results)


def check_with_state(
    links: Sequence[Link],
    config: Config,
    cwd: Path,
    warnings: list[str],
    progress: Progress | None = None,
) -> CheckReport:
    """One recorded run: the state database opened, the run begun and finished around the
    check (a run that dies stays unfinished in the history), the database closed."""
    try:
        state: State | None = State(project_root(cwd) / config.state_dir / "state.db")
    except StateError as error:
        warnings.append(f"state not used: {error}")
        state = None
    try:
        if state is not None:
            state.begin_run()
        report = asyncio.run(_check_and_archive(links, config, state, progress, cwd, warnings))
        if state is not None:
            state.finish_run()
    finally:
        if state is not None:
            state.close()
    return report


async def _wayback(
    config: Config, dead: list[str], alive: list[str], warnings: list[str]
) -> dict[str, str]:
    from .archive.wayback import credentials, newest_capture, save_page_now
    from .fetch import Fetcher, fetch_settings

    fetcher = Fetcher(fetch_settings(config))
    try:
        found = await asyncio.gather(*(newest_capture(fetcher, url) for url in dead))
        if alive:
            keys = credentials()
            if keys is None:
                warnings.append("--save-to-wayback needs IA_ACCESS_KEY and IA_SECRET_KEY")
            else:
                saved = [await save_page_now(fetcher, url, keys) for url in alive]
                done = sum(1 for s in saved if s.status == "archived")
                warnings.append(f"Save Page Now: {done} of {len(saved)} pages archived")
    finally:
        await fetcher.aclose()
    return {url: capture for url, capture in zip(dead, found, strict=True) if capture}


def _on_changed_lines(links: list[Link], cwd: Path) -> list[Link]:
    from .changed import ALL_LINES, changed_lines

    files = sorted({link.file for link in links if link.file != "-"})
    changed = changed_lines(files, cwd) if files else {}
    kept = []
    for link in links:
        lines = changed.get((cwd / link.file).resolve(), set())
        if lines is ALL_LINES or (lines is not None and link.line in lines):
            kept.append(link)
    return kept


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
    if config.changed_only:
        links = _on_changed_lines(links, cwd)
    report = check_with_state(links, config, cwd, collected.warnings, progress)
    report = CheckReport(
        report.results, report.offline, report.fetched, report.cached, tuple(collected.warnings)
    )
    options = ReportOptions(fail_on=config.fail_on, verbose=verbose, quiet=quiet, color=color)
    rendered = reporter_for(Format(config.format)).render(report, options)
    return Outcome(report, rendered, exit_code_for(report, config), tuple(collected.warnings))
