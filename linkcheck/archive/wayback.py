"""The Wayback Machine: the newest capture of a dead link, and Save Page Now for live ones
(docs/SOURCES.md, "The archive").

Lookup follows lychee's current method: `GET https://web.archive.org/web/<url>` with
redirects off; a 302 to `/web/<14-digit timestamp>/<url>` means a capture exists, a 404 none.
Save Page Now 2 needs the user's own keys (IA_ACCESS_KEY / IA_SECRET_KEY, sent to
web.archive.org only); a job is submitted, then its status polled, politely.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from ..fetch.fetcher import Fetcher

WAYBACK = "https://web.archive.org"
_CAPTURE = re.compile(r"^https?://web\.archive\.org/web/(\d{14})/(.+)$")


# Lookups are cheap for the Wayback Machine to refuse: one try, a short wait, and after a
# few failures in a row nobody is asked again this run (it rate-limits: docs/SOURCES.md).
LOOKUP_TIMEOUT = 15.0
BREAKER_FAILURES = 3


@dataclass(frozen=True)
class Lookup:
    url: str
    capture: str | None  # the newest capture, or None
    reached: bool  # the Wayback Machine answered (capture or not): worth remembering


async def newest_capture(fetcher: Fetcher, url: str) -> Lookup:
    """The URL of the newest Wayback capture of url, if the Wayback Machine has one."""
    exchange = await fetcher.fetch_once(f"{WAYBACK}/web/{url}")
    status = exchange.final_status
    if exchange.error is not None or status is None or status == 429 or status >= 500:
        return Lookup(url, None, reached=False)
    hop = exchange.hops[-1]
    if hop.status not in (301, 302, 303, 307, 308) or not hop.location:
        return Lookup(url, None, reached=True)
    capture = urljoin(WAYBACK + "/", hop.location)
    return Lookup(url, capture if _CAPTURE.match(capture) else None, reached=True)


class Lookups:
    """Dead links' newest captures, looked up while the check still runs: a queue worked
    at the Wayback Machine's pace (the fetcher's host policy), given up after
    BREAKER_FAILURES failures in a row, and never past the run's deadline."""

    def __init__(self, fetcher: Fetcher, *, deadline: float | None = None) -> None:
        self._fetcher = fetcher
        self._deadline = deadline
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._offered: set[str] = set()
        self._worker: asyncio.Task[None] | None = None
        self._failures = 0
        self.found: dict[str, Lookup] = {}
        self.warning: str | None = None

    def offer(self, url: str) -> None:
        if url in self._offered or self.warning is not None:
            return
        self._offered.add(url)
        self._queue.put_nowait(url)
        if self._worker is None:
            self._worker = asyncio.ensure_future(self._work())

    async def finish(self) -> dict[str, Lookup]:
        """Wait for the lookups offered, until the deadline; what is left is not asked."""
        if self._worker is not None:
            self._queue.put_nowait(None)
            left = self._time_left()
            done, _ = await asyncio.wait([self._worker], timeout=left)
            if not done:
                self._worker.cancel()
                self.warning = self.warning or "Wayback lookups stopped at --max-time"
            await asyncio.gather(self._worker, return_exceptions=True)
        return self.found

    def _time_left(self) -> float | None:
        """Seconds before the deadline (never below 0), or None without one."""
        return None if self._deadline is None else max(0.0, self._deadline - time.monotonic())

    async def _work(self) -> None:
        while (url := await self._queue.get()) is not None:
            left = self._time_left()
            if self.warning is not None or (left is not None and left <= 0):
                continue  # drained, not asked
            lookup = await newest_capture(self._fetcher, url)
            self.found[url] = lookup
            self._failures = 0 if lookup.reached else self._failures + 1
            if self._failures >= BREAKER_FAILURES:
                self.warning = (
                    f"the Wayback Machine did not answer {BREAKER_FAILURES} lookups in a row; "
                    "not asked again this run"
                )


@dataclass(frozen=True)
class Saved:
    url: str
    status: str  # "archived", "pending" (still running when we stopped polling), "error"
    capture: str | None = None
    detail: str | None = None


def credentials() -> tuple[str, str] | None:
    access, secret = os.environ.get("IA_ACCESS_KEY"), os.environ.get("IA_SECRET_KEY")
    return (access, secret) if access and secret else None


def _json(body: bytes) -> dict[str, object]:
    try:
        document = json.loads(body.decode("utf-8", errors="replace"))
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


async def save_page_now(
    fetcher: Fetcher,
    url: str,
    keys: tuple[str, str],
    *,
    poll_every: float = 5.0,
    polls: int = 24,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Saved:
    headers = {"Authorization": f"LOW {keys[0]}:{keys[1]}", "Accept": "application/json"}
    submitted = await fetcher.post_form(
        f"{WAYBACK}/save", {"url": url, "if_not_archived_within": "30d"}, headers
    )
    if submitted.error is not None or submitted.final_status != 200:
        status = submitted.error or f"HTTP {submitted.final_status}"
        return Saved(url, "error", None, f"Save Page Now refused the job: {status}")
    job = _json(submitted.body).get("job_id")
    if not isinstance(job, str) or not re.fullmatch(r"[\w.-]+", job):
        return Saved(url, "error", None, "Save Page Now answered without a job id")
    for _ in range(polls):
        await sleep(poll_every)
        polled = await fetcher.fetch_once(f"{WAYBACK}/save/status/{job}")
        state = _json(polled.body)
        if state.get("status") == "success":
            timestamp, original = state.get("timestamp"), state.get("original_url") or url
            return Saved(url, "archived", f"{WAYBACK}/web/{timestamp}/{original}")
        if state.get("status") == "error":
            return Saved(url, "error", None, str(state.get("status_ext") or state.get("message")))
    return Saved(url, "pending", None, f"job {job} still running after {polls} polls")


async def save_all(
    fetcher: Fetcher, urls: list[str], keys: tuple[str, str], *, deadline: float | None
) -> str:
    """Save Page Now for each URL, one job at a time (it rate-limits), until
    BREAKER_FAILURES errors in a row or the deadline; one line saying how it went."""
    done = failures = 0
    for tried, url in enumerate(urls, 1):
        if deadline is not None and time.monotonic() > deadline:
            return f"Save Page Now: {done} of {len(urls)} pages archived; stopped at --max-time"
        saved = await save_page_now(fetcher, url, keys)
        done += saved.status == "archived"
        failures = failures + 1 if saved.status == "error" else 0
        if failures >= BREAKER_FAILURES:
            return (
                f"Save Page Now: {done} of {len(urls)} pages archived; stopped after "
                f"{BREAKER_FAILURES} errors in a row ({tried} tried)"
            )
    return f"Save Page Now: {done} of {len(urls)} pages archived"
