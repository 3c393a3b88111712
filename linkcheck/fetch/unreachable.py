"""Origins that cannot be connected to, for the rest of a run.

A refused connection, a connect timeout or a failed lookup is about the host and port, not
about the URL. Once one URL's every attempt (retries included) failed that way, the
origin's other URLs get the same answer at once, saying so, instead of each paying the
whole retry sequence again: 20 URLs on a host that refuses took 14 s at 8 in flight, now
one sequence (bench/check.py --mix). The answer stays what it was, an unknown with its
reason, never a verdict no request saw. The origin stays down for DOWN_SECONDS (a run
held back by WeChat's politeness lasts hours, and a server may come back), unless a
connection under way when it went down succeeds after all.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import SplitResult

from .targets import DEFAULT_PORTS

DOWN_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class Failure:
    kind: str  # the fetcher's error kind: connection-refused, timeout, dns-failure …
    detail: str
    attempts: int


def origin_of(parts: SplitResult) -> tuple[str, int]:
    """(host, port) of a URL already checked by url_problem (so its port parses)."""
    return (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(parts.scheme, 0)


class UnreachableOrigins:
    def __init__(self, down_for: float = DOWN_SECONDS) -> None:
        self._down_for = down_for
        self._down: dict[tuple[str, int], Failure] = {}
        self._since: dict[tuple[str, int], float] = {}
        self._settled: dict[tuple[str, int], asyncio.Event] = {}

    def note_failure(self, origin: tuple[str, int], failure: Failure) -> None:
        self._down[origin] = failure
        self._since[origin] = time.monotonic()
        settled = self._settled.pop(origin, None)
        if settled is not None:
            settled.set()

    async def pause(self, origin: tuple[str, int], seconds: float) -> None:
        """Wait seconds before retrying a URL of origin, or less: until another URL's
        attempts find the origin down, when retrying is pointless."""
        if self.known_down(origin) is not None:
            return
        settled = self._settled.setdefault(origin, asyncio.Event())
        try:
            async with asyncio.timeout(seconds):
                await settled.wait()
        except TimeoutError:
            return

    def note_success(self, origin: tuple[str, int]) -> None:
        self._down.pop(origin, None)
        self._since.pop(origin, None)

    def known_down(self, origin: tuple[str, int]) -> Failure | None:
        failure = self._down.get(origin)
        if failure is not None and time.monotonic() - self._since[origin] >= self._down_for:
            del self._down[origin], self._since[origin]  # long enough: ask it again
            return None
        return failure


def not_requested_detail(origin: tuple[str, int], failure: Failure) -> str:
    host, port = origin
    return (
        f"{host}:{port} could not be connected to this run ({failure.attempts} attempts for "
        f"another URL), so it was not asked again: {failure.detail}"
    )
