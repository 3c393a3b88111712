"""One client for every request (issue 27): each request the simulated web sees came through
httpx.AsyncClient.send (check, GitHub API, archive pages and images, Wayback lookups, Save
Page Now), and a retried answer goes through tenacity's retry loop."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import tenacity
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.fetch import fetcher, retry
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import web_cli_args

runner = CliRunner()


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(host, request target) of every request httpx.AsyncClient.send was given."""
    seen: list[tuple[str, str]] = []
    original = httpx.AsyncClient.send

    async def counting(self: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> Any:
        seen.append((request.url.host, request.url.raw_path.decode("ascii")))
        return await original(self, request, **kw)

    monkeypatch.setattr(httpx.AsyncClient, "send", counting)
    return seen


def test_every_request_the_web_sees_went_through_httpx_client_send(
    simweb: SimulatedWeb,
    project: Path,
    sends: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "fixture-token")
    monkeypatch.setenv("IA_ACCESS_KEY", "fixture-access")
    monkeypatch.setenv("IA_SECRET_KEY", "fixture-secret")
    (project / "post.md").write_text(
        "https://mp.weixin.qq.com/s/with-images\n\n"  # archived: the page and its images
        "https://github.com/facebookresearch/Detectron\n\n"  # the GitHub API, Save Page Now
        "https://github.com/no-such/repository\n",  # dead: a Wayback lookup
        encoding="utf-8",
    )
    before = len(simweb.requests)
    args = ["check", "post.md", "--format", "json", "--no-cache", *web_cli_args(simweb)]
    result = runner.invoke(app, [*args, "--archive", "--save-to-wayback"])
    assert result.exit_code == 1, result.stderr
    statuses = {r["url"]: r["status"] for r in json.loads(result.stdout)["results"]}
    assert statuses["https://github.com/no-such/repository"] == "dead"
    served = Counter((r.host, r.target) for r in simweb.requests[before:])
    hosts = {host for host, _ in served}
    assert {"api.github.com", "mmbiz.qpic.cn", "web.archive.org"} <= hosts
    assert Counter(sends) == served


def test_a_retried_503_goes_through_tenacity(
    project: Path, sends: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project / "web"
    (root / "busy.test").mkdir(parents=True)
    (root / "routes.toml").write_text(
        '[[route]]\nhost = "busy.test"\npath = "/a"\nstatuses = [503, 200]\n'
        'body = "<title>A</title><p>first busy, then fine</p>"\n',
        encoding="utf-8",
    )
    (project / "post.md").write_text("https://busy.test/a\n", encoding="utf-8")
    loops: list[tenacity.AsyncRetrying] = []
    policy = fetcher.retrying

    def recorded(**kwargs: Any) -> tenacity.AsyncRetrying:
        loop = policy(**kwargs)
        loops.append(loop)
        return loop

    monkeypatch.setattr(fetcher, "retrying", recorded)
    web = SimulatedWeb(root).start(project)
    try:
        args = ["check", "post.md", "--format", "json", "--no-cache", "--no-wayback"]
        result = runner.invoke(app, [*args, *web_cli_args(web)])
    finally:
        web.stop()
    assert result.exit_code == 0, result.stderr
    [checked] = json.loads(result.stdout)["results"]
    assert checked["status"] == "alive"
    assert [loop.statistics["attempt_number"] for loop in loops] == [2]
    assert [target for _, target in sends] == ["/a", "/a"]


async def _attempts(policy: tenacity.AsyncRetrying, failure: retry.Retry) -> int:
    """How many attempts the policy makes of one that always fails as failure (raised again
    at the end, as the fetcher expects)."""
    attempts = 0
    last: BaseException | None = None
    try:
        async for trying in policy:
            with trying:
                attempts += 1
                raise failure
    except retry.Retry as raised:
        last = raised
    assert last is failure
    return attempts


def test_the_policy_honours_retry_after_within_its_cap_and_stops_before_the_deadline() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    def policy(deadline: float | None) -> tenacity.AsyncRetrying:
        return retry.retrying(
            retries=2, backoff=0.5, max_retry_after=3.0, deadline=deadline, sleep=sleep
        )

    asked_to_wait = retry.Retry("HTTP 429", retry_after=10.0)
    assert asyncio.run(_attempts(policy(None), asked_to_wait)) == 3
    assert slept == [3.0, 3.0]  # Retry-After, capped
    slept.clear()
    # --max-time: a wait that would end past the deadline is not waited; the run goes on.
    assert asyncio.run(_attempts(policy(time.monotonic() + 1.0), asked_to_wait)) == 1
    assert slept == []
    assert asyncio.run(_attempts(policy(None), retry.Retry("tls", retryable=False))) == 1
    assert asyncio.run(_attempts(policy(None), retry.Retry("reset"))) == 3
    assert len(slept) == 2
    assert 0.5 <= slept[0] <= 1.0  # the backoff, with up to one backoff of jitter
    assert 1.0 <= slept[1] <= 1.5
