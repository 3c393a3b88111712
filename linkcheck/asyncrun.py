"""asyncio.run for coroutines that return big results.

On Python 3.11, asyncio.run restores its SIGINT handler at the end through signal.signal,
which looks the old handler (a partial holding the main task) up in an enum; the failed
lookup formats an error message with repr(task), and a finished task's repr includes its
result. For a check of 25,000 URLs that repr took 1.5 s. The result is passed on the
side instead, so the task finishes with None.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    box: list[T] = []

    async def main() -> None:
        box.append(await coroutine)

    asyncio.run(main())
    return box[0]
