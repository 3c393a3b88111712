"""HTTP/1.1 on direct connections (the run's httpx client, linkcheck/fetch/client.py) against
scripted servers on 127.0.0.1: keep-alive, stale connections, interim answers, framing,
hostile heads; and what the fetcher does above it: an origin that refuses is asked once per
run, and the global limit serves work under way first."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from linkcheck.config import Config
from linkcheck.engine.schedule import FetchStage, Pace
from linkcheck.fetch import client
from linkcheck.fetch.fetcher import Fetcher
from linkcheck.fetch.politeness import Limiter
from linkcheck.fetch.unreachable import Failure, UnreachableOrigins
from linkcheck.models import Exchange
from linkcheck.settings import fetch_settings

OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok"

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter, "Seen"], Awaitable[None]]


@dataclass
class Seen:
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)


async def _read_request(reader: asyncio.StreamReader, seen: Seen) -> bool:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return False
    seen.requests.append(head)
    return True


@asynccontextmanager
async def scripted(script: Script, host: str = "127.0.0.1") -> AsyncIterator[tuple[int, Seen]]:
    """A server on host running script on every connection; closed on the way out."""
    seen = Seen()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.connections += 1
        try:
            await script(reader, writer, seen)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away: the script's business is over
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, 0)
    try:
        yield server.sockets[0].getsockname()[1], seen
    finally:
        server.close()
        await server.wait_closed()


def _fetcher(**overrides: object) -> Fetcher:
    settings: dict[str, object] = {
        "include_private": True,
        "timeout": 3.0,
        "max_retries": 0,
        "retry_backoff": 0.01,
    }
    settings.update(overrides)
    return Fetcher(fetch_settings(Config(**settings)))  # type: ignore[arg-type]


async def _fetch_all(fetcher: Fetcher, urls: list[str]) -> list[Exchange]:
    try:
        return [await fetcher.fetch(url) for url in urls]
    finally:
        await fetcher.aclose()


async def keep_alive(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
) -> None:
    for _ in range(100):
        if not await _read_request(reader, seen):
            return
        writer.write(OK)
        await writer.drain()


def test_one_connection_serves_one_host_s_requests_in_turn() -> None:
    async def run() -> tuple[list[Exchange], Seen]:
        async with scripted(keep_alive) as (port, seen):
            urls = [f"http://127.0.0.1:{port}/{n}" for n in range(5)]
            return await _fetch_all(_fetcher(), urls), seen

    exchanges, seen = asyncio.run(run())
    assert [e.final_status for e in exchanges] == [200] * 5
    assert [e.body for e in exchanges] == [b"ok"] * 5
    assert seen.connections == 1
    assert seen.requests[0].startswith(b"GET /0 HTTP/1.1\r\n")
    assert b"\r\nHost: 127.0.0.1:" in seen.requests[0]


def test_a_connection_the_server_closed_while_idle_is_replaced_unseen() -> None:
    async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen) -> None:
        if await _read_request(reader, seen):
            writer.write(OK)  # says keep-alive (HTTP/1.1), then closes anyway
            await writer.drain()

    async def run() -> tuple[list[Exchange], Seen]:
        async with scripted(once) as (port, seen):
            fetcher = _fetcher()
            first = await fetcher.fetch(f"http://127.0.0.1:{port}/a")
            await asyncio.sleep(0.1)  # the close reaches us while the connection is idle
            return [first, *await _fetch_all(fetcher, [f"http://127.0.0.1:{port}/b"])], seen

    exchanges, seen = asyncio.run(run())
    assert [(e.final_status, e.error, e.attempts) for e in exchanges] == [(200, None, 1)] * 2
    assert seen.connections == 2


async def closes_on_second(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
) -> None:
    """Answers the first connection's first request, reads its second and answers nothing:
    a keep-alive connection the server closes as the next request arrives."""
    if not await _read_request(reader, seen):
        return
    writer.write(OK)
    await writer.drain()
    if seen.connections == 1:
        await _read_request(reader, seen)


def test_a_connection_closed_just_as_the_request_goes_is_sent_again() -> None:
    """The race a stale keep-alive connection loses: the server closes it at the moment the
    next request is written. No byte of an answer came, so the request is sent again."""

    async def run() -> tuple[list[Exchange], Seen]:
        async with scripted(closes_on_second) as (port, seen):
            urls = [f"http://127.0.0.1:{port}/a", f"http://127.0.0.1:{port}/b"]
            return await _fetch_all(_fetcher(), urls), seen

    exchanges, seen = asyncio.run(run())
    assert [(e.final_status, e.error) for e in exchanges] == [(200, None)] * 2
    assert seen.connections == 2


def test_a_post_is_never_sent_twice() -> None:
    """The same race for a form POST (Save Page Now): the server may have acted on it, so
    it is a reset, not a second POST."""

    async def run() -> tuple[Exchange, Seen]:
        async with scripted(closes_on_second) as (port, seen):
            fetcher = _fetcher()
            await fetcher.fetch(f"http://127.0.0.1:{port}/a")
            try:
                posted = await fetcher.post_form(f"http://127.0.0.1:{port}/save", {"u": "x"}, {})
            finally:
                await fetcher.aclose()
            return posted, seen

    posted, seen = asyncio.run(run())
    assert posted.error == "connection-reset"
    assert [r.split(b" ")[0] for r in seen.requests] == [b"GET", b"POST"]  # sent once


def _answering(answer: bytes, *, close: bool = True) -> Script:
    async def script(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
    ) -> None:
        if await _read_request(reader, seen):
            writer.write(answer)
            await writer.drain()
            if not close:
                await asyncio.sleep(5)

    return script


def _one(answer: bytes, *, close: bool = True, **overrides: object) -> Exchange:
    async def run() -> Exchange:
        async with scripted(_answering(answer, close=close)) as (port, _):
            return (await _fetch_all(_fetcher(**overrides), [f"http://127.0.0.1:{port}/"]))[0]

    return asyncio.run(run())


def test_bytes_after_the_answer_never_make_the_next_url_unknown() -> None:
    """A server that sends more than its answer: the bytes are not an answer to the next
    request (h11 refuses them), so that request goes again on a new connection. (Bytes that
    form a whole answer would be read as the server's next answer: the server speaks for
    its own URLs either way, and another host's never share its connection.)"""

    async def run() -> tuple[list[Exchange], Seen]:
        extra = b"<html>garbage past the length</html>\r\n\r\n"
        async with scripted(_answering(OK + extra, close=False)) as (port, seen):
            urls = [f"http://127.0.0.1:{port}/a", f"http://127.0.0.1:{port}/b"]
            return await _fetch_all(_fetcher(), urls), seen

    exchanges, seen = asyncio.run(run())
    assert [(e.final_status, e.body, e.attempts) for e in exchanges] == [(200, b"ok", 1)] * 2
    assert seen.connections == 2  # the first connection was not trusted again


def test_interim_answers_are_skipped() -> None:
    exchange = _one(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + OK
    )
    assert (exchange.final_status, exchange.body) == (200, b"ok")
    assert exchange.header("link") is None  # the hints are not the answer's headers


def test_a_body_without_length_runs_to_the_end_of_the_connection() -> None:
    exchange = _one(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n<title>whole page</title>")
    assert (exchange.final_status, exchange.body) == (200, b"<title>whole page</title>")


def test_a_chunked_body_comes_de_chunked() -> None:
    answer = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    assert _one(answer, close=False).body == b"abcde"


def test_a_body_cut_short_is_a_reset_not_a_verdict_on_the_page() -> None:
    exchange = _one(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this")
    assert exchange.error == "connection-reset"


def test_a_connection_closed_without_an_answer_is_a_reset() -> None:
    exchange = _one(b"")
    assert exchange.error == "connection-reset"


def test_what_is_not_http_is_invalid_http() -> None:
    exchange = _one(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    assert exchange.error == "invalid-http"


def test_an_endless_head_stops_at_the_limit() -> None:
    async def endless(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen
    ) -> None:
        if not await _read_request(reader, seen):
            return
        writer.write(b"HTTP/1.1 200 OK\r\n")
        for n in range(100_000):  # bounded: far past the limit, then the test would fail
            writer.write(f"X-Filler-{n}: {'y' * 100}\r\n".encode())
            await writer.drain()

    async def run() -> Exchange:
        async with scripted(endless) as (port, _):
            return (await _fetch_all(_fetcher(), [f"http://127.0.0.1:{port}/"]))[0]

    exchange = asyncio.run(run())
    assert exchange.error == "invalid-http"
    assert str(client.HEAD_LIMIT) in (exchange.error_detail or "")


def test_utf8_locations_are_read_as_utf8() -> None:
    location = "/文章/一".encode()
    exchange = _one(
        b"HTTP/1.1 301 Moved\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n"
    )
    assert exchange.hops[0].location == "/文章/一"


def test_a_header_value_with_a_line_break_is_never_sent() -> None:
    async def run() -> tuple[Exchange, Seen]:
        async with scripted(keep_alive) as (port, seen):
            fetcher = _fetcher(header=(("X-Evil", "a\r\nHost: other"),))
            return (await _fetch_all(fetcher, [f"http://127.0.0.1:{port}/"]))[0], seen

    exchange, seen = asyncio.run(run())
    assert exchange.error == "invalid-request"
    assert seen.requests == []


def test_idle_connections_are_capped_across_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "MAX_POOLS", 2)

    async def run() -> list[int]:
        async with (
            scripted(keep_alive, "127.0.0.1") as (port, seen_1),
            scripted(keep_alive, "127.0.0.2") as (port_2, seen_2),
            scripted(keep_alive, "127.0.0.3") as (port_3, seen_3),
        ):
            urls = [
                f"http://127.0.0.1:{port}/",
                f"http://127.0.0.2:{port_2}/",
                f"http://127.0.0.3:{port_3}/",  # the third idle one: the first is closed
                f"http://127.0.0.1:{port}/again",
                f"http://127.0.0.3:{port_3}/again",
            ]
            await _fetch_all(_fetcher(), urls)
            return [seen_1.connections, seen_2.connections, seen_3.connections]

    assert asyncio.run(run()) == [2, 1, 1]


def _refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: nothing listens there


def test_an_origin_that_refuses_is_asked_once_per_url_in_flight_not_per_url() -> None:
    port = _refused_port()
    urls = [f"http://127.0.0.1:{port}/{n}" for n in range(12)]

    async def run() -> list[Exchange]:
        fetcher = _fetcher(max_retries=2, host_concurrency=2)
        stage = FetchStage(urls, lambda host: Pace(2, 0.0), online=lambda: True)
        exchanges: list[Exchange] = []

        async def fetch(url: str, need: int) -> Exchange:
            exchange = await fetcher.fetch(url, rank=need)
            exchanges.append(exchange)
            return exchange

        try:
            await stage.run(fetch)
        finally:
            await fetcher.aclose()
        return exchanges

    exchanges = asyncio.run(run())
    assert len(exchanges) == 12
    assert {e.error for e in exchanges} == {"connection-refused"}  # unknown, as before
    told = [e for e in exchanges if "not asked again" in (e.error_detail or "")]
    # The first URL's three attempts settle it for the rest. The other URL in flight
    # beside it either stops at its next attempt or, in the same instant, ends its own
    # three: never are the twelve URLs' 36 attempts made.
    asked = [e for e in exchanges if e not in told]
    assert len(told) in (10, 11)
    assert all("3 attempts for another URL" in (e.error_detail or "") for e in told)
    assert [e.attempts for e in asked] == [3] * len(asked)


def test_an_origin_found_down_is_asked_again_after_a_while() -> None:
    origins = UnreachableOrigins(down_for=0.05)
    origin = ("example.test", 443)
    origins.note_failure(origin, Failure("connection-refused", "refused", 3))
    assert origins.known_down(origin) is not None
    time.sleep(0.06)
    assert origins.known_down(origin) is None  # the next URL is requested
    origins.note_failure(origin, Failure("connection-refused", "refused", 3))
    origins.note_success(origin)  # a connection under way succeeded after all
    assert origins.known_down(origin) is None


def test_a_refused_connection_says_nothing_about_another_port() -> None:
    port = _refused_port()

    async def run() -> list[Exchange]:
        async with scripted(keep_alive) as (open_port, _):
            urls = [f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{open_port}/"]
            return await _fetch_all(_fetcher(max_retries=1), urls)

    refused, answered = asyncio.run(run())
    assert refused.error == "connection-refused"
    assert (answered.final_status, answered.error) == (200, None)


# --- the global limit ----------------------------------------------------------------------


def test_the_limit_serves_work_under_way_then_the_host_that_needs_most() -> None:
    async def run() -> list[str]:
        limiter = Limiter(1)
        order: list[str] = []

        async def holder(name: str, *, urgent: bool, rank: int) -> None:
            async with limiter.hold(urgent=urgent, rank=rank):
                order.append(name)
                await asyncio.sleep(0.01)

        first = asyncio.ensure_future(holder("first", urgent=False, rank=0))
        await asyncio.sleep(0)  # it holds the only slot; the rest queue behind it
        waiting = [
            holder("fresh-small", urgent=False, rank=1),
            holder("fresh-big", urgent=False, rank=50),
            holder("retry", urgent=True, rank=0),
            holder("fresh-small-later", urgent=False, rank=1),
        ]
        await asyncio.gather(first, *waiting)
        return order

    assert asyncio.run(run()) == ["first", "retry", "fresh-big", "fresh-small", "fresh-small-later"]


def test_a_waiter_cancelled_as_it_is_granted_passes_the_slot_on() -> None:
    async def run() -> bool:
        limiter = Limiter(1)
        got: list[str] = []

        async def take(name: str) -> None:
            async with limiter.hold(urgent=False):
                got.append(name)
                await asyncio.sleep(0.01)

        held = limiter.hold(urgent=False)
        await held.__aenter__()  # this test holds the only slot
        doomed = asyncio.ensure_future(take("doomed"))
        last = asyncio.ensure_future(take("last"))
        await asyncio.sleep(0)  # both wait
        await held.__aexit__(None, None, None)  # the slot goes to doomed's future ...
        doomed.cancel()  # ... and doomed is cancelled before it runs
        await asyncio.gather(doomed, return_exceptions=True)
        await asyncio.wait_for(last, 1)  # the slot was passed on, not lost
        return got == ["last"]

    assert asyncio.run(run())


def test_every_host_s_first_fetch_comes_before_any_host_s_second() -> None:
    urls = [f"https://h{h}.example/{n}" for h in range(5) for n in range(4)]

    async def run() -> list[str]:
        started: list[str] = []

        async def fetch(url: str, need: int) -> Exchange:
            started.append(url.split("/")[2])
            await asyncio.sleep(0.01)
            return Exchange(url)

        stage = FetchStage(urls, lambda host: Pace(2, 0.0), online=lambda: True)
        await stage.run(fetch)
        return started

    started = asyncio.run(run())
    assert sorted(started[:5]) == [f"h{h}.example" for h in range(5)]


def test_a_large_answer_in_one_burst_is_not_taken_for_an_endless_head() -> None:
    """A fast server's head and a large body in one write: only the head counts against
    the head's limit. (Our own client counted whatever came in the head's read, body
    included, and `bench/archive.py` saw it fail most 2-4 MB pages as invalid-http; on
    loopback here the first read is rarely that large, so this guards the rule rather
    than reproducing that failure every time.)"""
    body = b"<p>" + b"x" * (3 * 1024 * 1024) + b"</p>"
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    exchange = _one(answer, close=False)
    assert (exchange.error, exchange.final_status) == (None, 200)
    assert exchange.body.startswith(b"<p>xxx")


def test_a_pool_is_never_closed_under_a_body_still_being_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Past MAX_POOLS the least recently used pool is closed, but not one whose answer is
    still coming: a slow download from the first origin outlives two other origins' pools
    and arrives whole."""
    monkeypatch.setattr(client, "MAX_POOLS", 2)
    chunk = b"x" * 10_000

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seen: Seen) -> None:
        if not await _read_request(reader, seen):
            return
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (len(chunk) * 10))
        for _ in range(10):
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(0.05)

    async def run() -> tuple[int, int, list[int | None]]:
        async with (
            scripted(slow, "127.0.0.1") as (port, _),
            scripted(keep_alive, "127.0.0.2") as (port_2, _),
            scripted(keep_alive, "127.0.0.3") as (port_3, _),
        ):
            fetcher = _fetcher()
            try:
                with (tmp_path / "body").open("w+b") as sink:
                    download = asyncio.ensure_future(
                        fetcher.download(
                            f"http://127.0.0.1:{port}/slow", sink, limit=10**6, timeout=5
                        )
                    )
                    await asyncio.sleep(0.1)  # the answer is coming
                    others = [
                        await fetcher.fetch(f"http://127.0.0.2:{port_2}/"),
                        await fetcher.fetch(f"http://127.0.0.3:{port_3}/"),
                    ]
                    done = await download
                    return done.size, done.status, [e.final_status for e in others]
            finally:
                await fetcher.aclose()

    assert asyncio.run(run()) == (100_000, 200, [200, 200])
