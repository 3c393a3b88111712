"""The run's HTTP client: one httpx.AsyncClient sends every request (check, archive pages and
images, Wayback lookups, Save Page Now, the GitHub API), directly or through a proxy.

httpx and httpcore do HTTP (h11 frames and parses, httpcore keeps connections alive); this
module fills their seams and nothing else:
- Transport (httpx's transport seam): a small httpcore pool per origin, or per host and
  proxy, so hosts never evict each other's idle connections and a pool's bookkeeping
  (linear in its connections) stays cheap at 1,868 hosts; the least recently used pools
  are closed past MAX_POOLS, which bounds the sockets a run holds;
- RoutedNetwork (httpcore's network backend): every TCP connection goes where routing.py
  decides (--connect-to, the private-address refusal on the resolved address, the evidence
  for "offline"), over asyncio streams on the run's event loop;
- a GET that found its kept-alive connection closed by the server before a byte of the
  answer came is sent once more on a new connection (the race every pooled client meets);
  a POST never is.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import socket
import ssl
import typing
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpcore
import httpx

from .proxies import Proxy
from .routing import ConnectTimeout, RoutingBackend, open_socket

# The most an answer's head may be: h11's limit as httpcore sets it (browsers allow ~256 KiB).
HEAD_LIMIT = httpcore.AsyncHTTP11Connection.MAX_INCOMPLETE_EVENT_SIZE
IDLE_SECONDS = 5.0  # an idle connection older than this is closed, not reused
MAX_POOLS = 128  # origins with connections kept at once: a run over 1,868 hosts holds few sockets
_HIGH_WATER = 256 * 1024  # bytes buffered from a socket before it is paused
PEER = "linkcheck.peer"  # response extension: (address, port) of the server, None via a proxy


@dataclass
class _Exchange:
    """What the network saw of one request: whether it went on a connection that had served
    an answer before, and whether that connection closed before a byte of this one came."""

    reused: bool = False
    stale: bool = False


_current: contextvars.ContextVar[_Exchange | None] = contextvars.ContextVar(
    "linkcheck_exchange", default=None
)


class _SocketProtocol(asyncio.Protocol):
    """Bytes from one connection, buffered for _Stream.read, the socket paused past
    _HIGH_WATER (an endless body costs what the reader asks for, not the sender's pace)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.eof = False
        self.error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A cast, not an isinstance check: uvloop's transports do not subclass asyncio's.
        self.transport = typing.cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.buffer.append(data)
        self.buffered += len(data)
        if self.buffered > _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def take(self, max_bytes: int) -> bytes:
        while not self.buffer:
            if self.eof:
                if self.error is not None:
                    raise httpcore.ReadError(str(self.error)) from self.error
                return b""
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        data = self.buffer.popleft()
        if len(data) > max_bytes:
            self.buffer.appendleft(data[max_bytes:])
            data = data[:max_bytes]
        self.buffered -= len(data)
        if self._paused and self.buffered < _HIGH_WATER // 2 and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data


class _Stream(httpcore.AsyncNetworkStream):
    """httpcore's network stream on an asyncio transport of the run's loop (uvloop's where
    it runs): no anyio task group or extras table per read, and "is_readable", which
    httpcore asks of every idle connection before reusing it, answered from our buffer.

    Made from a connected socket; its transport is made at the first read or write, or by
    start_tls in one step with the handshake (the loop's start_tls on a plain transport
    cost 2 ms more CPU per connection, measured; it is kept for TLS inside a tunnel)."""

    def __init__(
        self,
        sock: socket.socket | None,
        transport: asyncio.Transport | None = None,
        protocol: _SocketProtocol | None = None,
    ) -> None:
        self._sock = sock
        self._transport = transport
        self._protocol = protocol or _SocketProtocol()
        self._answered = False  # a byte came since the last request was written
        self._served = False  # an answer came on this connection before the current request
        self._sent = False  # a request was written

    async def _plain(self) -> asyncio.Transport:
        if self._transport is None:
            assert self._sock is not None  # one or the other, always
            loop = asyncio.get_running_loop()
            self._transport, _ = await loop.create_connection(
                lambda: self._protocol, sock=self._sock
            )
        return self._transport

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        await self._plain()
        try:
            if self._protocol.buffer:  # there already: no timer to arm
                data = await self._protocol.take(max_bytes)
            else:
                async with asyncio.timeout(timeout):
                    data = await self._protocol.take(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout(f"no data within {timeout:g} s") from None
        except httpcore.ReadError:
            self._note_stale()
            raise
        if data:
            self._answered = True
        else:
            self._note_stale()
        return data

    def _note_stale(self) -> None:
        """The connection ended before a byte of the answer: stale, if it served before."""
        exchange = _current.get()
        if exchange is not None and self._served and not self._answered:
            exchange.stale = True

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        transport = await self._plain()
        if not self._sent or self._answered:  # the first bytes of a request
            self._served = self._served or self._answered
            self._answered = False
            self._sent = True
            exchange = _current.get()
            if exchange is not None:
                exchange.reused = self._served
        if transport.is_closing():
            self._note_stale()
            raise httpcore.WriteError("the connection is closed")
        transport.write(buffer)

    async def aclose(self) -> None:
        if self._transport is not None:
            self._transport.abort()
        elif self._sock is not None:
            self._sock.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        protocol = self._protocol
        try:
            async with asyncio.timeout(timeout):
                if self._transport is None:
                    transport, protocol = await loop.create_connection(
                        _SocketProtocol,
                        sock=self._sock,
                        ssl=ssl_context,
                        server_hostname=server_hostname,
                        ssl_handshake_timeout=timeout,
                    )
                else:  # TLS inside a proxy's tunnel
                    tunnelled = await loop.start_tls(
                        self._transport,
                        self._protocol,
                        ssl_context,
                        server_hostname=server_hostname,
                        ssl_handshake_timeout=timeout,
                    )
                    if tunnelled is None:  # pragma: no cover - start_tls returns one or raises
                        raise httpcore.ConnectError("the TLS handshake did not complete")
                    transport = tunnelled
                    protocol.transport = transport
        except TimeoutError:
            await self.aclose()
            raise ConnectTimeout(
                f"no TLS handshake with {server_hostname} within {timeout:g} s"
            ) from None
        except BaseException:
            await self.aclose()
            raise
        return _Stream(None, transport, protocol)

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable":
            # What the event loop has delivered: bytes or the end on an idle connection mean
            # it cannot serve another request (a close still in flight is a stale retry).
            return bool(self._protocol.buffer) or self._protocol.eof
        if self._transport is None:
            sock = self._sock
            if info == "server_addr" and sock is not None:
                return sock.getpeername()
            return sock if info == "socket" else None
        if info in ("ssl_object", "socket"):
            return self._transport.get_extra_info(info)
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        return None


class RoutedNetwork(httpcore.AsyncNetworkBackend):
    """httpcore's network backend: each connection to the address routing.py chooses."""

    def __init__(self, routing: RoutingBackend) -> None:
        self._routing = routing

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        async def tcp(address: str, to_port: int) -> _Stream:
            return _Stream(await open_socket(address, to_port, timeout))

        return await self._routing.first_connection(host, port, timeout, tcp)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _Body(httpx.AsyncByteStream):
    """An httpcore body as httpx's stream; done() once it is closed (its pool is in use
    until then)."""

    def __init__(self, inner: typing.AsyncIterable[bytes], done: typing.Callable[[], None]) -> None:
        self._inner = inner
        self._done: typing.Callable[[], None] | None = done

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._inner:
            yield part

    async def aclose(self) -> None:
        try:
            close = getattr(self._inner, "aclose", None)
            if close is not None:
                await close()
        finally:
            if self._done is not None:
                self._done()
                self._done = None


class Transport(httpx.AsyncBaseTransport):
    """httpx's transport: which httpcore pool a request goes through (proxy_for names the
    host's proxy, or None to connect directly)."""

    def __init__(
        self,
        direct: RoutingBackend,
        to_proxy: RoutingBackend,
        ssl_context: typing.Callable[[], ssl.SSLContext],
        proxy_for: typing.Callable[[str, str], Proxy | None],
        connections_for: typing.Callable[[str], int],
    ) -> None:
        self._direct = RoutedNetwork(direct)
        self._to_proxy = RoutedNetwork(to_proxy)
        self._ssl_context = ssl_context
        self._proxy_for = proxy_for
        self._connections_for = connections_for
        # (scheme, host, port, proxy URL) → its pool, the least recently used first
        self._pools: collections.OrderedDict[
            tuple[str, str, int, str], httpcore.AsyncConnectionPool
        ] = collections.OrderedDict()
        self._in_flight: collections.Counter[tuple[str, str, int, str]] = collections.Counter()

    def _pool(
        self, key: tuple[str, str, int, str], proxy: Proxy | None
    ) -> httpcore.AsyncConnectionPool:
        pool = self._pools.get(key)
        if pool is not None:
            self._pools.move_to_end(key)
            return pool
        scheme, host = key[0], key[1]
        connections = max(1, self._connections_for(host))
        # Asked for only where TLS is spoken, so a plain-HTTP run never loads a trust store.
        secure = scheme == "https" or (proxy is not None and proxy.scheme == "https")
        context = self._ssl_context() if secure else None
        if proxy is None:
            pool = httpcore.AsyncConnectionPool(
                ssl_context=context,
                max_keepalive_connections=connections,
                keepalive_expiry=IDLE_SECONDS,
                network_backend=self._direct,
            )
        elif proxy.scheme.startswith("socks"):
            # The proxy resolves the host's name (so it can never prove a name does not exist).
            pool = httpcore.AsyncSOCKSProxy(
                proxy_url=proxy.url,
                proxy_auth=proxy.auth,
                ssl_context=context,
                max_connections=connections,
                keepalive_expiry=IDLE_SECONDS,
                network_backend=self._to_proxy,
            )
        else:
            pool = httpcore.AsyncHTTPProxy(
                proxy_url=proxy.url,
                proxy_auth=proxy.auth,
                ssl_context=context,
                proxy_ssl_context=context if proxy.scheme == "https" else None,
                max_connections=connections,
                keepalive_expiry=IDLE_SECONDS,
                network_backend=self._to_proxy,
            )
        self._pools[key] = pool
        return pool

    async def _evict(self) -> None:
        """Make room for one more pool: close the least recently used with nothing in flight."""
        excess = len(self._pools) - MAX_POOLS + 1
        for key in list(self._pools):
            if excess <= 0:
                return
            if self._in_flight[key]:
                continue
            pool = self._pools.pop(key)
            excess -= 1
            await pool.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme, host = url.scheme, url.raw_host.decode("ascii")
        port = url.port or (443 if scheme == "https" else 80)
        proxy = self._proxy_for(scheme, host)
        key = (scheme, host, port, proxy.url if proxy is not None else "")
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        # In use from here until its body is closed: a pool is never evicted under a read.
        self._in_flight[key] += 1
        try:
            if len(self._pools) >= MAX_POOLS and key not in self._pools:
                await self._evict()
            response = await self._send(self._pool(key, proxy), core)
        except BaseException:
            self._done(key)
            raise
        peer = None
        stream = response.extensions.get("network_stream")
        if proxy is None and isinstance(stream, httpcore.AsyncNetworkStream):
            address = stream.get_extra_info("server_addr")
            if isinstance(address, tuple):
                peer = (str(address[0]), int(address[1]))
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(
                typing.cast(typing.AsyncIterable[bytes], response.stream),
                lambda: self._done(key),
            ),
            extensions={**response.extensions, PEER: peer},
        )

    def _done(self, key: tuple[str, str, int, str]) -> None:
        self._in_flight[key] -= 1
        if not self._in_flight[key]:
            del self._in_flight[key]

    async def _send(
        self, pool: httpcore.AsyncConnectionPool, request: httpcore.Request
    ) -> httpcore.Response:
        """One request; a GET whose kept-alive connection turned out closed before a byte of
        the answer came, or to hold bytes that are no answer, goes once more (on another
        connection: that one is gone)."""
        exchange = _Exchange()
        token = _current.set(exchange)
        try:
            return await pool.handle_async_request(request)
        except httpcore.RemoteProtocolError:
            # Closed before answering, or bytes past the last answer that are no answer.
            if not (exchange.reused and request.method == b"GET"):
                raise
        except (httpcore.ReadError, httpcore.WriteError):
            if not (exchange.stale and exchange.reused and request.method == b"GET"):
                raise
        finally:
            _current.reset(token)
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        pools = list(self._pools.values())
        self._pools.clear()
        for pool in pools:
            await pool.aclose()


class _NoCookies(httpx.Cookies):
    """The client's own jar: keeps nothing, and costs nothing per answer (httpx's would
    build urllib request and response objects for every one). A run's server-set cookies
    live in cookies.py, which sends them to their hosts over HTTPS only."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class Client(httpx.AsyncClient):
    """httpx's client, redirects never followed: the fetcher follows them by hand, so that
    every hop is recorded and a hostile Location is a verdict, not an exception."""

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: typing.Any) -> None:
        return None  # never any: see _NoCookies

    def _build_redirect_request(
        self, request: httpx.Request, response: httpx.Response
    ) -> httpx.Request:
        # httpx prepares the next request of every redirect, even one it does not follow,
        # and raises there on a Location it cannot parse, before the caller sees the answer.
        return request


_NO_COOKIES = _NoCookies()


def client(transport: Transport) -> Client:
    """The run's client: no cookies of its own (cookies.py decides which go where), no
    environment (proxies.py read it), no default headers (the fetcher sends its own)."""
    return Client(
        transport=transport, trust_env=False, follow_redirects=False, headers={}, timeout=None
    )
