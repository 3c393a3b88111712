"""Where connections go: curl's --connect-to, name resolution, and what the run learns
about the network from its own attempts (DESIGN.md §3, "Offline is inferred").

RoutingBackend is the one place a TCP connection is decided, for every connection httpcore
opens (client.py's network backend), direct or to a proxy. It maps
(host, port) through the --connect-to table, resolves names itself so a failed lookup can
be told apart from a refused connection, and records the evidence the classifier needs:
did any public name resolve in this run, and did anything connect at all.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import ssl
import typing
from dataclasses import dataclass, field

from ..errors import ConfigError
from .addresses import is_private_address

_Connected = typing.TypeVar("_Connected")


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


class ConnectTimeout(TimeoutError):
    """No connection (or no TLS handshake) within the connect timeout."""


class DnsFailure(OSError):
    """A name did not resolve. nxdomain: the resolver said the name does not exist
    (EAI_NONAME) rather than failing to answer (EAI_AGAIN)."""

    def __init__(self, host: str, nxdomain: bool, message: str) -> None:
        super().__init__(message)
        self.host = host
        self.nxdomain = nxdomain


class NetworkUnreachable(OSError):
    """No route to the network at all (ENETUNREACH / EHOSTUNREACH)."""


class RoutedConnectError(OSError):
    """A connection failure that says what failed: "dns-nxdomain", "dns-failure",
    "network-unreachable", "connection-refused", "connect-failed" or "private-address"
    (the kind travels on the exception itself, through httpcore's pool too)."""

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


class RoutingBackend:
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

    async def addresses(self, host: str, port: int, timeout: float | None) -> tuple[list[str], int]:
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

    def connected(self) -> None:
        self._evidence.connected += 1

    def failed(self, root: OSError | None, kind: str) -> str:
        """The kind a failed connect attempt makes, noting an unreachable network."""
        if root is not None and root.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            self._evidence.unreachable += 1
            return "network-unreachable"
        if isinstance(root, ConnectionRefusedError):
            return "connection-refused"
        return kind

    async def first_connection(
        self,
        host: str,
        port: int,
        timeout: float | None,
        connect: typing.Callable[[str, int], typing.Awaitable[_Connected]],
    ) -> _Connected:
        """What connect(address, port) makes of the first address of (host, port) that
        answers, the evidence noted. connect raises OSError for an address that does not
        answer (the next is tried); a timeout ends the attempt."""
        addresses, to_port = await self.addresses(host, port, timeout)
        last_error: OSError | None = None
        kind = "connect-failed"
        for address in addresses:
            try:
                connected = await connect(address, to_port)
            except TimeoutError:
                raise
            except OSError as error:
                kind = self.failed(error, kind)
                last_error = error
                continue
            self.connected()
            return connected
        raise RoutedConnectError(kind, str(last_error)) from last_error


async def open_socket(address: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP socket connected to (address, port) within timeout (ConnectTimeout), for
    first_connection's connect: the client's and the browser's pinning proxy's alike."""
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        async with asyncio.timeout(timeout):
            await loop.sock_connect(sock, (address, port))
    except TimeoutError:
        sock.close()
        raise ConnectTimeout(f"could not connect to {address} port {port}") from None
    except BaseException:
        sock.close()
        raise
    return sock


def _public_only(host: str, addresses: list[str]) -> list[str]:
    public = [a for a in addresses if not is_private_address(ipaddress.ip_address(a))]
    if not public:
        raise RoutedConnectError(
            "private-address",
            f"{host} is {addresses[0]}, a private address: not contacted "
            "(--include-private allows it)",
        )
    return public


def unverified_context() -> ssl.SSLContext:
    """--insecure: TLS without checking the certificate or the name (as curl's -k)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def tls_context(cacert: typing.Sequence[str]) -> ssl.SSLContext:
    """The system's trust store plus the given CA files (curl's --cacert adds, we add)."""
    context = ssl.create_default_context()
    for path in cacert:
        try:
            context.load_verify_locations(cafile=path)
        except (OSError, ssl.SSLError) as error:
            raise ConfigError(f"--cacert {path}: {error}") from None
    return context
