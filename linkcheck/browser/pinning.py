"""The browser's only way to the hosts it reaches without a proxy of the user's: a SOCKS5
proxy on 127.0.0.1 that makes each connection itself, through routing.py as the HTTP
client does (--connect-to, the private-address refusal on the resolved address, the
evidence), to the address it checked. Chromium sends SOCKS5 the name, never resolving it
(its own resolver is off: session.py maps every name to ~NOTFOUND), so a name that
resolves to a public address when checked and to a private one a moment later (DNS
rebinding) cannot send the page anywhere linkcheck did not decide.

SOCKS5 (RFC 1928) is spoken by hand because no maintained library provides its server side
for asyncio (socksio, which httpcore uses, is the client side only); only what Chromium
uses is accepted: no authentication, the CONNECT command, and every malformed or other
request is refused and closed. Each step is bounded by a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import ipaddress
import socket
import struct

from ..fetch.routing import RoutedConnectError, RoutingBackend, open_socket

HANDSHAKE_SECONDS = 10.0
_VERSION = 5
_NO_AUTHENTICATION = 0
_CONNECT = 1
_IPV4, _NAME, _IPV6 = 1, 3, 4
# Reply codes (RFC 1928 §6), by the kind of failure routing.py names.
_SUCCEEDED = 0
_FAILURE = 1
_NOT_ALLOWED = 2
_NETWORK_UNREACHABLE = 3
_HOST_UNREACHABLE = 4
_REFUSED = 5
_COMMAND_NOT_SUPPORTED = 7
_ADDRESS_NOT_SUPPORTED = 8
_REPLY_FOR = {
    "private-address": _NOT_ALLOWED,
    "dns-nxdomain": _HOST_UNREACHABLE,
    "dns-failure": _HOST_UNREACHABLE,
    "network-unreachable": _NETWORK_UNREACHABLE,
    "connection-refused": _REFUSED,
}
_CHUNK = 64 * 1024


class _Refused(Exception):
    def __init__(self, reply: int) -> None:
        super().__init__(reply)
        self.reply = reply


class PinningProxy:
    """Start with start(); close() ends the server and every tunnel."""

    def __init__(
        self,
        routing: RoutingBackend,
        *,
        connect_timeout: float,
        never: tuple[str, ...] = (),
    ) -> None:
        """never: name patterns (fnmatch's, `*.gvt1.com`) refused whatever routing says."""
        self._routing = routing
        self._connect_timeout = connect_timeout
        self._never = never
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0
        self.refused: list[tuple[str, int, int]] = []  # (host, port, reply code)

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: asyncio.StreamWriter | None = None
        try:
            try:
                async with asyncio.timeout(HANDSHAKE_SECONDS):
                    host, port = await _request(reader, writer)
                    up_reader, upstream = await self._connect(host, port)
            except _Refused as refused:
                writer.write(_reply(refused.reply))
                await writer.drain()
                return
            writer.write(_reply(_SUCCEEDED))
            await writer.drain()
            await asyncio.gather(_pipe(reader, upstream), _pipe(up_reader, writer))
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            return  # the browser or the server went away: its tunnel is over
        finally:
            writer.close()
            if upstream is not None:
                upstream.close()

    async def _connect(
        self, host: str, port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if any(fnmatch.fnmatchcase(host.lower(), pattern) for pattern in self._never):
            self.refused.append((host, port, _NOT_ALLOWED))
            raise _Refused(_NOT_ALLOWED)

        async def tcp(address: str, to_port: int) -> socket.socket:
            return await open_socket(address, to_port, self._connect_timeout)

        try:
            sock = await self._routing.first_connection(host, port, self._connect_timeout, tcp)
        except RoutedConnectError as error:
            reply = _REPLY_FOR.get(error.kind, _FAILURE)
            self.refused.append((host, port, reply))
            raise _Refused(reply) from error
        except (OSError, TimeoutError, UnicodeError) as error:
            self.refused.append((host, port, _FAILURE))
            raise _Refused(_FAILURE) from error
        return await asyncio.open_connection(sock=sock)


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[str, int]:
    """The greeting and the CONNECT request: (host, port), or _Refused."""
    version, count = await reader.readexactly(2)
    methods = await reader.readexactly(count)
    if version != _VERSION or _NO_AUTHENTICATION not in methods:
        writer.write(bytes([_VERSION, 0xFF]))  # no acceptable method
        await writer.drain()
        raise OSError("not a SOCKS5 greeting this proxy accepts")
    writer.write(bytes([_VERSION, _NO_AUTHENTICATION]))
    await writer.drain()
    version, command, _, kind = await reader.readexactly(4)
    if version != _VERSION:
        raise OSError("not a SOCKS5 request")
    if kind == _IPV4:
        host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
    elif kind == _IPV6:
        host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
    elif kind == _NAME:
        (length,) = await reader.readexactly(1)
        raw = await reader.readexactly(length)
        try:
            host = raw.decode("ascii")
        except UnicodeDecodeError:
            raise _Refused(_ADDRESS_NOT_SUPPORTED) from None
    else:
        raise _Refused(_ADDRESS_NOT_SUPPORTED)
    (port,) = struct.unpack("!H", await reader.readexactly(2))
    if command != _CONNECT:
        raise _Refused(_COMMAND_NOT_SUPPORTED)
    if not host or port == 0:
        raise _Refused(_ADDRESS_NOT_SUPPORTED)
    return host, port


def _reply(code: int) -> bytes:
    """A reply with an empty bound address (0.0.0.0:0): Chromium does not use it."""
    return bytes([_VERSION, code, 0, _IPV4, 0, 0, 0, 0, 0, 0])


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    """Bytes from source to sink until source ends; then sink's writing side ends too."""
    try:
        while chunk := await source.read(_CHUNK):
            sink.write(chunk)
            await sink.drain()
        if sink.can_write_eof():
            sink.write_eof()
    except (OSError, RuntimeError):  # RuntimeError: uvloop's word for a transport closed
        sink.close()
