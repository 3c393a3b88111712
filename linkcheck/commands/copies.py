"""What a check adds beside verdicts: snapshots of alive links (--archive), Save Page Now
(--save-to-wayback), and for each dead link its newest local snapshot and Wayback capture
(looked up while the check runs, bounded by a breaker and --max-time)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, closing
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..engine.checker import check
from ..models import CheckReport, Link, Progress, Status, Verdict
from ..paths import archive_folder
from ..state import State

if TYPE_CHECKING:
    from ..archive import Archive
    from ..archive.wayback import Lookups
    from ..fetch.fetcher import Fetcher


async def check_with_copies(
    links: Sequence[Link],
    ignored: frozenset[Link],
    config: Config,
    state: State | None,
    cwd: Path,
    warnings: list[str],
    progress: Progress | None,
    notice: Callable[[str], None] | None,
) -> CheckReport:
    """The check, then the copies of its links; what goes wrong on the way is appended to
    warnings (the run goes on)."""
    deadline = time.monotonic() + config.max_time if config.max_time is not None else None
    async with _wayback_stage(config, state, deadline, warnings) as wayback:
        report = await check(
            links,
            config,
            ignored=ignored,
            state=state,
            progress=progress,
            notice=notice,
            on_verdict=wayback.on_verdict,
            deadline=deadline,
        )
        alive = targets_with(report, Status.ALIVE, Status.REDIRECTED)
        dead = targets_with(report, Status.DEAD)
        snapshots = await _archive_stage(config, cwd, alive, dead, warnings)
        captures = await wayback.captures(dead, online=not report.offline and not config.offline)
        if config.save_to_wayback and alive and not report.offline:
            await wayback.save(alive)
    return attach_copies(report, snapshots, captures)


def targets_with(report: CheckReport, *statuses: Status) -> list[str]:
    return sorted(
        {r.target for r in report.results if r.target is not None and r.verdict.status in statuses}
    )


async def _archive_stage(
    config: Config, cwd: Path, alive: list[str], dead: list[str], warnings: list[str]
) -> dict[str, str]:
    """--archive snapshots the alive links; dead links get their newest local snapshot."""
    if config.archive and alive:
        from ..archive import Archive, archive_urls

        with closing(Archive(archive_folder(cwd, config.state_dir))) as archive:
            outcomes = await archive_urls(alive, archive, config, max_age=86400.0)
        failed = [o for o in outcomes if o.result in ("failed", "refused")]
        if failed:
            warnings.append(f"archive: {len(failed)} of {len(alive)} pages not archived")
    return local_snapshots(cwd, config, dead)


def local_snapshots(cwd: Path, config: Config, urls: Sequence[str]) -> dict[str, str]:
    """The newest readable snapshot of each URL in the project's archive, if it has one."""
    root = archive_folder(cwd, config.state_dir)
    if not urls or not root.is_dir():
        return {}
    from ..archive import Archive

    with closing(Archive(root)) as archive:
        return newest_pages(archive, urls)


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
        from ..archive.wayback import LOOKUP_TIMEOUT, Lookups
        from ..fetch.fetcher import Fetcher
        from ..settings import fetch_settings, with_limits

        if self._lookups is None:
            settings = fetch_settings(self._config)
            limited = with_limits(settings, max_retries=0, timeout=LOOKUP_TIMEOUT)
            self._fetcher = Fetcher(limited, deadline=self._deadline)
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
        from ..archive.wayback import credentials, save_all

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
