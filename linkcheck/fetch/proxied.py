"""Requests through a proxy (HTTP CONNECT, SOCKS5), on httpx and httpcore: imported only
when a host has a proxy or a URL is not plain ASCII, because direct connections (wire.py)
need neither, and importing them costs 0.13 s, which a pre-commit hook pays in full.

Everything httpx and httpcore may raise is turned here into the errors wire.py defines
(the original kept as the cause), so the fetcher classifies one family of errors.
"""

from __future__ import annotations

import select
import socket
import ssl
import typing
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

from .proxies import Proxy
from .routing import RoutingBackend
from .wire import (
    ConnectTimeout,
    Disconnected,
    InvalidTarget,
    ProtocolViolation,
    WireError,
    all_headers,
    first_header,
    header_text,
)


class ProxyBackend(AsyncNetworkBackend):
    """httpcore's network backend: the connection to the proxy, routed and recorded as a
    direct one is (--connect-to, the evidence), with anyio underneath."""

    def __init__(self, routing: RoutingBackend) -> None:
        self._routing = routing
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> AsyncNetworkStream:
        async def tcp(address: str, to_port: int) -> AsyncNetworkStream:
            try:
                return await self._inner.connect_tcp(
                    address, to_port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as error:  # anyio wraps the OSError that says why
                raise (_root_os_error(error) or OSError(str(error))) from None

        try:
            stream = await self._routing.first_connection(host, port, timeout, tcp)
        except ConnectTimeout as error:
            raise httpcore.ConnectTimeout(str(error)) from None
        return _Stream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Stream(AsyncNetworkStream):
    """anyio's stream, with the extras httpcore asks for answered from the socket itself:
    httpcore asks every idle connection "is_readable" before each request, and anyio
    rebuilds its whole table of extras on every ask (12% of a check's CPU, measured)."""

    def __init__(self, inner: AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "socket":
            return self._socket
        if info == "is_readable":
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


def _readable(sock: socket.socket | None) -> bool:
    """Data (or the end) waits on the socket: an idle connection the server closed."""
    if sock is None or sock.fileno() < 0:
        return True
    poll = select.poll()
    poll.register(sock.fileno(), select.POLLIN)
    return bool(poll.poll(0))


def _root_os_error(error: BaseException) -> OSError | None:
    """The innermost OSError under error (anyio wraps the real one in a generic OSError)."""
    found = None
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            found = current
        current = current.__cause__ or current.__context__
    return found


def transport(
    proxy: Proxy, routing: RoutingBackend, ssl_context: ssl.SSLContext, connections: int
) -> httpx.AsyncHTTPTransport:
    """A small pool for one host through its proxy; the proxy resolves the host's name (so
    it can never prove a name does not exist)."""
    backend = ProxyBackend(routing)
    pool: httpcore.AsyncConnectionPool
    if proxy.scheme.startswith("socks"):
        pool = httpcore.AsyncSOCKSProxy(
            proxy_url=proxy.url,
            proxy_auth=proxy.auth,
            ssl_context=ssl_context,
            max_connections=connections,
            network_backend=backend,
        )
    else:
        pool = httpcore.AsyncHTTPProxy(
            proxy_url=proxy.url,
            proxy_auth=proxy.auth,
            ssl_context=ssl_context,
            proxy_ssl_context=ssl_context if proxy.scheme == "https" else None,
            max_connections=connections,
            network_backend=backend,
        )
    client = httpx.AsyncHTTPTransport(verify=ssl_context, trust_env=False)
    client._pool = pool
    return client


async def send(
    client: httpx.AsyncHTTPTransport,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    timeout: float,
    connect_timeout: float,
) -> Proxied:
    """One request through the proxy, its body not read yet."""
    request = httpx.Request(
        method,
        url,
        headers=headers,
        content=body or None,
        extensions={"timeout": httpx.Timeout(timeout, connect=connect_timeout).as_dict()},
    )
    with _translated():
        return Proxied(await client.handle_async_request(request), request)


class Proxied:
    """An httpx response as a wire.Response."""

    def __init__(self, response: httpx.Response, request: httpx.Request) -> None:
        self._response = response
        self.status = response.status_code
        self.reason = response.reason_phrase or ""
        self.http_version = response.http_version
        self.raw_headers = tuple(response.headers.raw)
        self.headers = tuple((header_text(k), header_text(v)) for k, v in self.raw_headers)
        self.sent_headers = tuple(
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
        )
        self.peer: tuple[str, int] | None = None  # the proxy's address, not the host's

    def header(self, name: str) -> str | None:
        return first_header(self.headers, name)

    def header_list(self, name: str) -> list[str]:
        return all_headers(self.headers, name)

    async def chunks(self) -> AsyncIterator[bytes]:
        with _translated():
            async for chunk in self._response.aiter_raw():
                yield chunk

    async def close(self) -> None:
        with _translated():
            await self._response.aclose()


def url_parts(url: str) -> tuple[str, str, int | None, str, bytes]:
    """httpx's reading of a URL that is not plain ASCII (targets.py): scheme, host (IDNA),
    port, authority, request target."""
    with _translated():
        parsed = httpx.URL(url)
    return (
        parsed.scheme,
        parsed.raw_host.decode("ascii"),
        parsed.port,
        parsed.netloc.decode("ascii"),
        parsed.raw_path,
    )


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except (httpx.ConnectTimeout, httpcore.ConnectTimeout) as error:
        raise ConnectTimeout(str(error)) from error
    except (httpx.TimeoutException, httpcore.TimeoutException) as error:
        raise TimeoutError(str(error)) from error
    except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpcore.UnsupportedProtocol) as error:
        raise InvalidTarget(str(error)) from error
    except (httpx.RemoteProtocolError, httpcore.RemoteProtocolError) as error:
        # httpx says this both for a connection closed before any answer and for an answer
        # that is not HTTP; only the first is a reset.
        if "disconnected" in str(error).lower():
            raise Disconnected(str(error)) from error
        raise ProtocolViolation(str(error)) from error
    except (
        httpx.ReadError,
        httpx.WriteError,
        httpx.ConnectError,
        httpcore.ReadError,
        httpcore.WriteError,
        httpcore.ConnectError,
    ) as error:
        raise Disconnected(str(error)) from error
    except (httpx.HTTPError, httpcore.NetworkError, httpcore.ProxyError) as error:
        raise WireError(str(error)) from error
