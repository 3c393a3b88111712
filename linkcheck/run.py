"""One check run end to end, for the CLI and the Python API: collect → extract → check →
report → exit code. Prints nothing; returns what to show."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from . import asyncrun
from .checker import CheckReport, Progress, check
from .collect import DEFAULT_SUFFIXES, collect
from .config import Config
from .errors import ExitCode
from .extract.parallel import extract_sources
from .formats import Format
from .models import Link, Status, Verdict
from .report import ReportOptions, reporter_for
from .state import State, StateError

if TYPE_CHECKING:
    from .archive import Archive
    from .archive.wayback import Lookups
    from .fetch import Fetcher


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
    notice: Callable[[str], None] | None,
    cwd: Path,
    warnings: list[str],
) -> CheckReport:
    """The check, then what the archive stage adds: snapshots of alive links (--archive),
    Save Page Now (--save-to-wayback), and for dead links their local snapshot and newest
    Wayback capture (looked up while the check runs, bounded by a breaker and --max-time)."""
    deadline = time.monotonic() + config.max_time if config.max_time is not None else None
    async with _wayback_stage(config, state, deadline, warnings) as wayback:
        report = await check(
            links,
            config,
            state=state,
            progress=progress,
            notice=notice,
            on_verdict=wayback.on_verdict,
            deadline=deadline,
        )
        alive = _targets_with(report, Status.ALIVE, Status.REDIRECTED)
        dead = _targets_with(report, Status.DEAD)
        snapshots = await _archive_stage(config, cwd, alive, dead, warnings)
        captures = await wayback.captures(dead, online=not report.offline and not config.offline)
        if config.save_to_wayback and alive and not report.offline:
            await wayback.save(alive)
    return attach_copies(report, snapshots, captures)


def _targets_with(report: CheckReport, *statuses: Status) -> list[str]:
    return sorted(
        {r.target for r in report.results if r.target is not None and r.verdict.status in statuses}
    )


async def _archive_stage(
    config: Config, cwd: Path, alive: list[str], dead: list[str], warnings: list[str]
) -> dict[str, str]:
    """--archive snapshots the alive links; dead links get their newest local snapshot."""
    root = archive_root(cwd, config)
    snapshots: dict[str, str] = {}
    if not (config.archive or (dead and root.exists())):
        return snapshots
    from .archive import Archive, archive_urls

    archive = Archive(root)
    try:
        if config.archive and alive:
            outcomes = await archive_urls(alive, archive, config, max_age=86400.0)
            failed = [o for o in outcomes if o.result in ("failed", "refused")]
            if failed:
                warnings.append(f"archive: {len(failed)} of {len(alive)} pages not archived")
        snapshots = newest_pages(archive, dead)
    finally:
        archive.close()
    return snapshots


def newest_pages(archive: Archive, urls: Sequence[str]) -> dict[str, str]:
    """The readable copy of each URL's newest good snapshot, where there is one."""
    pages = {}
    for url in urls:
        latest = archive.latest(url)
        if latest is not None:
            pages[url] = str(archive.page_path(latest))
    return pages


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
    notice: Callable[[str], None] | None = None,
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
        report = asyncrun.run(
            _check_and_archive(links, config, state, progress, notice, cwd, warnings)
        )
        if state is not None:
            state.finish_run()
    finally:
        if state is not None:
            state.close()
    return report


class _WaybackStage:
    """Lookups of dead links' captures (started from the check's verdicts, cached a week in
    the state) and Save Page Now, on a fetcher of their own, made on first use (a run
    with nothing dead imports no network stack for it)."""

    def __init__(
        self, config: Config, state: State | None, deadline: float | None, warnings: list[str]
    ) -> None:
        self._config = config
        self._state = state if config.cache else None
        self._deadline = deadline
        self._warnings = warnings
        self._enabled = config.wayback and not config.offline
        self._fetcher: Fetcher | None = None
        self._lookups: Lookups | None = None

    def _lookups_now(self) -> Lookups:
        from .archive.wayback import LOOKUP_TIMEOUT, Lookups
        from .fetch import Fetcher
        from .settings import fetch_settings, with_limits

        if self._lookups is None:
            settings = fetch_settings(self._config)
            self._fetcher = Fetcher(with_limits(settings, max_retries=0, timeout=LOOKUP_TIMEOUT))
            self._lookups = Lookups(self._fetcher, deadline=self._deadline)
        return self._lookups

    def on_verdict(self, url: str, verdict: Verdict) -> None:
        if self._enabled and verdict.status is Status.DEAD and not self._known([url]):
            self._lookups_now().offer(url)

    def _known(self, urls: list[str]) -> dict[str, str | None]:
        return self._state.wayback(urls) if self._state is not None else {}

    async def captures(self, dead: list[str], *, online: bool) -> dict[str, str]:
        """The newest capture of each dead link that has one."""
        if not self._config.wayback or not dead:
            return {}
        known = self._known(dead)  # looked up within a week: not asked again
        if online and self._enabled:
            for url in dead:
                if url not in known:
                    self._lookups_now().offer(url)
        captures = {url: capture for url, capture in known.items() if capture}
        if self._lookups is None:
            return captures
        found = await self._lookups.finish()
        if self._lookups.warning is not None:
            self._warnings.append(self._lookups.warning)
        if self._state is not None:
            for lookup in found.values():
                if lookup.reached:  # an unreachable Wayback Machine proves nothing
                    self._state.record_wayback(lookup.url, lookup.capture)
        captures.update({u: f.capture for u, f in found.items() if f.capture and u in dead})
        return captures

    async def save(self, alive: list[str]) -> None:
        from .archive.wayback import credentials, save_all

        keys = credentials()
        if keys is None:
            self._warnings.append("--save-to-wayback needs IA_ACCESS_KEY and IA_SECRET_KEY")
            return
        self._lookups_now()
        assert self._fetcher is not None
        self._warnings.append(await save_all(self._fetcher, alive, keys, deadline=self._deadline))

    async def aclose(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()


@asynccontextmanager
async def _wayback_stage(
    config: Config, state: State | None, deadline: float | None, warnings: list[str]
) -> AsyncIterator[_WaybackStage]:
    stage = _WaybackStage(config, state, deadline, warnings)
    try:
        yield stage
    finally:
        await stage.aclose()


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
    notice: Callable[[str], None] | None = None,
    verbose: bool = False,
    quiet: bool = False,
    color: bool = False,
) -> Outcome:
    """Raises LinkcheckError subclasses for input and configuration errors. notice gets
    lines for the user while the run goes (the up-front plan)."""
    collected = collect(
        paths,
        suffixes=config.extensions or DEFAULT_SUFFIXES,
        stdin=stdin,
        gitignore=config.gitignore,
    )
    links = extract_sources(collected.sources)
    if config.changed_only:
        links = _on_changed_lines(links, cwd)
    report = check_with_state(links, config, cwd, collected.warnings, progress, notice)
    report = CheckReport(
        report.results, report.offline, report.fetched, report.cached, tuple(collected.warnings)
    )
    options = ReportOptions(fail_on=config.fail_on, verbose=verbose, quiet=quiet, color=color)
    rendered = reporter_for(Format(config.format)).render(report, options)
    return Outcome(report, rendered, exit_code_for(report, config), tuple(collected.warnings))
