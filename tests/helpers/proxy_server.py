"""A small proxy on 127.0.0.1 for the tests: HTTP (CONNECT tunnels and absolute-form
requests) or SOCKS5, optionally with credentials. It plays the network for the simulated
web: every name it is asked for goes to the simulated web's HTTPS port (for port 443) or
HTTP port (anything else). It logs what it was asked, and stops with the test that
started it; every loop is bounded in time."""

from __future__ import annotations

import base64
import select
import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_IDLE = 10.0  # seconds a relay waits for either side before it gives up
_HEAD_LIMIT = 64 * 1024


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(_IDLE)
        first = client.recv(1, socket.MSG_PEEK)
        if not first:
            return
        if self.server.socks:
            self._socks(client)
        else:
            self._http(client)

    # --- HTTP -------------------------------------------------------------------------------

    def _http(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < _HEAD_LIMIT:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        header, _, rest = head.partition(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        if self.server.auth is not None:
            wanted = "Basic " + base64.b64encode(":".join(self.server.auth).encode()).decode()
            given = next(
                (
                    v.strip()
                    for k, _, v in (h.partition(":") for h in lines[1:])
                    if k.lower() == "proxy-authorization"
                ),
                None,
            )
            if given != wanted:
                client.sendall(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b"Proxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n"
                )
                return
        self.server.log.append(f"{method} {target}")
        if method == "CONNECT":
            port = int(target.rpartition(":")[2])
            upstream = self.server.upstream(port)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _relay(client, upstream, rest)
            return
        # absolute-form: GET http://host/path → GET /path, one request, then close
        path = "/" + target.split("://", 1)[1].partition("/")[2]
        kept = [h for h in lines[1:] if not h.lower().startswith(("connection:", "proxy-"))]
        forwarded = "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close"])
        upstream = self.server.upstream(80)
        _relay(client, upstream, forwarded.encode("latin-1") + b"\r\n\r\n" + rest)

    # --- SOCKS5 (RFC 1928, user/password RFC 1929) -------------------------------------------

    def _socks(self, client: socket.socket) -> None:
        version, count = _exactly(client, 2)
        methods = _exactly(client, count)
        wanted = 2 if self.server.auth is not None else 0
        if version != 5 or wanted not in methods:
            client.sendall(b"\x05\xff")
            return
        client.sendall(bytes([5, wanted]))
        if wanted == 2:
            _, length = _exactly(client, 2)
            user = _exactly(client, length).decode()
            (length,) = _exactly(client, 1)
            password = _exactly(client, length).decode()
            if (user, password) != self.server.auth:
                client.sendall(b"\x01\x01")
                return
            client.sendall(b"\x01\x00")
        _, _, _, kind = _exactly(client, 4)
        if kind == 3:
            (length,) = _exactly(client, 1)
            host = _exactly(client, length).decode()
        elif kind == 1:
            host = socket.inet_ntoa(_exactly(client, 4))
        else:
            host = socket.inet_ntop(socket.AF_INET6, _exactly(client, 16))
        (port,) = struct.unpack("!H", _exactly(client, 2))
        self.server.log.append(f"SOCKS {host}:{port}")
        upstream = self.server.upstream(port)
        client.sendall(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
        _relay(client, upstream, b"")


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the client went away")
        data += chunk
    return data


def _relay(client: socket.socket, upstream: socket.socket, first: bytes) -> None:
    """Bytes both ways until one side closes or both stay quiet for _IDLE seconds."""
    with upstream:
        if first:
            upstream.sendall(first)
        sockets = [client, upstream]
        while True:
            ready, _, _ = select.select(sockets, [], [], _IDLE)
            if not ready:
                return
            for source in ready:
                data = source.recv(65536)
                if not data:
                    return
                (upstream if source is client else client).sendall(data)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, https_port: int, http_port: int, *, socks: bool, auth: tuple[str, str] | None
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.https_port, self.http_port = https_port, http_port
        self.socks, self.auth = socks, auth
        self.log: list[str] = []

    def upstream(self, port: int) -> socket.socket:
        to = self.https_port if port == 443 else self.http_port
        return socket.create_connection(("127.0.0.1", to), timeout=_IDLE)


@contextmanager
def running_proxy(
    https_port: int, http_port: int, *, socks: bool = False, auth: tuple[str, str] | None = None
) -> Iterator[_Server]:
    server = _Server(https_port, http_port, socks=socks, auth=auth)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
