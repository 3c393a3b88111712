"""asyncrun.run: the coroutine's result back, on uvloop where it is installed, on asyncio's
own loop where it is not (Windows)."""

from __future__ import annotations

import asyncio
import sys

import pytest

from linkcheck import asyncrun


async def _loop_kind() -> tuple[str, int]:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop()).__module__, 42


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not built for Windows")
def test_runs_on_uvloop_where_it_is_a_dependency() -> None:
    module, result = asyncrun.run(_loop_kind())
    assert module.startswith("uvloop")
    assert result == 42


def test_runs_on_asyncio_loop_without_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop now raises ImportError
    assert asyncrun.loop_factory() is None
    module, result = asyncrun.run(_loop_kind())
    assert module.startswith("asyncio")
    assert result == 42


def test_a_big_result_comes_back_whole() -> None:
    async def big() -> list[int]:
        return list(range(100_000))

    assert asyncrun.run(big()) == list(range(100_000))
