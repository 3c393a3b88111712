"""The fetch stage of a run: which URL is fetched when, and when to stop starting fetches.

- One queue per host, worked by as many tasks as the host may have requests in flight, so
  a slow, polite host (WeChat: 2 at a time, 0.5 s apart) never holds up the others, and a
  run of 25,000 URLs holds a few thousand small tasks, not 25,000.
- Offline in seconds: the hosts cited most are tried first; once the first of them
  (8, or all hosts if fewer) have all failed for want of a network and nothing has
  connected or resolved, no new fetch starts and those in flight are cancelled (DESIGN.md
  §3: offline is inferred from the run's own attempts). The most-cited hosts (WeChat,
  Zhihu, GitHub) are the ones that surely resolve when there is a network, so a blog's
  rotten domains cannot make an online run look offline.
- A deadline (--max-time): no fetch starts after it; what is in flight gets a grace period
  (--timeout), then is cancelled. Unfetched URLs are handed back to the caller.
- An honest estimate: the up-front plan and the progress note say how long the slowest
  host's politeness makes the run.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

from ..domains import hostname_of
from ..models import OFFLINE_FAILURES, Exchange

OFFLINE_AFTER_HOSTS = 8
UNSEEN_SECONDS = 1.0  # what one fetch of a host not answered yet is taken to cost


@dataclass(frozen=True)
class Pace:
    """What politeness allows one host: requests in flight, seconds between starts."""

    concurrency: int
    interval: float


def host_of(url: str) -> str:
    try:
        return (hostname_of(url) or "").lower()
    except ValueError:
        return ""


def by_host(urls: Iterable[str]) -> dict[str, list[str]]:
    hosts: dict[str, list[str]] = {}
    for url in urls:
        hosts.setdefault(host_of(url), []).append(url)
    return hosts


def politeness_bound(count: int, pace: Pace) -> float:
    """Seconds the host's interval alone takes for count requests: two starts are never
    closer than the interval, however many may be in flight (0 without an interval)."""
    return count * pace.interval


def duration_text(seconds: float) -> str:
    """1 h 54 min, 3 min 20 s, 12 s."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def plan_line(
    unique: int,
    to_fetch: Mapping[str, int],
    cached: int,
    pace_of: Callable[[str], Pace],
    time_left: float | None = None,
) -> str:
    """Before fetching: how many URLs, how many from the cache, and the slowest host; with
    a deadline (--max-time) that comes first, when this run ends instead."""
    fetching = sum(to_fetch.values())
    line = (
        f"{unique:,} unique URL{'' if unique == 1 else 's'}: {fetching:,} to fetch, "
        f"{cached:,} answered from the cache"
    )
    slowest, bound = _slowest(to_fetch, pace_of)
    if slowest is None or pace_of(slowest).interval <= 0:
        if time_left is not None:
            line += f"; no fetch starts after {duration_text(time_left)} (--max-time)"
        return line
    rate = 1 / pace_of(slowest).interval
    slow = f"slowest: {slowest}: {to_fetch[slowest]:,} URLs at {rate:g}/s ≈ {duration_text(bound)}"
    if time_left is not None and bound > time_left:
        covered = min(to_fetch[slowest], int(time_left * rate))
        line += (
            f"; {slow}, but --max-time: this run ends in ≈ {duration_text(time_left)}, {slowest} "
            f"{covered:,} of {to_fetch[slowest]:,} by then; the URLs left keep their last "
            "verdict (a later run goes on with them)"
        )
    elif bound >= 60:  # worth a word only when it is long
        line += f"; {slow} — see --budget, --max-time"
    elif time_left is not None:
        line += f"; no fetch starts after {duration_text(time_left)} (--max-time)"
    return line


def _slowest(counts: Mapping[str, int], pace_of: Callable[[str], Pace]) -> tuple[str | None, float]:
    slowest, bound = None, 0.0
    for host, count in counts.items():
        seconds = politeness_bound(count, pace_of(host))
        if seconds > bound:
            slowest, bound = host, seconds
    return slowest, bound


class FetchStage:
    """Fetch every URL once, host by host; see the module's docstring for when it stops."""

    def __init__(
        self,
        urls: Iterable[str],
        pace_of: Callable[[str], Pace],
        *,
        online: Callable[[], bool],
        deadline: float | None = None,
        grace: float = 0.0,
    ) -> None:
        hosts = sorted(by_host(urls).items(), key=lambda item: (-len(item[1]), item[0]))
        self._queues = {host: deque(found) for host, found in hosts}  # most-cited first
        self._pace_of = pace_of
        self._online = online
        self._deadline = deadline
        self._grace = grace
        self._in_flight: set[str] = set()
        # The hosts whose first answers decide "offline", and how each first answer went.
        self._witnesses = list(self._queues)[:OFFLINE_AFTER_HOSTS]
        self._unreachable: dict[str, bool] = {}
        self._workers: list[asyncio.Future[None]] = []
        self._started = time.monotonic()
        self._mean_seconds: dict[str, float] = {}  # per host, for _need
        self._concurrency: dict[str, int] = {}  # per host, from pace_of, once
        self.total = sum(len(queue) for queue in self._queues.values())
        self.done = 0
        self.stopped: str | None = None  # "offline" or "max-time", when it stopped early

    async def run(
        self,
        fetch: Callable[[str, int], Awaitable[Exchange]],
        *,
        after_each: Callable[[], None] | None = None,
    ) -> None:
        """fetch(url, need) fetches and handles one URL, returning its exchange; need is
        how long its host's other URLs will take (in ms of fetching, see _need): the
        fetcher serves the host that needs the most first."""
        self._concurrency = {host: max(1, self._pace_of(host).concurrency) for host in self._queues}
        counts = {
            host: min(len(queue), self._concurrency[host]) for host, queue in self._queues.items()
        }
        # Started round by round (every host's first worker, then every second one …), so
        # each host's first request is among the first ones made, whatever the global
        # limit: a host that refuses or asks us to wait learns it at the start, not after
        # hundreds of URLs of the hosts before it.
        workers = self._workers = [
            asyncio.ensure_future(self._work(host, fetch, after_each))
            for round_ in range(max(counts.values(), default=0))
            for host, count in counts.items()
            if round_ < count
        ]
        timeout = None
        if self._deadline is not None:
            timeout = max(0.0, self._deadline - time.monotonic()) + self._grace
        try:
            done, pending = await asyncio.wait(workers, timeout=timeout)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        if pending:
            self.stopped = self.stopped or "max-time"
        for worker in done:
            if not worker.cancelled() and worker.exception() is not None:
                raise worker.exception()  # type: ignore[misc]

    async def _work(
        self,
        host: str,
        fetch: Callable[[str, int], Awaitable[Exchange]],
        after_each: Callable[[], None] | None,
    ) -> None:
        queue = self._queues[host]
        while queue and self.stopped is None:
            if self._deadline is not None and time.monotonic() >= self._deadline:
                self.stopped = "max-time"
                return
            url = queue.popleft()
            self._in_flight.add(url)
            started = time.monotonic()
            exchange = await fetch(url, self._need(host, len(queue)))
            self._took(host, time.monotonic() - started)
            self._in_flight.discard(url)
            self.done += 1
            self._judge_network(host, exchange)
            if after_each is not None:
                after_each()

    def _need(self, host: str, left: int) -> int:
        """How long the host still needs, in ms: its URLs left, this one included, in
        rounds of as many as it may have in flight, times how long one of its fetches
        takes (its running mean). A host of slow answers needs more than one of quick
        ones; the last slow URL more than eight quick ones fetched side by side. A host
        not answered yet counts as slow (UNSEEN_SECONDS), so every host's first answer
        comes early: the host that refuses, rate-limits or answers slowly is found at
        the start, not at the end."""
        mean = self._mean_seconds.get(host, UNSEEN_SECONDS)
        rounds = -(-(left + 1) // self._concurrency[host])
        return int(rounds * mean * 1000)

    def _took(self, host: str, seconds: float) -> None:
        mean = self._mean_seconds.get(host)
        self._mean_seconds[host] = seconds if mean is None else 0.7 * mean + 0.3 * seconds

    def _judge_network(self, host: str, exchange: Exchange) -> None:
        self._unreachable.setdefault(host, exchange.error in OFFLINE_FAILURES)
        if self.stopped is not None or self._online():
            return
        if all(self._unreachable.get(witness) for witness in self._witnesses):
            self.stopped = "offline"
            current = asyncio.current_task()
            for worker in self._workers:  # what is in flight can only fail the same way
                if worker is not current:
                    worker.cancel()

    def unfetched(self) -> list[str]:
        """URLs never fetched (stopped early) or cut off in flight, sorted."""
        left = set(self._in_flight)
        for queue in self._queues.values():
            left.update(queue)
        return sorted(left)

    def note(self) -> str:
        """For the progress bar: an estimate of the time left and the hosts still pending."""
        remaining = {host: len(q) for host, q in self._queues.items() if q}
        if not remaining:
            return ""
        elapsed = time.monotonic() - self._started
        left = sum(remaining.values())
        measured = elapsed / self.done * left if self.done else 0.0
        _, bound = _slowest(remaining, self._pace_of)
        busiest = sorted(remaining.items(), key=lambda item: (-item[1], item[0]))[:2]
        pending = ", ".join(f"{host} {count:,}" for host, count in busiest)
        more = f" +{len(remaining) - 2} hosts" if len(remaining) > 2 else ""
        estimate, why = max(measured, bound), ""
        if self._deadline is not None and self._deadline - time.monotonic() < estimate:
            estimate, why = max(0.0, self._deadline - time.monotonic()), " (--max-time)"
        return f"≈ {duration_text(estimate)} left{why} · {pending}{more}"
