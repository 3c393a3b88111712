"""The simulated web: real HTTP and HTTPS servers on 127.0.0.1 that answer for real host
names (mp.weixin.qq.com, github.com, …) from ``fixtures/web/``, with a throwaway test CA.

Used by the tests and by ``linkcheck demo``. The checker reaches it through its normal code
path with ``--connect-to`` and ``--cacert``, exactly as a user would route a staging site.

Layout of a web directory::

    <host>/<path>.html  or  <host>/<path>/index.html   pages served with 200
    routes.toml                                       everything else (see Route)

It misbehaves on purpose where a route says so: slow drip, hang, endless body, gzip bomb,
connection reset, status sequences (503 then 200, 429 with Retry-After), a redirect to
whatever the query's `to` says (for fuzzing redirect targets). Like real servers it keeps
a connection alive for the next request (``keep_alive=False``: one answer per connection);
a misbehaving answer ends its connection. Every loop is bounded in count and time, and
every request is logged with its headers.
"""

from __future__ import annotations

import asyncio
import itertools
import ssl
import threading
import time
import tomllib
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

_MAX_SECONDS = 30.0  # no misbehaving response lasts longer than this
_MAX_TUNNEL_SECONDS = 900.0  # a CONNECT tunnel carrying kept-alive requests, at most
_KEEP_ALIVE_REQUESTS = 1000  # nginx's keepalive_requests: a connection serves this many
_MAX_REQUEST_BODY = 1 << 20  # a larger request body is read no further: the server closes
_BEHAVIOURS = frozenset(
    {
        "normal",
        "drip",
        "hang",
        "endless",
        "gzip-bomb",
        "reset",
        "echo-location",
        "not-http",
        "challenge",
        "captcha",
    }
)
_ROUTE_KEYS = frozenset(
    {
        "host",
        "scheme",
        "path",
        "query",
        "status",
        "statuses",
        "location",
        "headers",
        "body",
        "file",
        "behaviour",
    }
)


@dataclass(frozen=True)
class Route:
    host: str
    path: str
    query: str | None = None  # None: any query
    scheme: str | None = None  # "http" or "https"; None: both
    statuses: tuple[int, ...] = (200,)  # answered in turn, the last one from then on
    location: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    behaviour: str = "normal"


# A JavaScript challenge of our own making, shaped like Zhihu's zse-ck (docs/SOURCES.md [Z1]): a
# 403 page whose script mints a cookie bound to the browser's User-Agent and reloads. Only a
# client that ran it (or holds the cookie it made, with the same User-Agent) gets the page.
CHALLENGE_COOKIE = "__zse_ck"
_CHALLENGE_PAGE = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta id="zh-zse-ck" content="simulated">
<title>zse-ck</title></head><body>
<script>
document.cookie = "__zse_ck=sim-" + navigator.userAgent.length + "; path=/; max-age=600; secure";
location.reload();
</script></body></html>
"""
# The same wall with no script to run: a captcha a person would have to solve.
_CAPTCHA_PAGE = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta id="zh-zse-ck" content="simulated">
<title>zse-ck</title></head><body><form id="captcha">Drag the slider</form></body></html>
"""


def challenge_answer(user_agent: str) -> str:
    """The cookie value the challenge script mints for a User-Agent."""
    return f"sim-{len(user_agent)}"


def _challenged(route: Route, headers: list[tuple[str, str]]) -> Route:
    """The route itself for a client holding a good cookie, else the challenge."""
    user_agent = next((v for k, v in headers if k.lower() == "user-agent"), "")
    cookies = "; ".join(v for k, v in headers if k.lower() == "cookie")
    wanted = f"{CHALLENGE_COOKIE}={challenge_answer(user_agent)}"
    if route.behaviour == "challenge" and wanted in [c.strip() for c in cookies.split(";")]:
        return replace(route, behaviour="normal")
    page = _CHALLENGE_PAGE if route.behaviour == "challenge" else _CAPTCHA_PAGE
    return replace(
        route,
        statuses=(403,),
        body=page,
        headers=(("Content-Type", "text/html; charset=utf-8"),),
        behaviour="normal",
    )


@dataclass(frozen=True)
class LoggedRequest:
    scheme: str
    host: str
    target: str
    headers: tuple[tuple[str, str], ...]
    received: float = 0.0  # time.monotonic() when the request head arrived

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class _Listener:
    server: asyncio.base_events.Server
    port: int


@dataclass
class SimulatedWeb:
    """Start with ``start()`` or as a context manager; ``stop()`` ends every connection."""

    root: Path
    requests: list[LoggedRequest] = field(default_factory=list)
    https_port: int = 0
    http_port: int = 0
    ca_file: Path | None = None
    keep_alive: bool = True  # as real servers do; False: every answer closes its connection

    def __post_init__(self) -> None:
        self._routes: dict[tuple[str, str], list[Route]] = {}
        self._hosts: set[str] = set()
        self._counters: dict[tuple[str, str], itertools.count[int]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._listeners: list[_Listener] = []
        self._connections: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._bomb: bytes | None = None
        self._load()

    # --- configuration -----------------------------------------------------------------

    def _load(self) -> None:
        for host_dir in sorted(p for p in self.root.iterdir() if p.is_dir()):
            self._hosts.add(host_dir.name)
        routes_file = self.root / "routes.toml"
        if not routes_file.exists():
            return
        document = tomllib.loads(routes_file.read_text(encoding="utf-8"))
        for entry in document.get("route", []):
            unknown = set(entry) - _ROUTE_KEYS
            if unknown:
                raise ValueError(f"{routes_file}: unknown route keys {sorted(unknown)}")
            behaviour = entry.get("behaviour", "normal")
            if behaviour not in _BEHAVIOURS:
                raise ValueError(f"{routes_file}: unknown behaviour {behaviour!r}")
            body = entry.get("body", "").encode("utf-8")
            if "file" in entry:
                body = (self.root / entry["file"]).read_bytes()
            statuses = tuple(entry.get("statuses", [entry.get("status", 200)]))
            route = Route(
                host=entry["host"],
                path=entry["path"],
                query=entry.get("query"),
                scheme=entry.get("scheme"),
                statuses=statuses,
                location=entry.get("location"),
                headers=tuple((k, str(v)) for k, v in entry.get("headers", {}).items()),
                body=body,
                behaviour=behaviour,
            )
            self._hosts.add(route.host)
            self._routes.setdefault((route.host, route.path), []).append(route)

    @property
    def hosts(self) -> list[str]:
        return sorted(self._hosts)

    def connect_to(self) -> list[str]:
        """curl-style --connect-to entries that route every simulated host here."""
        entries = []
        for host in self.hosts:
            entries.append(f"{host}:443:127.0.0.1:{self.https_port}")
            entries.append(f"{host}:80:127.0.0.1:{self.http_port}")
        return entries

    # --- lifecycle ---------------------------------------------------------------------

    def start(self, ca_dir: Path) -> SimulatedWeb:
        import trustme

        ca = trustme.CA()
        # Names IDNA 2008 refuses (xn--ls8h.la, registered all the same) are served over
        # plain HTTP only: trustme cannot put them in a certificate.
        certificate = ca.issue_cert(*(host for host in self.hosts if _certifiable(host)))
        self.ca_file = ca_dir / "simulated-web-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        context = _server_context(certificate, ca_dir / "simulated-web")
        context.sni_callback = _per_host_certificates(ca, ca_dir, set(self.hosts))
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._listen(context))
            except (OSError, RuntimeError) as error:  # reported to start(); the thread ends
                failure.append(error)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._close())
            loop.close()

        self._thread = threading.Thread(target=run, name="simulated-web", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("simulated web did not start within 10 s")
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    async def _listen(self, context: ssl.SSLContext) -> None:
        self._stopping = asyncio.Event()
        for use_tls in (True, False):
            server = await asyncio.start_server(
                partial(self._serve, tls=use_tls),
                "127.0.0.1",
                0,
                ssl=context if use_tls else None,
            )
            port = server.sockets[0].getsockname()[1]
            self._listeners.append(_Listener(server, port))
            if use_tls:
                self.https_port = port
            else:
                self.http_port = port

    async def _close(self) -> None:
        for listener in self._listeners:
            listener.server.close()
        for writer in list(self._connections):
            writer.transport.abort()
        self._stopping.set()  # misbehaving responses end their loops
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        for listener in self._listeners:
            await listener.server.wait_closed()

    # --- serving -----------------------------------------------------------------------

    def add_route(self, route: Route) -> None:
        """A route of the test's own making, answered before those of routes.toml."""
        self._routes.setdefault((route.host, route.path), []).insert(0, route)

    def _route(self, scheme: str, host: str, path: str, query: str) -> Route:
        for route in self._routes.get((host, path), []):
            if route.query not in (None, query) or route.scheme not in (None, scheme):
                continue
            return route
        page = self._page(host, path)
        if page is not None:
            return Route(
                host, path, headers=(("Content-Type", "text/html; charset=utf-8"),), body=page
            )
        for route in self._routes.get((host, "*"), []):  # a host's catch-all, if it has one
            return route
        return Route(
            host,
            path,
            statuses=(404,),
            headers=(("Content-Type", "text/html; charset=utf-8"),),
            body=b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>",
        )

    def _page(self, host: str, path: str) -> bytes | None:
        host_dir = (self.root / host).resolve()
        if host not in self._hosts or not host_dir.is_dir():
            return None
        relative = path.strip("/")
        for candidate in (
            relative if relative else "index.html",
            f"{relative}.html",
            f"{relative}/index.html" if relative else "index.html",
        ):
            file = (host_dir / candidate).resolve()
            if file.is_relative_to(host_dir) and file.is_file():
                return file.read_bytes()
        return None

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tls: bool
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._connections.add(writer)
        try:
            # One request after another on the connection, as real servers keep it alive
            # (nginx: 1,000 requests at most, then it closes), until a request or its
            # answer says close.
            for turn in range(_KEEP_ALIVE_REQUESTS if self.keep_alive else 1):
                last = turn == _KEEP_ALIVE_REQUESTS - 1 or not self.keep_alive
                if not await self._serve_one(reader, writer, tls, last=last):
                    return
        except (ConnectionError, TimeoutError, ssl.SSLError, asyncio.IncompleteReadError):
            return  # the client went away or never spoke: nothing to answer
        finally:
            self._connections.discard(writer)
            writer.close()

    async def _serve_one(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tls: bool, *, last: bool
    ) -> bool:
        """Read one request and answer it: whether the connection may carry another."""
        request_line = await asyncio.wait_for(reader.readline(), _MAX_SECONDS)
        if not request_line:
            return False  # the client closed its idle connection
        headers: list[tuple[str, str]] = []
        while True:
            line = await asyncio.wait_for(reader.readline(), _MAX_SECONDS)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip(), value.strip()))
        parts = request_line.decode("latin-1").split()
        if len(parts) != 3:
            return False
        target = parts[1]
        if parts[0] == "CONNECT" and not tls:
            await self._tunnel(reader, writer)
            return False
        fields: dict[str, str] = {}
        for name, value in headers:  # the first of a repeated field counts, as before
            fields.setdefault(name.lower(), value)
        keep = not last and await _request_body_read(reader, fields)
        keep = keep and fields.get("connection", "").lower() != "close"
        host = fields.get("host", "").split(":")[0].lower()
        scheme = "https" if tls else "http"
        self.requests.append(LoggedRequest(scheme, host, target, tuple(headers), time.monotonic()))
        split = urlsplit(target)
        route = self._route(scheme, host, unquote(split.path) or "/", split.query)
        if route.behaviour == "echo-location":  # Location: whatever ?to= says (fuzzing)
            to = parse_qs(split.query).get("to", [""])[0]
            to = "".join(c for c in to if c not in "\r\n" and ord(c) < 256)
            route = replace(route, location=to, behaviour="normal")
        if route.behaviour in ("challenge", "captcha"):
            route = _challenged(route, headers)
        keep = keep and route.behaviour == "normal"  # a misbehaving answer ends the connection
        await self._respond(route, reader, writer, keep=keep, head_only=parts[0] == "HEAD")
        return keep

    async def _tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """An HTTP proxy's CONNECT, to our own TLS listener whatever host was asked for: lets
        clients without --connect-to (lychee, in bench/accuracy.py) reach the simulated web
        through HTTPS_PROXY while still doing TLS for the real host name."""
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.https_port
        )
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:  # a tunnel lives while bytes flow, as a proxy's does (idle: it closes)
                while data := await asyncio.wait_for(source.read(65536), _MAX_SECONDS):
                    sink.write(data)
                    await sink.drain()
            finally:
                sink.close()

        await asyncio.wait_for(
            asyncio.gather(
                pipe(reader, upstream_writer), pipe(upstream_reader, writer), return_exceptions=True
            ),
            _MAX_TUNNEL_SECONDS,
        )

    def _next_status(self, route: Route) -> int:
        counter = self._counters.setdefault(
            (route.host, route.path + "?" + str(route.query)), itertools.count()
        )
        turn = next(counter)
        return route.statuses[min(turn, len(route.statuses) - 1)]

    def _gzip_bomb(self) -> bytes:
        """200 MB of zeros, about 200 KB on the wire."""
        if self._bomb is None:
            compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            chunk = bytes(1 << 20)
            parts = [compressor.compress(chunk) for _ in range(200)]
            parts.append(compressor.flush())
            self._bomb = b"".join(parts)
        return self._bomb

    async def _respond(
        self,
        route: Route,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        keep: bool = False,
        head_only: bool = False,
    ) -> None:
        """keep: the connection serves another request after this answer; head_only: a
        HEAD request, answered with the head alone (its body would be read as the next
        answer on a kept connection)."""
        status = self._next_status(route)
        if route.behaviour == "reset":
            writer.transport.abort()
            return
        if route.behaviour == "hang":
            await self._pause(_MAX_SECONDS)
            return
        if route.behaviour == "not-http":  # a server that speaks something else
            writer.write(b"SSH-2.0-OpenSSH_9.2\r\nProtocol mismatch.\r\n\r\n")
            await writer.drain()
            return
        body = route.body
        headers = list(route.headers)
        if route.location is not None:
            headers.append(("Location", route.location))
        if route.behaviour == "gzip-bomb":
            body = self._gzip_bomb()
            headers.append(("Content-Encoding", "gzip"))
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Status"
        head = [f"HTTP/1.1 {status} {reason}"]
        if not keep:
            head.append("Connection: close")
        if route.behaviour != "endless":
            length = 1_000_000 if route.behaviour == "drip" else len(body)
            head.append(f"Content-Length: {length}")
        head.extend(f"{k}: {v}" for k, v in headers)
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if route.behaviour == "drip":
            await self._drip(reader, writer)
        elif route.behaviour == "endless":
            await self._endless(reader, writer)
        else:
            if not head_only:
                writer.write(body)
            await writer.drain()

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops."""
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            return

    async def _drip(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _MAX_SECONDS
        while loop.time() < deadline and not self._stopping.is_set() and not _gone(reader, writer):
            writer.write(b".")
            await writer.drain()
            await self._pause(0.5)

    async def _endless(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _MAX_SECONDS
        chunk = b"<p>more</p>" * 6000
        sent = 0
        while (
            loop.time() < deadline
            and sent < 4 << 30
            and not self._stopping.is_set()
            and not _gone(reader, writer)
        ):
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)
            await asyncio.sleep(0)  # drain() does not yield unless paused: let close be seen


def _per_host_certificates(
    ca: Any, folder: Path, hosts: set[str]
) -> Callable[[ssl.SSLObject, str | None, ssl.SSLContext], None]:
    """An SNI callback that answers each host with a certificate of its own name, made on
    first use, as a real server does. The certificate naming every host stays for clients
    that send no name: at the real blog's 1,868 hosts it is 45 KB, and a client that
    decodes it on every handshake (asyncio does) would measure that, not itself."""
    contexts: dict[str, ssl.SSLContext] = {}

    def select(connection: ssl.SSLObject, name: str | None, _: ssl.SSLContext) -> None:
        if name is None or name not in hosts or not _certifiable(name):
            return
        if name not in contexts:
            leaf = ca.issue_cert(name)
            contexts[name] = _server_context(leaf, folder / f"host-{len(contexts)}")
        connection.context = contexts[name]

    return select


def _server_context(leaf: Any, stem: Path) -> ssl.SSLContext:
    """A server context for leaf, its files written beside stem. The chain sent is the leaf
    (and any intermediates), never the root, as real servers send it: a client must trust
    the CA itself, not find it in what the server sent (a browser told the CA's key would
    pass here and fail against every real server)."""
    chain, key = Path(f"{stem}-chain.pem"), Path(f"{stem}-key.pem")
    chain.write_bytes(b"".join(p.bytes() for p in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(key))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(chain), str(key))
    return context


def _certifiable(host: str) -> bool:
    import idna

    try:
        idna.encode(host)
    except idna.IDNAError:
        return False
    return True


async def _request_body_read(reader: asyncio.StreamReader, fields: dict[str, str]) -> bool:
    """Read what a request sends after its head: whether the connection can go on (not
    after a chunked or oversized body, which this server does not read)."""
    if "transfer-encoding" in fields:
        return False
    try:
        length = int(fields.get("content-length", "0"))
    except ValueError:
        return False
    if not 0 <= length <= _MAX_REQUEST_BODY:
        return False
    if length:
        await asyncio.wait_for(reader.readexactly(length), _MAX_SECONDS)
    return True


def _gone(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
    """The client closed or reset the connection."""
    return reader.at_eof() or reader.exception() is not None or writer.transport.is_closing()


@contextmanager
def running(root: Path, ca_dir: Path) -> Iterator[SimulatedWeb]:
    web = SimulatedWeb(root).start(ca_dir)
    try:
        yield web
    finally:
        web.stop()


__all__ = ["LoggedRequest", "Route", "SimulatedWeb", "running"]
