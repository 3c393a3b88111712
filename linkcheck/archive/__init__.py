"""Snapshots that outlive the links: capture → WARC + readable copy → store and index.

docs/SOURCES.md ("The archive") names the formats and the tools this follows.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ..config import Config
from ..engine.classify import configured_rules
from .capture import CaptureError, capture
from .store import Archive, ArchiveError, Outcome, Snapshot

ARCHIVE_CONCURRENCY = 4
# A page and its images get at least this long, whatever --timeout says for a check.
PAGE_TIMEOUT = 60.0

__all__ = ["Archive", "ArchiveError", "Outcome", "Snapshot", "archive_urls"]

if TYPE_CHECKING:
    from ..browser.session import BrowserSession, Rendering


async def archive_urls(
    urls: Sequence[str],
    archive: Archive,
    config: Config,
    *,
    max_age: float | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    deadline: float | None = None,
) -> list[Outcome]:
    """Snapshot each URL unless it was archived within max_age seconds; none is started
    after deadline (time.monotonic()), those left are "skipped"."""
    from ..fetch.fetcher import Fetcher
    from ..settings import fetch_settings

    settings = fetch_settings(config)
    fetcher = Fetcher(settings, deadline=deadline)
    browser: BrowserSession | None = None
    slots = asyncio.Semaphore(ARCHIVE_CONCURRENCY)
    first = configured_rules(config)  # a page the user's rule calls dead is no snapshot
    since = datetime.now(UTC) - timedelta(seconds=max_age) if max_age else None
    done = 0

    async def one(url: str) -> Outcome:
        nonlocal done
        try:
            if since is not None and archive.archived_since(url, since):
                return Outcome(url, "recent", archive.latest(url))
            async with slots:
                page_timeout = max(config.timeout, PAGE_TIMEOUT)
                if deadline is not None:
                    if time.monotonic() > deadline:
                        return Outcome(url, "skipped", None, "--max-time: not started")
                    # In flight at the deadline, a capture gets --timeout more, as a fetch.
                    page_timeout = min(page_timeout, deadline - time.monotonic() + config.timeout)
                with archive.staging() as staging:
                    try:
                        captured = await capture(
                            fetcher,
                            url,
                            staging,
                            timeout=page_timeout,
                            max_redirects=config.max_redirects,
                            first=first,
                            render=functools.partial(_render, browser) if browser else None,
                        )
                    except CaptureError as error:
                        return Outcome(url, "failed", None, str(error))
                    return archive.publish(captured, staging, settings.user_agent)
        finally:
            done += 1
            if progress is not None:
                progress(done, len(urls), "")

    try:
        async with _browser_session(config) as browser:
            outcomes = list(await asyncio.gather(*(one(url) for url in urls)))
    finally:
        await fetcher.aclose()
    attempted = [o.url for o in outcomes if o.result not in ("recent", "skipped")]
    archive.tried(attempted, datetime.now(UTC))
    return outcomes


@contextlib.asynccontextmanager
async def _browser_session(config: Config) -> AsyncIterator[BrowserSession | None]:
    """--browser: one Chromium for the run's renderings, routed as the check's is; None
    without --browser or a Chromium (the snapshots are made without renderings)."""
    if not config.browser:
        yield None
        return
    from ..browser.session import BrowserSession
    from ..settings import browser_settings

    found = browser_settings(config)
    if found is None:
        yield None
        return
    async with BrowserSession(found) as session:
        yield session


async def _render(browser: BrowserSession, url: str) -> Rendering | None:
    """The page drawn by the browser, or None when it would not yield (the snapshot is
    made as without --browser)."""
    from ..browser.cdp import BrowserError

    try:
        return await browser.render(url)
    except BrowserError:
        return None
