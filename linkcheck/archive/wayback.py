"""The Wayback Machine: the newest capture of a dead link, and Save Page Now for live ones
(../shared/reference/archive.md §3.3, §3.4).

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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from ..fetch import Fetcher

WAYBACK = "https://web.archive.org"
_CAPTURE = re.compile(r"^https?://web\.archive\.org/web/(\d{14})/(.+)$")


async def newest_capture(fetcher: Fetcher, url: str) -> str | None:
    """The URL of the newest Wayback capture of url, or None."""
    exchange = await fetcher.fetch_once(f"{WAYBACK}/web/{url}")
    if exchange.error is not None or not exchange.hops:
        return None
    hop = exchange.hops[-1]
    if hop.status not in (301, 302, 303, 307, 308) or not hop.location:
        return None
    capture = urljoin(WAYBACK + "/", hop.location)
    return capture if _CAPTURE.match(capture) else None


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
