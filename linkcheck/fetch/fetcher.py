"""Fetch one URL politely and record everything the classifier needs (DESIGN.md §1 "fetch").

- GET (HEAD lies on several hosts: hosts.md §0.5), redirects followed by hand so the whole
  chain is recorded, loops detected;
- the body read up to a limit with our own gzip/deflate decoding, so an endless body or a
  gzip bomb costs at most that limit;
- connect and read timeouts, and a deadline on the whole attempt, so a server that drips
  one byte a second cannot hold a request past --timeout;
- one retry policy: timeouts, resets, 429 and 502/503/504 retried with
  exponential backoff and jitter, honouring Retry-After up to a cap; never retried:
  NXDOMAIN, TLS certificate errors, 4xx other than 429;
- per-host concurrency and a minimum interval between requests to one host.
"""

from __future__ import annotations

import asyncio
import random
import ssl
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlencode, urlsplit

from ..domains import hostname_of
from ..models import OFFLINE_FAILURES, Exchange, Hop
from .addresses import is_private_host, url_problem
from .bodies import BoundedBody
from .politeness import (
    Breaker,
    HostGate,
    HostPolicy,
    Limiter,
    nearest_policy,
    parse_retry_after,
)
from .proxies import Proxies
from .redirects import REDIRECT_STATUSES, RedirectChain
from .routing import (
    ConnectTo,
    DnsFailure,
    NetworkEvidence,
    NetworkUnreachable,
    RoutedConnectError,
    RoutingBackend,
    tls_context,
)
from .targets import Target, target_of
from .unreachable import Failure, UnreachableOrigins, not_requested_detail, origin_of
from .wire import (
    ConnectTimeout,
    Disconnected,
    InvalidTarget,
    Pool,
    ProtocolViolation,
    Response,
    WireError,
    first_header,
    request_head,
)

if TYPE_CHECKING:
    from httpx import AsyncHTTPTransport

    from .cookies import CookieStore

_RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
# Connect failures a retry may see otherwise, and that any URL of the origin would meet.
_NO_CONNECTION = frozenset({"dns-failure", "connection-refused", "connect-failed"})
# Failures before anything reached the host: they cost the host no politeness interval.
_NEVER_REACHED = OFFLINE_FAILURES | {"private-address"}
# What a request can raise that is about the URL or the network, never about our code
# (wire.py's errors, which proxied.py turns httpx's into; IDNA's UnicodeError for a name).
_FETCH_ERRORS = (
    WireError,
    OSError,
    TimeoutError,
    UnicodeError,
)


def _same_url(url: str) -> str:
    return url


def _no_opinion(exchange: Exchange) -> None:
    return None


def _no_headers(host: str, secure: bool) -> Mapping[str, str]:
    return {}


@dataclass(frozen=True)
class HostHooks:
    """What host rules tell the fetcher, passed in by whoever builds it (settings.py), so
    the fetcher itself knows no host: the URL to request instead, whether an answer is the
    host refusing us, how long a rate-limited host asks us to wait, and extra headers
    (credentials) for a host reached over HTTPS (secure) or not."""

    rewrite: Callable[[str], str] = _same_url
    blocking: Callable[[Exchange], bool | None] = _no_opinion
    retry_after: Callable[[Exchange], float | None] = _no_opinion
    extra_headers: Callable[[str, bool], Mapping[str, str]] = _no_headers


@dataclass(frozen=True)
class FetchSettings:
    """Built from the run's Config by settings.fetch_settings (every default lives there)."""

    timeout: float  # whole attempt, connect to last byte read
    connect_timeout: float
    max_redirects: int
    max_retries: int
    retry_backoff: float  # first backoff; doubles, with jitter
    max_concurrency: int
    user_agent: str
    headers: tuple[tuple[str, str], ...]
    host_policies: Mapping[str, HostPolicy]
    default_host_policy: HostPolicy
    connect_to: tuple[ConnectTo, ...]
    ssl_context: ssl.SSLContext | None
    include_private: bool  # may connect to loopback and private addresses
    hooks: HostHooks = HostHooks()
    proxies: Proxies = field(default_factory=Proxies)
    cookies: str | None = None  # a cookies.txt for every host its cookies match
    host_cookies: tuple[tuple[str, str], ...] = ()  # (host, cookies.txt) for that host only
    secrets: tuple[str, ...] = field(default=(), repr=False)  # cut from every error text
    max_retry_after: float = 60.0
    body_limit: int = 64 * 1024  # what the classifier reads of a page

    def policy_for(self, host: str) -> HostPolicy:
        return nearest_policy(host, self.host_policies, self.default_host_policy)


class _Retryable(Exception):
    """An attempt whose outcome may change if tried again."""

    def __init__(
        self, exchange: Exchange, retry_after: float | None = None, *, unreachable: bool = False
    ) -> None:
        super().__init__(exchange.error or f"HTTP {exchange.final_status}")
        self.exchange = exchange
        self.retry_after = retry_after
        self.unreachable = unreachable  # no connection was made: about the origin, not the URL


def _chain(error: BaseException) -> list[BaseException]:
    """error and what caused it, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _error_kind(error: BaseException) -> tuple[str, bool]:
    """(kind, retryable) for an exception raised while fetching."""
    chain = _chain(error)
    for cause in chain:
        if isinstance(cause, RoutedConnectError):
            retryable = cause.kind in _NO_CONNECTION
            return cause.kind, retryable
        if isinstance(cause, DnsFailure):
            return ("dns-nxdomain", False) if cause.nxdomain else ("dns-failure", True)
        if isinstance(cause, NetworkUnreachable):
            return "network-unreachable", False
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "tls", False
    for cause in chain:
        if isinstance(cause, TimeoutError):
            return "timeout", True
        if isinstance(cause, ssl.SSLError):
            return "tls", False
        if isinstance(cause, ConnectionRefusedError):
            return "connection-refused", True
        if isinstance(cause, InvalidTarget | UnicodeError):
            return "invalid-url", False
    for cause in chain:
        if isinstance(cause, ProtocolViolation):
            return "invalid-http", False
    for cause in chain:
        if isinstance(cause, Disconnected | ConnectionError):
            return "connection-reset", True
    return "network-error", True


def _no_connection(error: BaseException) -> bool:
    """The attempt never connected: refused, no route, a lookup that failed for now, or a
    connect timeout. What a request to the same host and port would meet too."""
    for cause in _chain(error):
        if isinstance(cause, RoutedConnectError):
            return cause.kind in _NO_CONNECTION
        if isinstance(cause, ConnectTimeout):
            return True
    return False


async def _read_body(response: Response, limit: int) -> bytes:
    """At most limit decoded bytes; decompression is bounded too (gzip bombs)."""
    body = BoundedBody(response.header("content-encoding") or "", limit)
    async for chunk in response.chunks():
        body.feed(chunk)
        if body.full:
            break
    return body.bytes()


def _cookie_store(cookies: str | None, host_cookies: Sequence[tuple[str, str]]) -> CookieStore:
    """Imported only for a run that has cookies: http.cookiejar and urllib.request cost
    30 ms at the start of every check."""
    from .cookies import CookieStore

    return CookieStore.load(cookies, host_cookies)


class Fetcher:
    """One per run: a connection pool, the host gates and the network evidence."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self.evidence = NetworkEvidence()
        self._gates: dict[str, HostGate] = {}
        self.breaker = Breaker()
        self._unreachable = UnreachableOrigins()
        self._transports: dict[tuple[str, str | None], AsyncHTTPTransport] = {}
        # (host, scheme) → its proxy's transport, or None for a direct connection
        self._by_origin: dict[tuple[str, str], AsyncHTTPTransport | None] = {}
        self._global = Limiter(settings.max_concurrency)
        self._backend = RoutingBackend(
            settings.connect_to, self.evidence, allow_private=settings.include_private
        )
        # To a proxy the user named, wherever it is (a proxy on localhost is common).
        self._proxy_backend = RoutingBackend(settings.connect_to, self.evidence, allow_private=True)
        self._ssl_context = settings.ssl_context
        backend, connect = self._backend, settings.connect_timeout
        self._direct = Pool(
            lambda origin, factory: backend.connect(
                origin, factory, tls_for=self._tls, timeout=connect
            )
        )
        self._cookies: CookieStore | None = None
        if settings.cookies or settings.host_cookies:
            self._cookies = _cookie_store(settings.cookies, settings.host_cookies)
        # Hosts whose challenge a browser passed (--browser): its User-Agent, which the
        # cookies it earned are bound to.
        self._user_agents: dict[str, str] = {}
        self._headers = {
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
            "Accept-Encoding": "gzip, deflate",
            **dict(settings.headers),
        }

    def _tls(self) -> ssl.SSLContext:
        """The system's trust store, loaded at the first TLS connection: 50 ms that a run
        of cached or plain-HTTP links never needs."""
        if self._ssl_context is None:
            self._ssl_context = tls_context(())
        return self._ssl_context

    def _proxied(self, host: str, scheme: str) -> AsyncHTTPTransport | None:
        """The transport of the host's proxy, or None to connect directly (wire.Pool).
        A small httpcore pool per host and proxy: hosts never evict each other's idle
        connections, and httpcore's pool bookkeeping (linear in its connections) stays
        cheap."""
        if (host, scheme) in self._by_origin:
            return self._by_origin[(host, scheme)]
        proxy = self.settings.proxies.for_url(scheme, host)
        if proxy is None:
            self._by_origin[(host, scheme)] = None
            return None
        key = (host, proxy.url)
        transport = self._transports.get(key)
        if transport is None:
            if not self.settings.include_private and is_private_host(host):
                # Through a proxy we never see the address: a private name is refused as is.
                raise RoutedConnectError(
                    "private-address",
                    f"{host} is a private address: not sent through the proxy "
                    "(--include-private allows it)",
                )
            from .proxied import transport as proxy_transport  # httpx, only when needed

            connections = max(1, self.policy_for(host).concurrency)
            transport = proxy_transport(proxy, self._proxy_backend, self._tls(), connections)
            self._transports[key] = transport
        self._by_origin[(host, scheme)] = transport
        return transport

    @asynccontextmanager
    async def _open(
        self,
        method: str,
        url: str,
        *,
        timeout: float,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[Response]:
        """One request, its body not read yet: directly (wire.Pool) or through the host's
        proxy (httpcore). Never through httpx.Client: it prepares the next request of every
        redirect it sees, and raises there on a hostile Location (an invalid IDNA name)
        before we see the answer. Both ways send the same target (targets.py)."""
        target = target_of(url)
        sent = {**self._headers, **self._request_headers(url, target), **(headers or {})}
        body = b""
        if data is not None:
            body = urlencode(data).encode("ascii")
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Content-Length"] = str(len(body))
        host, scheme = target.host, target.scheme
        async with asyncio.timeout(timeout):  # the whole exchange, body included
            transport = self._proxied(host, scheme)
            response: Response
            if transport is None:
                head = request_head(method, target.path, list(sent.items()))
                response = await self._direct.request(
                    (scheme, host, target.port), head, body, tuple(sent.items())
                )
            else:
                from .proxied import send

                settings = self.settings
                response = await send(
                    transport,
                    method,
                    url,
                    sent,
                    body,
                    timeout=settings.timeout,
                    connect_timeout=settings.connect_timeout,
                )
            if self._cookies is not None:  # kept for the run, for this host
                self._cookies.remember(url, host, response.header_list("set-cookie"))
            try:
                yield response
            finally:
                await response.close()

    async def aclose(self) -> None:
        self._direct.close()
        for transport in self._transports.values():
            await transport.aclose()
        self._transports.clear()
        self._by_origin.clear()

    def policy_for(self, host: str) -> HostPolicy:
        return self.settings.policy_for(host)

    def _gate(self, host: str) -> HostGate:
        host = host.lower()
        if host not in self._gates:
            self._gates[host] = HostGate(self.policy_for(host))
        return self._gates[host]

    async def fetch(self, url: str, *, rank: int = 0) -> Exchange:
        """Follow the redirect chain from url, retrying each hop as the policy says. rank:
        how much its host has still to fetch (Limiter serves the host that needs most first)."""
        hops: list[Hop] = []
        chain = RedirectChain(self.settings.hooks.rewrite(url), self.settings.max_redirects)
        attempts = 0
        while True:
            problem = url_problem(chain.current)
            if problem is not None:  # hostile or mistyped: data, never an exception
                return Exchange(
                    url,
                    tuple(hops),
                    error="invalid-redirect" if hops else "invalid-url",
                    error_detail=f"to {chain.current}: {problem}" if hops else problem,
                    attempts=attempts,
                )
            exchange = await self._fetch_hop(chain.current, first=not hops, rank=rank)
            attempts += exchange.attempts
            hops.extend(exchange.hops)
            redirected = exchange.error is None and exchange.final_status in REDIRECT_STATUSES
            location = exchange.hops[-1].location if redirected else None
            if not location:
                return replace(exchange, url=url, hops=tuple(hops), attempts=attempts)
            stop = chain.follow(location)
            if stop is not None:
                error, detail = stop
                return Exchange(
                    url,
                    tuple(hops),
                    exchange.headers,
                    error=error,
                    error_detail=detail,
                    attempts=attempts,
                )

    async def _fetch_hop(self, url: str, *, first: bool, rank: int = 0) -> Exchange:
        """One hop, tried up to --max-retries more times while the outcome may change.
        A plain loop, not tenacity's: its machinery cost 0.1 ms of CPU per request."""
        attempts = self.settings.max_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                exchange = await self._attempt(url, first=first, urgent=attempt > 1, rank=rank)
            except _Retryable as retry:
                if attempt < attempts:
                    wait = self._wait(retry, attempt)
                    if retry.unreachable:  # ends early once another URL finds it down
                        await self._unreachable.pause(origin_of(urlsplit(url)), wait)
                    else:
                        await asyncio.sleep(wait)
                    continue
                last = retry.exchange
                if retry.unreachable:
                    failure = Failure(last.error or "", last.error_detail or "", attempt)
                    self._unreachable.note_failure(origin_of(urlsplit(url)), failure)
                return replace(last, attempts=attempt)
            return exchange if attempt == 1 else replace(exchange, attempts=attempt)
        raise AssertionError("the retry loop always returns")  # pragma: no cover

    def _wait(self, retry: _Retryable, attempt: int) -> float:
        if retry.retry_after is not None:
            return min(retry.retry_after, self.settings.max_retry_after)
        return self._backoff(attempt)

    def _backoff(self, attempt: int) -> float:
        """Seconds before retry number attempt: doubling from --retry-backoff, capped at
        16 times it, with up to one backoff of jitter."""
        backoff = self.settings.retry_backoff
        return min(backoff * 2.0 ** (attempt - 1) + random.uniform(0, backoff), backoff * 16)

    async def _attempt(self, url: str, *, first: bool, urgent: bool, rank: int) -> Exchange:
        """One request to a URL url_problem accepted: raises _Retryable when the outcome
        may change on a retry. urgent: a retry, whose URL is under way already; so is
        every hop after the first."""
        origin = origin_of(urlsplit(url))
        host = origin[0]
        gate = self._gate(host)
        down = self._unreachable.known_down(origin)  # asked again once the slots are ours
        if down is not None:
            return Exchange(url, error=down.kind, error_detail=not_requested_detail(origin, down))
        try:
            async with gate.slot(), self._global.hold(urgent=urgent or not first, rank=rank):
                down = self._unreachable.known_down(origin)
                if down is not None:
                    gate.refund()
                    detail = not_requested_detail(origin, down)
                    return Exchange(url, error=down.kind, error_detail=detail)
                if first and self.breaker.open(host):  # chains under way may finish
                    return Exchange(
                        url,
                        error="host-blocking",
                        error_detail=(
                            f"not requested: {host} answered {Breaker.LIMIT} requests in a row "
                            "with its rate-limit page, so linkcheck stopped asking it for this run"
                        ),
                    )
                async with self._open("GET", url, timeout=self.settings.timeout) as response:
                    body = await _read_body(response, self.settings.body_limit)
        except _FETCH_ERRORS as error:
            kind, retryable = _error_kind(error)
            if kind in _NEVER_REACHED:
                gate.refund()
                # A failed lookup is worth retrying only where lookups are known to work:
                # with no network at all, retries only delay the run's "offline".
                retryable = retryable and self.evidence.online
            exchange = Exchange(url, error=kind, error_detail=self._describe(error))
            if retryable:
                raise _Retryable(exchange, unreachable=_no_connection(error)) from error
            return exchange
        self._unreachable.note_success(origin)
        headers = tuple((k.lower(), v) for k, v in response.headers)
        location = response.header("location")
        exchange = Exchange(url, (Hop(url, response.status, location),), headers, body)
        if response.status in _RETRYABLE_STATUSES:
            retry_after = parse_retry_after(response.header("retry-after"))
            if retry_after is not None:
                gate.defer(min(retry_after, self.settings.max_retry_after))
            raise _Retryable(exchange, retry_after)
        hooks = self.settings.hooks
        # Noted while we still hold the host's slot, so the next request sees it.
        blocking = True if response.status == 429 else hooks.blocking(exchange)
        if blocking is not None:
            self.breaker.note(host, blocking)
        wait = hooks.retry_after(exchange)  # e.g. GitHub's 403 rate limit
        if wait is not None and wait <= self.settings.max_retry_after:
            gate.defer(wait)
            raise _Retryable(exchange, wait)
        return exchange

    async def fetch_once(self, url: str) -> Exchange:
        """One hop, redirects not followed (the Wayback lookup reads the redirect itself)."""
        problem = url_problem(url)
        if problem is not None:
            return Exchange(url, error="invalid-url", error_detail=problem)
        return await self._fetch_hop(url, first=True)

    async def post_form(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Exchange:
        """A form POST (Save Page Now), through the same gates; not retried."""
        host = hostname_of(url) or ""
        try:
            async with (
                self._gate(host).slot(),
                self._global.hold(urgent=False),
                self._open(
                    "POST", url, timeout=self.settings.timeout, data=form, headers=headers
                ) as response,
            ):
                body = await _read_body(response, self.settings.body_limit)
        except _FETCH_ERRORS as error:
            kind, _ = _error_kind(error)
            return Exchange(url, error=kind, error_detail=self._describe(error))
        items = tuple((k.lower(), v) for k, v in response.headers)
        hop = Hop(url, response.status, response.header("location"))
        return Exchange(url, (hop,), items, body)

    async def download(self, url: str, sink: BinaryIO, *, limit: int, timeout: float) -> Download:
        """GET url, writing the raw body (at most limit bytes) to sink (a seekable file: a
        retry starts it over). Retried as a check is: timeouts, resets, 429 and 502/503/504,
        honouring Retry-After. Redirects are not followed: the archiver records every hop."""
        attempts = self.settings.max_retries + 1
        for attempt in range(1, attempts + 1):
            sink.seek(0)
            sink.truncate()
            try:
                download = await self._download_once(url, sink, limit=limit, timeout=timeout)
            except DownloadError as error:
                if not error.retryable or attempt == attempts:
                    raise
                await asyncio.sleep(self._backoff(attempt))
                continue
            if download.status not in _RETRYABLE_STATUSES or attempt == attempts:
                return download
            retry_after = parse_retry_after(download.header("retry-after"))
            if retry_after is not None:
                wait = min(retry_after, self.settings.max_retry_after)
                self._gate(hostname_of(url) or "").defer(wait)
            else:
                wait = self._backoff(attempt)
            await asyncio.sleep(wait)
        raise AssertionError("the retry loop always returns or raises")  # pragma: no cover

    async def _download_once(
        self, url: str, sink: BinaryIO, *, limit: int, timeout: float
    ) -> Download:
        problem = url_problem(url)
        if problem is not None:
            raise DownloadError("invalid-url", problem)
        host = hostname_of(url) or ""
        gate = self._gate(host)
        size = 0
        truncated = False
        try:
            async with (
                gate.slot(),
                self._global.hold(urgent=False),
                self._open("GET", url, timeout=timeout) as r,
            ):
                async for chunk in r.chunks():
                    room = limit - size
                    if len(chunk) > room:
                        sink.write(chunk[:room])
                        size += room
                        truncated = True
                        break
                    sink.write(chunk)
                    size += len(chunk)
        except _FETCH_ERRORS as error:
            kind, retryable = _error_kind(error)
            raise DownloadError(kind, self._describe(error), retryable=retryable) from error
        target = target_of(url).path.decode("ascii", errors="replace")
        return Download(
            url=url,
            status=r.status,
            reason=r.reason,
            http_version=r.http_version,
            request_line=f"GET {target} {r.http_version}",
            request_headers=tuple((k, _redacted(k, v)) for k, v in r.sent_headers),
            response_headers=tuple(
                (k.decode("latin-1"), _redacted(k.decode("latin-1"), v.decode("latin-1")))
                for k, v in r.raw_headers
            ),
            size=size,
            truncated=truncated,
            ip=r.peer[0] if r.peer else None,
        )

    def _describe(self, error: BaseException) -> str:
        """One line about an error, with every secret of the run cut out of it: error texts
        go to reports, the state database and WARCs."""
        text = (str(error) or self._timeout_text(error) or type(error).__name__).splitlines()[0]
        text = text[:300]
        for secret in self.settings.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def _timeout_text(self, error: BaseException) -> str | None:
        """What a message-less timeout means, in words (asyncio's deadline has no text)."""
        settings = self.settings
        if isinstance(error, ConnectTimeout):
            return f"could not connect within {settings.connect_timeout:g} s"
        if isinstance(error, TimeoutError):
            return f"no complete answer within {settings.timeout:g} s (--timeout)"
        return None

    def _request_headers(self, url: str, target: Target) -> dict[str, str]:
        """Per-host headers, and the hooks' (credentials go to their own hosts over HTTPS
        and nowhere else: asked again on every hop of a redirect chain)."""
        host = target.host
        # Host given here, so httpx never decodes the name: its IDNA 2008 check refuses
        # real registered names such as xn--ls8h.la, and raised instead of answering.
        headers = {"Host": target.authority}
        headers.update(self.policy_for(host).headers)
        secure = target.scheme == "https"
        headers.update(self.settings.hooks.extra_headers(host.lower(), secure))
        if self._cookies is not None and secure:
            cookie = self._cookies.header_for(url, host)
            if cookie:
                headers["Cookie"] = cookie
        if host.lower() in self._user_agents:
            headers["User-Agent"] = self._user_agents[host.lower()]
        return headers

    def adopt_session(self, url: str, cookies: Sequence[Mapping[str, Any]], agent: str) -> None:
        """What a browser earned on url's host: its cookies (kept for the run, sent over
        HTTPS to the hosts they match, as any cookie) and the User-Agent they are bound
        to, used for that host from now on."""
        host = (hostname_of(url) or "").lower()
        from .cookies import set_cookie_line

        if self._cookies is None:
            self._cookies = _cookie_store(None, ())
        self._cookies.remember(url, host, [set_cookie_line(cookie) for cookie in cookies])
        if agent:
            self._user_agents[host] = agent


_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def _redacted(name: str, value: str) -> str:
    """A header as an archive may keep it: credentials never reach a WARC."""
    return "[redacted]" if name.lower() in _SECRET_HEADERS else value


@dataclass(frozen=True)
class Download:
    """One HTTP exchange kept whole for an archive: the body as it came over the wire
    (de-chunked, still content-encoded), the headers in wire order and casing."""

    url: str
    status: int
    reason: str
    http_version: str
    request_line: str
    request_headers: tuple[tuple[str, str], ...]
    response_headers: tuple[tuple[str, str], ...]
    size: int
    truncated: bool
    ip: str | None

    def header(self, name: str) -> str | None:
        return first_header(self.response_headers, name)


class DownloadError(Exception):
    def __init__(self, kind: str, detail: str, *, retryable: bool = False) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.retryable = retryable
