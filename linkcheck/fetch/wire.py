"""HTTP/1.1 over asyncio for direct connections: llhttp (httptools) parses, we keep the
connections. What a check needs and no more: one request at a time per connection, the
head, the body as it comes (de-chunked, still content-encoded), keep-alive.

Why not httpcore here: its connection pool, h11 and anyio cost about 1.3 ms of CPU per
request, which made a run CPU-bound long before the network was (issue 13; bench/check.py
--mix). Proxied requests still go through httpcore (proxied.py), where speed matters less
than its CONNECT and SOCKS support.

Hostile servers are data: a head over HEAD_LIMIT, bytes llhttp refuses, an answer cut short
or a connection closed before answering raise WireError subclasses the fetcher turns into
error kinds; the body is read only as far as the caller asks, so an endless body costs its
limit; a connection is reused only after a complete answer that allows it.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Protocol, cast

import httptools

HEAD_LIMIT = 128 * 1024  # status line and headers: h11's default is 16 KiB, browsers' ~256 KiB
_HIGH_WATER = 256 * 1024  # body bytes buffered before the socket is paused
_IDLE_SECONDS = 5.0  # an idle connection older than this is closed, not reused
_IDLE_PER_ORIGIN = 8
_IDLE_TOTAL = 256  # across origins: a run over 1,868 hosts must not hold thousands of sockets


class WireError(Exception):
    """Something about the exchange, never about our code."""


class Disconnected(WireError):
    """The server closed the connection before a complete answer (a reset, for retries)."""


class ProtocolViolation(WireError):
    """What came back is not HTTP/1.x, or its head is larger than HEAD_LIMIT."""


class ConnectTimeout(WireError, TimeoutError):
    """No connection within the connect timeout."""


class InvalidTarget(WireError, ValueError):
    """A URL no request can be made for (httpx's reading of it, targets.py)."""


class InvalidRequest(WireError, ValueError):
    """A header we were given cannot be sent (a line break in a value)."""


def _encoded(text: str) -> bytes:
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def request_head(method: str, target: bytes, headers: Sequence[tuple[str, str]]) -> bytes:
    lines = [method.encode("ascii") + b" " + target + b" HTTP/1.1"]
    for name, value in headers:
        encoded = _encoded(value)
        if b"\r" in encoded or b"\n" in encoded or b"\0" in encoded or ":" in name:
            raise InvalidRequest(f"the {name} header has a line break or NUL in it")
        lines.append(name.encode("ascii") + b": " + encoded)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def header_text(value: bytes) -> str:
    """A header value as text: UTF-8 where it is (Chinese sites send raw UTF-8 Locations),
    else Latin-1, which every byte string is."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def first_header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers if k.lower() == lowered), None)


def all_headers(headers: Sequence[tuple[str, str]], name: str) -> list[str]:
    lowered = name.lower()
    return [v for k, v in headers if k.lower() == lowered]


class Connection(asyncio.Protocol):
    """One HTTP/1.1 connection; the answer under way is read through next_chunk."""

    def __init__(self) -> None:
        # None once the connection is gone: the parser holds this object's callbacks, and
        # that cycle must not keep the transport's buffers alive until a garbage collection
        # (250 KiB per TLS connection; RSS grew to 570 MB at the real blog's size).
        self._parser: httptools.HttpResponseParser | None = httptools.HttpResponseParser(self)
        self._version = "HTTP/1.1"
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self._waiter: asyncio.Future[None] | None = None
        self._error: BaseException | None = None
        self._started = False  # any byte came since the request was sent
        self._reset_answer()

    def _reset_answer(self) -> None:
        self.status = 0
        self.reason = b""
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.head_done = False
        self.complete = False
        self.keep_alive = False
        self._interim = False
        self._until_close = False
        self._head_bytes = 0
        self._chunks: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._paused = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A cast, not an isinstance check: uvloop's transports do not subclass asyncio's.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.complete or self._error is not None:
            self._close()  # bytes nobody asked for: never reuse this connection
            return
        self._started = True
        if not self.head_done:
            self._head_bytes += len(data)
            if self._head_bytes > HEAD_LIMIT:
                self._fail(ProtocolViolation(f"the answer's head is over {HEAD_LIMIT} bytes"))
                return
        if self._parser is None:
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(ProtocolViolation("the server switched protocols"))
        except httptools.HttpParserError as error:
            self._fail(ProtocolViolation(f"not an HTTP/1.x answer: {error}"))
        self._wake()

    def eof_received(self) -> bool:
        self._ended()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._ended()
        self._parser = None
        self.transport = None

    def pause_writing(self) -> None:  # requests are small; nothing to hold back
        return None

    def resume_writing(self) -> None:
        return None

    # httptools callbacks
    def on_message_begin(self) -> None:
        # The answer's state was reset when the request went (send) or after an interim
        # answer; complete here means a second answer in the same bytes, to no request.
        if self.complete:
            raise ProtocolViolation("the server sent more than its answer")

    def on_status(self, status: bytes) -> None:
        self.reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self.raw_headers.append((name, value.strip()))

    def on_headers_complete(self) -> None:
        assert self._parser is not None  # called from inside feed_data
        status = self._parser.get_status_code()
        if 100 <= status < 200:  # 100 Continue, 103 Early Hints: the answer is still to come
            self._interim = True
            return
        self.status = status
        major, minor = self._parser.get_http_version().split(".")[:2]
        self._version = f"HTTP/{major}.{minor}"
        self.head_done = True
        framed = any(
            name.lower() in (b"content-length", b"transfer-encoding")
            for name, _ in self.raw_headers
        )
        self._until_close = not framed and status not in (204, 304)

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()

    def on_message_complete(self) -> None:
        if self._interim:
            self._reset_answer()
            return
        self.complete = True
        self.keep_alive = self._parser is not None and self._parser.should_keep_alive()

    # our side
    def send(self, head: bytes, body: bytes) -> None:
        assert self.transport is not None  # a reused connection has no error: it would be closed
        self._reset_answer()
        self._started = False
        self.transport.write(head + body if body else head)

    def _ended(self) -> None:
        self.closed = True
        if self.head_done and not self.complete and self._until_close:
            self.complete = True  # the body ran to the end of the connection
        elif not self.complete and self._error is None:
            if self.head_done:
                self._error = Disconnected("the server closed the connection mid-answer")
            else:
                self._error = Disconnected("server disconnected without sending an answer")
        self._wake()

    def _fail(self, error: BaseException) -> None:
        self._error = error
        self._close()

    def _close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _wait(self) -> None:
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    @property
    def answered_nothing(self) -> bool:
        """Closed before a byte of the answer: a stale keep-alive connection."""
        return isinstance(self._error, Disconnected) and not self._started

    async def read_head(self) -> None:
        while not self.head_done:
            if self._error is not None:
                raise self._error
            if self.closed:
                raise Disconnected("server disconnected without sending an answer")
            await self._wait()

    async def next_chunk(self) -> bytes | None:
        """The next piece of the body, None at its end."""
        while True:
            if self._chunks:
                chunk = self._chunks.popleft()
                self._buffered -= len(chunk)
                if self._paused and self._buffered < _HIGH_WATER // 2 and not self.closed:
                    self._paused = False
                    if self.transport is not None:
                        self.transport.resume_reading()
                return chunk
            if self.complete:
                return None
            if self._error is not None:
                raise self._error
            if self.closed:
                raise Disconnected("the server closed the connection mid-answer")
            await self._wait()

    @property
    def reusable(self) -> bool:
        """The answer ended as its framing said and the server keeps the connection."""
        return (
            self.complete
            and self.keep_alive
            and not self.closed
            and self.transport is not None
            and not self.transport.is_closing()
        )

    def discard_rest(self) -> None:
        """What the caller did not read of a complete answer."""
        self._chunks.clear()
        self._buffered = 0
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()

    def http_version(self) -> str:
        return self._version

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    @property
    def peer(self) -> tuple[str, int] | None:
        address = self.transport.get_extra_info("peername") if self.transport else None
        return (str(address[0]), int(address[1])) if isinstance(address, tuple) else None


Origin = tuple[str, str, int]  # scheme, host, port


class Response(Protocol):
    """What the fetcher reads of an answer, direct (Answer) or through a proxy."""

    status: int
    reason: str
    http_version: str
    raw_headers: tuple[tuple[bytes, bytes], ...]  # wire order and case
    headers: tuple[tuple[str, str], ...]  # the same, as text (header_text)
    sent_headers: tuple[tuple[str, str], ...]  # the request's, in the order sent
    peer: tuple[str, int] | None

    def header(self, name: str) -> str | None: ...

    def header_list(self, name: str) -> list[str]: ...

    def chunks(self) -> AsyncIterator[bytes]: ...

    async def close(self) -> None: ...


Connector = Callable[[Origin, Callable[[], Connection]], Awaitable[Connection]]


class Answer:
    """One response: the head at once, the body through chunks(), on a pooled connection
    that close() gives back when the answer was read whole and allows it."""

    def __init__(
        self, pool: Pool, origin: Origin, connection: Connection, sent: Sequence[tuple[str, str]]
    ) -> None:
        self._pool, self._origin, self._connection = pool, origin, connection
        self.status = connection.status
        self.reason = connection.reason.decode("latin-1")
        self.http_version = connection.http_version()
        self.raw_headers = tuple(connection.raw_headers)
        self.headers = tuple((header_text(k), header_text(v)) for k, v in self.raw_headers)
        self.sent_headers = tuple(sent)
        self.peer = connection.peer

    def header(self, name: str) -> str | None:
        return first_header(self.headers, name)

    def header_list(self, name: str) -> list[str]:
        return all_headers(self.headers, name)

    async def chunks(self) -> AsyncIterator[bytes]:
        while (chunk := await self._connection.next_chunk()) is not None:
            yield chunk

    async def close(self) -> None:
        self._pool.release(self._origin, self._connection)


class Pool:
    """Idle keep-alive connections per origin, opened by connector (routing.py decides where
    a name goes and what it may be)."""

    def __init__(self, connector: Connector) -> None:
        self._connector = connector
        self._idle: dict[Origin, list[Connection]] = {}
        # Every idle connection, the longest idle first: what goes when _IDLE_TOTAL is hit.
        self._by_age: collections.OrderedDict[Connection, Origin] = collections.OrderedDict()

    async def request(
        self, origin: Origin, head: bytes, body: bytes, sent: Sequence[tuple[str, str]]
    ) -> Answer:
        connection = self._reuse(origin)
        if connection is not None:
            connection.send(head, body)
            try:
                await connection.read_head()
                return Answer(self, origin, connection, sent)
            except Disconnected:
                connection.abort()
                if not connection.answered_nothing or not head.startswith(b"GET "):
                    raise
                # Closed by the server while idle, as our request went: not a byte of an
                # answer came, so the GET (never a POST) is sent again on a new connection.
            except BaseException:
                connection.abort()
                raise
        connection = await self._connector(origin, Connection)
        try:
            connection.send(head, body)
            await connection.read_head()
        except BaseException:
            connection.abort()
            raise
        return Answer(self, origin, connection, sent)

    def _reuse(self, origin: Origin) -> Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()  # the most recently used: the least likely to be stale
            del self._by_age[connection]
            if connection.reusable and now - connection.idle_since < _IDLE_SECONDS:
                return connection
            connection.abort()
        return None

    def release(self, origin: Origin, connection: Connection) -> None:
        if not connection.reusable:
            connection.abort()
            return
        idle = self._idle.setdefault(origin, [])
        if len(idle) >= _IDLE_PER_ORIGIN:
            connection.abort()
            return
        if len(self._by_age) >= _IDLE_TOTAL:
            oldest, where = self._by_age.popitem(last=False)
            self._idle[where].remove(oldest)
            oldest.abort()
        connection.discard_rest()
        connection.idle_since = time.monotonic()
        idle.append(connection)
        self._by_age[connection] = origin

    def close(self) -> None:
        for connection in self._by_age:
            connection.abort()
        self._idle.clear()
        self._by_age.clear()
