"""--browser: a real browser's second opinion on pages a host rule found behind a
challenge it can pass, and the reuse of what the browser earned.

The first challenged URL of a host is opened in Chromium; the page it settles on is judged
by the same host rules. The cookies and User-Agent that passed go to the HTTP client for
that host, so the host's other URLs are fetched plainly again; the browser is asked again
only when the client is challenged despite them. A challenge still there after the browser
ran it (a captcha) stays unknown: never dead from a page a challenge may have replaced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..models import Exchange, Hop, Status, Verdict
from ..rules import browser_can_pass
from .cdp import BrowserError, BrowserTimeout
from .session import BrowserSession

BROWSER_TIMEOUT = "browser-timeout"


class _Client(Protocol):
    async def fetch(self, url: str) -> Exchange: ...

    def adopt_session(self, url: str, cookies: Sequence[Mapping[str, Any]], agent: str) -> None: ...


class SecondOpinion:
    def __init__(
        self, session: BrowserSession, client: _Client, judge: Callable[[Exchange], Verdict]
    ) -> None:
        self.session = session
        self._client = client
        self._judge = judge
        self._locks: dict[str, asyncio.Lock] = {}
        self._earned: dict[str, int] = {}  # host → sessions the browser earned there

    def earned(self, url: str) -> int:
        """Call before fetching url; give the number to `reconsider`."""
        return self._earned.get(_host(url), 0)

    async def reconsider(
        self, url: str, exchange: Exchange, verdict: Verdict, earned_before: int
    ) -> Verdict:
        """The verdict once the challenge is dealt with; verdict itself when it is not a
        challenge a browser passes."""
        if verdict.status is not Status.UNKNOWN or not browser_can_pass(exchange):
            return verdict
        host = _host(url)
        async with self._locks.setdefault(host, asyncio.Lock()):
            if self._earned.get(host, 0) > earned_before:  # cookies came while this waited
                again = await self._client.fetch(url)
                if not browser_can_pass(again):
                    return self._judge(again)
            return await self._through_browser(url, host, verdict)

    async def _through_browser(self, url: str, host: str, verdict: Verdict) -> Verdict:
        try:
            visit = await self.session.visit(url)
        except BrowserTimeout as error:  # a page that would not yield: still unknown
            return replace(
                verdict,
                reason=BROWSER_TIMEOUT,
                detail=f"{verdict.detail}; the page did not yield to the browser: {error}",
            )
        except BrowserError as error:
            return replace(verdict, detail=f"{verdict.detail}; the browser failed: {error}")
        if visit.status is None:
            return replace(verdict, detail=f"{verdict.detail}; the browser got no page")
        page = browser_page(url, visit.url, visit.status, visit.html.encode())
        if browser_can_pass(page):
            return replace(
                verdict,
                detail=f"{verdict.detail}; still there after a real browser ran the challenge",
            )
        self._client.adopt_session(visit.url, visit.cookies, visit.user_agent)
        self._earned[host] = self._earned.get(host, 0) + 1
        return seen_through_browser(self._judge(page))


def browser_page(url: str, settled_on: str, status: int, body: bytes) -> Exchange:
    """The page a browser settled on for url, as an exchange the host rules judge (the
    check's second opinion, and the archive's rendered capture)."""
    return Exchange(
        url,
        hops=(Hop(settled_on, status),),
        headers=(("content-type", "text/html; charset=utf-8"),),
        body=body,
    )


def seen_through_browser(judged: Verdict) -> Verdict:
    """A verdict on a browser_page, saying where it came from."""
    seen = "seen through a headless browser"
    return replace(judged, detail=f"{judged.detail}; {seen}" if judged.detail else seen)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
