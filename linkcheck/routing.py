"""Where connections go: curl's --connect-to, name resolution, and what the run learns
about the network from its own attempts (DESIGN.md §3, "Offline is inferred").

RoutingBackend is the one place a TCP connection is opened, for wire.py's direct
connections (connect) and as httpcore's network backend for proxied ones. It maps
(host, port) through the --connect-to table, resolves names itself so a failed lookup can
be told apart from a refused connection, and records the evidence the classifier needs:
did any public name resolve in this run, and did anything connect at all.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import select
import socket
import ssl
import typing
from dataclasses import dataclass, field

import httpcore
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

from .addresses import is_private_address
from .errors import ConfigError
from .wire import Connection, ConnectTimeout, Origin


@dataclass(frozen=True, slots=True)
class ConnectTo:
    """HOST1:PORT1:HOST2:PORT2 — empty fields are wildcards (source) or "unchanged" (target)."""

    host: str
    port: int | None
    to_host: str
    to_port: int | None

    @classmethod
    def parse(cls, text: str) -> ConnectTo:
        parts = text.rsplit(":", 3) if not text.startswith("[") else None
        if parts is None or len(parts) != 4:
            raise ConfigError(f"--connect-to {text!r}: expected HOST1:PORT1:HOST2:PORT2")
        host, port, to_host, to_port = parts
        try:
            return cls(
                host.lower(),
                int(port) if port else None,
                to_host,
                int(to_port) if to_port else None,
            )
        except ValueError:
            raise ConfigError(f"--connect-to {text!r}: ports must be numbers") from None

    def apply(self, host: str, port: int) -> tuple[str, int] | None:
        if (self.host and self.host != host.lower()) or (
            self.port is not None and self.port != port
        ):
            return None
        return (self.to_host or host, self.to_port if self.to_port is not None else port)


class DnsFailure(OSError):
    """A name did not resolve. nxdomain: the resolver said the name does not exist
    (EAI_NONAME) rather than failing to answer (EAI_AGAIN)."""

    def __init__(self, host: str, nxdomain: bool, message: str) -> None:
        super().__init__(message)
        self.host = host
        self.nxdomain = nxdomain


class NetworkUnreachable(OSError):
    """No route to the network at all (ENETUNREACH / EHOSTUNREACH)."""


class RoutedConnectError(httpcore.ConnectError):
    """A connection failure that says what failed: "dns-nxdomain", "dns-failure",
    "network-unreachable", "connection-refused" or "connect-failed" (exception chains do
    not survive httpcore's pool, so the kind travels on the exception itself)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class NetworkEvidence:
    """What this run's own attempts tell about the network."""

    public_name_resolved: bool = False  # a lookup returned a global address: DNS works
    connected: int = 0  # TCP connections opened (routed or not)
    unreachable: int = 0
    dns_failures: set[str] = field(default_factory=set)

    @property
    def online(self) -> bool:
        return self.connected > 0 or self.public_name_resolved


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class RoutingBackend(AsyncNetworkBackend):
    """allow_private: --include-private. Without it, a name or address that is not public
    is never connected to (decided on the resolved address, so `127.1`, a name that
    resolves to loopback and every redirect hop are covered), unless a --connect-to route
    the user gave sends it there."""

    def __init__(
        self,
        routes: typing.Sequence[ConnectTo],
        evidence: NetworkEvidence,
        *,
        allow_private: bool = False,
    ) -> None:
        # Indexed by source host: a blog's routes can name thousands of hosts, and every
        # connection looks its host up. The first route given that matches wins.
        self._by_host: dict[str, list[tuple[int, ConnectTo]]] = {}
        self._wildcards: list[tuple[int, ConnectTo]] = []
        for order, route in enumerate(routes):
            bucket = self._by_host.setdefault(route.host, []) if route.host else self._wildcards
            bucket.append((order, route))
        self._evidence = evidence
        self._allow_private = allow_private
        self._inner = httpcore.AnyIOBackend()

    def _route(self, host: str, port: int) -> tuple[str, int, bool]:
        best: tuple[int, tuple[str, int]] | None = None
        for order, route in (*self._by_host.get(host.lower(), ()), *self._wildcards):
            if best is not None and order > best[0]:
                continue
            target = route.apply(host, port)
            if target is not None:
                best = (order, target)
        if best is None:
            return host, port, False
        return best[1][0], best[1][1], True

    async def _resolve(self, host: str, port: int) -> list[str]:
        if _is_ip(host):
            return [host.strip("[]")]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            self._evidence.dns_failures.add(host)
            nxdomain = error.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))
            raise DnsFailure(host, nxdomain, f"{host}: {error.strerror}") from error
        addresses = [str(info[4][0]) for info in infos]
        if any(ipaddress.ip_address(a).is_global for a in addresses):
            self._evidence.public_name_resolved = True
        return addresses

    async def _addresses(
        self, host: str, port: int, timeout: float | None
    ) -> tuple[list[str], int]:
        """Where a connection to (host, port) may go: the addresses to try, and the port."""
        to_host, to_port, routed = self._route(host, port)
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._resolve(to_host, to_port)
        except TimeoutError:
            raise ConnectTimeout(f"resolving {to_host} timed out") from None
        except DnsFailure as failure:
            kind = "dns-nxdomain" if failure.nxdomain else "dns-failure"
            raise RoutedConnectError(kind, str(failure)) from failure
        if not routed and not self._allow_private:
            addresses = _public_only(host, addresses)
        return addresses, to_port

    def _failed(self, root: OSError | None, kind: str) -> str:
        """The kind a failed connect attempt makes, noting an unreachable network."""
        if root is not None and root.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            self._evidence.unreachable += 1
            return "network-unreachable"
        if isinstance(root, ConnectionRefusedError):
            return "connection-refused"
        return kind

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> AsyncNetworkStream:
        try:
            addresses, to_port = await self._addresses(host, port, timeout)
        except ConnectTimeout as error:
            raise httpcore.ConnectTimeout(str(error)) from None
        last_error: OSError | None = None
        kind = "connect-failed"
        for address in addresses:
            try:
                stream = await self._inner.connect_tcp(
                    address, to_port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as error:
                root = _root_os_error(error)
                kind = self._failed(root, kind)
                last_error = root or OSError(str(error))
                continue
            self._evidence.connected += 1
            return _Stream(stream)
        raise RoutedConnectError(kind, str(last_error)) from last_error

    async def connect(
        self,
        origin: Origin,
        factory: typing.Callable[[], Connection],
        *,
        ssl_context: ssl.SSLContext,
        timeout: float,
    ) -> Connection:
        """A direct connection for wire.Pool: TCP to the first address that answers, then
        TLS for https with the URL's host as the name to verify."""
        scheme, host, port = origin
        addresses, to_port = await self._addresses(host, port, timeout)
        loop = asyncio.get_running_loop()
        tls = ssl_context if scheme == "https" else None
        last_error: OSError | None = None
        kind = "connect-failed"
        for address in addresses:
            try:
                async with asyncio.timeout(timeout):
                    sock = await _tcp_socket(loop, address, to_port)
            except TimeoutError:
                raise ConnectTimeout(f"could not connect to {address} port {to_port}") from None
            except OSError as error:
                kind = self._failed(error, kind)
                last_error = error
                continue
            self._evidence.connected += 1
            try:
                async with asyncio.timeout(timeout):
                    _, connection = await loop.create_connection(
                        factory,
                        sock=sock,
                        ssl=tls,
                        server_hostname=host.strip("[]") if tls else None,
                        ssl_handshake_timeout=timeout if tls else None,
                    )
            except TimeoutError:
                sock.close()
                raise ConnectTimeout(f"no TLS handshake with {host} within {timeout:g} s") from None
            except BaseException:
                sock.close()
                raise
            return connection
        raise RoutedConnectError(kind, str(last_error)) from last_error

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


async def _tcp_socket(loop: asyncio.AbstractEventLoop, address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await loop.sock_connect(sock, (address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _readable(sock: socket.socket | None) -> bool:
    """Data (or the end) waits on the socket: an idle connection the server closed."""
    if sock is None or sock.fileno() < 0:
        return True
    poll = select.poll()
    poll.register(sock.fileno(), select.POLLIN)
    return bool(poll.poll(0))


def _public_only(host: str, addresses: list[str]) -> list[str]:
    public = [a for a in addresses if not is_private_address(ipaddress.ip_address(a))]
    if not public:
        raise RoutedConnectError(
            "private-address",
            f"{host} is {addresses[0]}, a private address: not contacted "
            "(--include-private allows it)",
        )
    return public


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


def tls_context(cacert: typing.Sequence[str]) -> ssl.SSLContext:
    """The system's trust store plus the given CA files (curl's --cacert adds, we add)."""
    context = ssl.create_default_context()
    for path in cacert:
        try:
            context.load_verify_locations(cafile=path)
        except (OSError, ssl.SSLError) as error:
            raise ConfigError(f"--cacert {path}: {error}") from None
    return context
