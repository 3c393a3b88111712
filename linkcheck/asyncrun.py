"""asyncio.run for coroutines that return big results, on uvloop where it is installed.

On Python 3.11, asyncio.run restores its SIGINT handler at the end through signal.signal,
which looks the old handler (a partial holding the main task) up in an enum; the failed
lookup formats an error message with repr(task), and a finished task's repr includes its
result. For a check of 25,000 URLs that repr took 1.5 s. The result is passed on the
side instead, so the task finishes with None.

uvloop (libuv) runs the same coroutines with less CPU per socket event: 0.2-0.3 ms less
per request in bench/check.py --mix (issue 13). It does not exist on Windows, where the
standard loop runs them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop maker, or None for asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    box: list[T] = []

    async def main() -> None:
        box.append(await coroutine)

    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(main())
    return box[0]
