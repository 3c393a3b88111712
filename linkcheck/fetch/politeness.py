"""How hard we may ask one host: its concurrency and interval (HostPolicy, enforced by a
HostGate), Retry-After, and the breaker that stops asking a host that keeps refusing us.
Knows nothing of HTTP; the fetcher holds one gate per host and one breaker per run."""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from ..domains import nearest_domain


@dataclass(frozen=True)
class HostPolicy:
    concurrency: int  # requests in flight to the host at once
    interval: float = 0.0  # seconds between the starts of two requests to the host
    headers: tuple[tuple[str, str], ...] = ()


# Polite defaults for the hosts a Chinese blog cites most (README "Politeness").
DEFAULT_HOST_POLICIES: Mapping[str, HostPolicy] = {
    "mp.weixin.qq.com": HostPolicy(concurrency=2, interval=0.5),
    "zhihu.com": HostPolicy(concurrency=2, interval=0.5),
    "github.com": HostPolicy(concurrency=4, interval=0.1),
    # The Wayback Machine rate-limits hard (docs/SOURCES.md): a lookup or a save at a time.
    "web.archive.org": HostPolicy(concurrency=1, interval=1.0),
}


def nearest_policy(
    host: str, policies: Mapping[str, HostPolicy], default: HostPolicy
) -> HostPolicy:
    """The host's own policy, else its nearest parent domain's, else the default."""
    domain = nearest_domain(host, policies)
    return policies[domain] if domain is not None else default


class HostGate:
    """One host's slots and the earliest time its next request may start."""

    def __init__(self, policy: HostPolicy) -> None:
        self._slots = asyncio.Semaphore(max(1, policy.concurrency))
        self._interval = policy.interval
        self._next_start = 0.0
        self._lock = asyncio.Lock()

    def defer(self, seconds: float) -> None:
        self._next_start = max(self._next_start, time.monotonic() + seconds)

    def refund(self) -> None:
        """The request never reached the host (no name, no network): politeness owes it
        nothing, so the next one need not wait the interval."""
        self._next_start = min(self._next_start, time.monotonic())

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._slots:
            async with self._lock:
                wait = self._next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next_start = time.monotonic() + self._interval
            yield


class Limiter:
    """At most limit holders at once (--max-concurrency), granted in order of need, not of
    arrival (bench/check.py --mix, where a first-come queue of hundreds of URLs made the
    run twice as long as its network needed):

    1. work under way first (urgent: the next hop of a redirect chain, a retry), so a
       four-hop chain does not wait its turn four times;
    2. then by rank, highest first: the caller's measure of how long the URL's host
       still needs (schedule.py: URLs left times the host's time per fetch), so the host
       that needs the most starts its next request first and the run ends when its
       network allows, not when the slow host's last URL finally gets a turn;
    3. then first come, first served.
    """

    def __init__(self, limit: int) -> None:
        self._free = max(1, limit)
        self._waiting: list[tuple[int, int, int, asyncio.Future[None]]] = []  # a heap
        self._arrivals = 0

    @asynccontextmanager
    async def hold(self, *, urgent: bool, rank: int = 0) -> AsyncIterator[None]:
        await self._acquire(urgent, rank)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, urgent: bool, rank: int) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._arrivals += 1
        heapq.heappush(self._waiting, (0 if urgent else 1, -rank, self._arrivals, granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._release()  # handed a slot just as it was cancelled: pass it on
            raise  # else its entry stays in the heap, done, and is skipped

    def _release(self) -> None:
        while self._waiting:
            waiter = heapq.heappop(self._waiting)[3]
            if not waiter.done():
                waiter.set_result(None)  # the slot goes straight to the waiter
                return
        self._free += 1


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils  # 6 ms at every start, for the rare Retry-After that is a date

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Breaker:
    """Stop asking a host that keeps answering with its rate-limit page: after LIMIT such
    responses in a row, requests to it end at once with the error "host-blocking"."""

    LIMIT = 5

    def __init__(self) -> None:
        self._streaks: dict[str, int] = {}

    def note(self, host: str, blocking: bool) -> None:
        host = host.lower()
        self._streaks[host] = self._streaks.get(host, 0) + 1 if blocking else 0

    def open(self, host: str) -> bool:
        return self._streaks.get(host.lower(), 0) >= self.LIMIT
