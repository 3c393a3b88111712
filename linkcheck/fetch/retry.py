"""One retry policy for every request the run makes (a check's hops, archive downloads,
Wayback lookups), on tenacity: what is retried (an attempt raising a Retry that says so),
the wait (exponential from --retry-backoff with up to one backoff of jitter, capped at 16
backoffs; a server's Retry-After instead, within --max-retry-after), and the stop (after
--max-retries retries, or before a wait that would end past the run's deadline, --max-time).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


class Retry(Exception):
    """An attempt whose outcome may change if tried again (retryable), after retry_after
    seconds if the server said so."""

    def __init__(self, message: str, *, retryable: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class _Wait(wait_base):
    def __init__(self, backoff: float, max_retry_after: float) -> None:
        self._exponential = wait_exponential_jitter(
            multiplier=backoff, max=backoff * 16, exp_base=2, jitter=backoff
        )
        self._max_retry_after = max_retry_after

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        failure = outcome.exception() if outcome is not None else None
        if isinstance(failure, Retry) and failure.retry_after is not None:
            return min(failure.retry_after, self._max_retry_after)
        return float(self._exponential(retry_state))


class _Deadline(stop_base):
    """Stop rather than wait past the deadline (time.monotonic()): no attempt starts after it."""

    def __init__(self, deadline: float | None) -> None:
        self._deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        if self._deadline is None:
            return False
        return time.monotonic() + retry_state.upcoming_sleep >= self._deadline


def _retryable(error: BaseException) -> bool:
    return isinstance(error, Retry) and error.retryable


def retrying(
    *,
    retries: int,
    backoff: float,
    max_retry_after: float,
    deadline: float | None,
    sleep: Callable[[float], Awaitable[None]],
) -> AsyncRetrying:
    """The policy for one request: `async for attempt in retrying(...): with attempt: ...`;
    the last failure is raised again when it stops."""
    return AsyncRetrying(
        stop=stop_after_attempt(retries + 1) | _Deadline(deadline),
        wait=_Wait(backoff, max_retry_after),
        retry=retry_if_exception(_retryable),
        sleep=sleep,
        reraise=True,
    )
