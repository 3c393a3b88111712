"""Fetch one URL politely and record everything the classifier needs (DESIGN.md §1 "fetch").

- every request through the run's httpx client (client.py), GET (HEAD lies on several
  hosts: docs/SOURCES.md), redirects followed by hand so the whole chain is recorded, loops
  detected;
- the body read up to a limit with our own gzip/deflate decoding, so an endless body or a
  gzip bomb costs at most that limit;
- connect and read timeouts, and a deadline on the whole attempt, so a server that drips
  one byte a second cannot hold a request past --timeout;
- one retry policy (retry.py, on tenacity): timeouts, resets, 429 and 502/503/504 retried
  with exponential backoff and jitter, honouring Retry-After up to a cap; never retried:
  NXDOMAIN, TLS certificate errors, 4xx other than 429;
- per-host concurrency and a minimum interval between requests to one host.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import urlencode, urlsplit

import httpcore
import httpx
from tenacity import AsyncRetrying

from ..domains import hostname_of
from ..models import OFFLINE_FAILURES, Exchange, Hop
from .addresses import is_private_host, url_problem
from .bodies import BoundedBody
from .client import HEAD_LIMIT, PEER, Transport, client
from .options import FetchSettings
from .politeness import Breaker, HostGate, HostPolicy, Limiter, parse_retry_after
from .proxies import Proxy
from .redirects import REDIRECT_STATUSES, RedirectChain
from .retry import RETRYABLE_STATUSES, Retry, retrying
from .routing import (
    ConnectTimeout,
    DnsFailure,
    NetworkEvidence,
    NetworkUnreachable,
    RoutedConnectError,
    RoutingBackend,
    tls_context,
)
from .targets import InvalidTarget, Target, target_of
from .unreachable import Failure, UnreachableOrigins, not_requested_detail, origin_of

if TYPE_CHECKING:
    from .cookies import CookieStore

# Connect failures a retry may see otherwise, and that any URL of the origin would meet.
_NO_CONNECTION = frozenset({"dns-failure", "connection-refused", "connect-failed"})
# Failures before anything reached the host: they cost the host no politeness interval.
_NEVER_REACHED = OFFLINE_FAILURES | {"private-address"}
# What a request can raise that is about the URL or the network, never about our code:
# httpx's and httpcore's errors, the OSErrors routing.py raises, IDNA's UnicodeError.
_FETCH_ERRORS = (
    httpx.HTTPError,
    httpx.InvalidURL,
    httpcore.ConnectError,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.ProxyError,
    httpcore.TimeoutException,
    httpcore.UnsupportedProtocol,
    InvalidTarget,
    OSError,
    TimeoutError,
    UnicodeError,
)
# httpcore's words for an answer cut short or never sent: the connection was reset.
_CUT_SHORT = ("disconnected", "peer closed", "without sending")


class _Retryable(Retry):
    """An attempt whose outcome may change if tried again."""

    def __init__(
        self, exchange: Exchange, retry_after: float | None = None, *, unreachable: bool = False
    ) -> None:
        super().__init__(exchange.error or f"HTTP {exchange.final_status}", retry_after=retry_after)
        self.exchange = exchange
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
        if isinstance(cause, TimeoutError | httpx.TimeoutException | httpcore.TimeoutException):
            return "timeout", True
        if isinstance(cause, ssl.SSLError):
            return "tls", False
        if isinstance(cause, ConnectionRefusedError):
            return "connection-refused", True
        if isinstance(
            cause,
            InvalidTarget
            | UnicodeError
            | httpx.InvalidURL
            | httpx.UnsupportedProtocol
            | httpcore.UnsupportedProtocol,
        ):
            return "invalid-url", False
        if isinstance(cause, httpx.LocalProtocolError | httpcore.LocalProtocolError):
            return "invalid-request", False
    for cause in chain:
        if isinstance(cause, httpx.RemoteProtocolError | httpcore.RemoteProtocolError):
            if any(words in str(cause).lower() for words in _CUT_SHORT):
                return "connection-reset", True
            return "invalid-http", False
    for cause in chain:
        if isinstance(
            cause,
            ConnectionError
            | httpx.ReadError
            | httpx.WriteError
            | httpcore.ReadError
            | httpcore.WriteError
            | httpcore.ConnectError,
        ):
            return "connection-reset", True
    return "network-error", True


def _no_connection(error: BaseException) -> bool:
    """The attempt never connected: refused, no route, a lookup that failed for now, or a
    connect timeout. What a request to the same host and port would meet too."""
    for cause in _chain(error):
        if isinstance(cause, RoutedConnectError):
            return cause.kind in _NO_CONNECTION
        if isinstance(cause, ConnectTimeout | httpx.ConnectTimeout | httpcore.ConnectTimeout):
            return True
    return False


def header_text(value: bytes) -> str:
    """A header value as text: UTF-8 where it is (Chinese sites send raw UTF-8 Locations),
    else Latin-1, which every byte string is."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _encoded(text: str) -> bytes:
    """A header value to send: Latin-1 where it can be (HTTP's own), else UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def first_header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers if k.lower() == lowered), None)


@dataclass(frozen=True)
class Answer:
    """What the fetcher reads of a response's head, the headers as text (header_text)."""

    response: httpx.Response
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, response: httpx.Response) -> Answer:
        raw = response.headers.raw
        return cls(response, tuple((header_text(k), header_text(v)) for k, v in raw))

    @property
    def status(self) -> int:
        return self.response.status_code

    def header(self, name: str) -> str | None:
        return first_header(self.headers, name)

    def header_list(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self.headers if k.lower() == lowered]


async def _read_body(answer: Answer, limit: int) -> bytes:
    """At most limit decoded bytes; decompression is bounded too (gzip bombs)."""
    body = BoundedBody(answer.header("content-encoding") or "", limit)
    async for chunk in answer.response.aiter_raw():
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
    """One per run: the HTTP client and its connection pools, the host gates and the network
    evidence. deadline (time.monotonic()): no retry starts after it (--max-time)."""

    def __init__(self, settings: FetchSettings, *, deadline: float | None = None) -> None:
        self.settings = settings
        self.deadline = deadline
        self.evidence = NetworkEvidence()
        self._gates: dict[str, HostGate] = {}
        self.breaker = Breaker()
        self._unreachable = UnreachableOrigins()
        self._global = Limiter(settings.max_concurrency)
        self._ssl_context = settings.ssl_context
        # (scheme, host) → its proxy, or None to connect directly
        self._proxies: dict[tuple[str, str], Proxy | None] = {}
        self._transport = Transport(
            direct=RoutingBackend(
                settings.connect_to, self.evidence, allow_private=settings.include_private
            ),
            # To a proxy the user named, wherever it is (a proxy on localhost is common).
            to_proxy=RoutingBackend(settings.connect_to, self.evidence, allow_private=True),
            ssl_context=self._tls,
            proxy_for=self._proxy_for,
            connections_for=lambda host: self.policy_for(host).concurrency,
        )
        self._client = client(self._transport)
        timeout = settings.timeout
        self._timeouts = httpx.Timeout(timeout, connect=settings.connect_timeout).as_dict()
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

    def _proxy_for(self, scheme: str, host: str) -> Proxy | None:
        key = (scheme, host)
        if key not in self._proxies:
            self._proxies[key] = self.settings.proxies.for_url(scheme, host)
        return self._proxies[key]

    @asynccontextmanager
    async def _open(
        self,
        method: str,
        url: str,
        *,
        timeout: float,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[Answer]:
        """One request through the run's client, its body not read yet. The request is
        made from the target targets.py reads (the URL's userinfo never becomes a header:
        a link's credentials are not ours to send)."""
        target = target_of(url)
        host, scheme = target.host, target.scheme
        if (
            not self.settings.include_private
            and self._proxy_for(scheme, host) is not None
            and is_private_host(host)
        ):
            # Through a proxy we never see the address: a private name is refused as is.
            raise RoutedConnectError(
                "private-address",
                f"{host} is a private address: not sent through the proxy "
                "(--include-private allows it)",
            )
        sent = {**self._headers, **self._request_headers(url, target), **(headers or {})}
        body = b""
        if data is not None:
            body = urlencode(data).encode("ascii")
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Content-Length"] = str(len(body))
        request = httpx.Request(
            method,
            f"{scheme}://{target.authority}{target.path.decode('ascii')}",
            headers=[(name.encode("ascii"), _encoded(value)) for name, value in sent.items()],
            content=body or None,
            extensions={"timeout": self._timeouts},
        )
        async with asyncio.timeout(timeout):  # the whole exchange, body included
            response = await self._client.send(request, stream=True)
            try:
                answer = Answer.of(response)
                if self._cookies is not None:  # kept for the run, for this host
                    self._cookies.remember(url, host, answer.header_list("set-cookie"))
                yield answer
            finally:
                await response.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def policy_for(self, host: str) -> HostPolicy:
        return self.settings.policy_for(host)

    def _gate(self, host: str) -> HostGate:
        host = host.lower()
        if host not in self._gates:
            self._gates[host] = HostGate(self.policy_for(host))
        return self._gates[host]

    @asynccontextmanager
    async def _turn(self, gate: HostGate, *, urgent: bool, rank: int = 0) -> AsyncIterator[None]:
        """A request's turn: its host's slot (politeness) first, then one of the run's
        (--max-concurrency), so a request waiting on its host holds no global slot."""
        async with gate.slot(), self._global.hold(urgent=urgent, rank=rank):
            yield

    def _defer_for(self, gate: HostGate, answer: Answer | Download) -> float | None:
        """The server's Retry-After (a 429 or 503 asking us to wait), if it gave one: the
        host's next request waits that long too, within --max-retry-after."""
        wait = parse_retry_after(answer.header("retry-after"))
        if wait is not None:
            wait = min(wait, self.settings.max_retry_after)
            gate.defer(wait)
        return wait

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

    def _retrying(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> AsyncRetrying:
        settings = self.settings
        return retrying(
            retries=settings.max_retries,
            backoff=settings.retry_backoff,
            max_retry_after=settings.max_retry_after,
            deadline=self.deadline,
            sleep=sleep,
        )

    async def _fetch_hop(self, url: str, *, first: bool, rank: int = 0) -> Exchange:
        """One hop, tried again by retry.py's policy while the outcome may change."""
        try:
            return await self._attempt(url, first=first, urgent=False, rank=rank)
        except _Retryable as failure:
            return await self._retried(url, failure, first=first, rank=rank)

    async def _retried(self, url: str, failure: _Retryable, *, first: bool, rank: int) -> Exchange:
        """The hop whose first attempt failed as failure, retried by tenacity (entered only
        then: its machinery costs 0.1 ms of CPU per request; the failure is its first
        outcome). A retry of an origin no connection reached ends its wait early once
        another URL finds the origin down."""
        origin = origin_of(urlsplit(url))
        last = failure

        async def sleep(seconds: float) -> None:
            if last.unreachable:
                await self._unreachable.pause(origin, seconds)
            else:
                await asyncio.sleep(seconds)

        attempt = 1
        try:
            async for trying in self._retrying(sleep):
                with trying:
                    attempt = trying.retry_state.attempt_number
                    if attempt == 1:
                        raise failure  # the first attempt's outcome, already known
                    try:
                        exchange = await self._attempt(url, first=first, urgent=True, rank=rank)
                    except _Retryable as retry:
                        last = retry
                        raise
        except _Retryable as retry:
            failed = retry.exchange
            if retry.unreachable:
                note = Failure(failed.error or "", failed.error_detail or "", attempt)
                self._unreachable.note_failure(origin, note)
            return replace(failed, attempts=attempt)
        return replace(exchange, attempts=attempt)

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
            async with self._turn(gate, urgent=urgent or not first, rank=rank):
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
        if response.status in RETRYABLE_STATUSES:
            raise _Retryable(exchange, self._defer_for(gate, response))
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
                self._turn(self._gate(host), urgent=False),
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
        retry starts it over). Retried as a check is (retry.py): timeouts, resets, 429 and
        502/503/504, honouring Retry-After. Redirects are not followed: the archiver records
        every hop."""
        try:
            async for trying in self._retrying():
                with trying:
                    sink.seek(0)
                    sink.truncate()
                    download = await self._download_once(url, sink, limit=limit, timeout=timeout)
                    if download.status in RETRYABLE_STATUSES:
                        gate = self._gate(hostname_of(url) or "")
                        raise _RetryDownload(download, self._defer_for(gate, download))
        except _RetryDownload as retry:
            return retry.download  # the last answer, retries spent
        return download

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
                self._turn(gate, urgent=False),
                self._open("GET", url, timeout=timeout) as r,
            ):
                async for chunk in r.response.aiter_raw():
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
        response = r.response
        target = response.request.url.raw_path.decode("ascii", errors="replace")
        version = response.http_version
        peer = response.extensions.get(PEER)
        return Download(
            url=url,
            status=response.status_code,
            reason=response.reason_phrase,
            http_version=version,
            request_line=f"GET {target} {version}",
            request_headers=_latin1(response.request.headers.raw),
            response_headers=_latin1(response.headers.raw),
            size=size,
            truncated=truncated,
            ip=peer[0] if isinstance(peer, tuple) else None,
        )

    def _describe(self, error: BaseException) -> str:
        """One line about an error, with every secret of the run cut out of it: error texts
        go to reports, the state database and WARCs."""
        text = (str(error) or self._timeout_text(error) or type(error).__name__).splitlines()[0]
        text = text[:300]
        if "receive buffer too long" in text.lower():  # h11's words for an endless head
            text = f"the answer's head is over {HEAD_LIMIT} bytes"
        for secret in self.settings.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def _timeout_text(self, error: BaseException) -> str | None:
        """What a message-less timeout means, in words (asyncio's deadline has no text)."""
        settings = self.settings
        if isinstance(error, ConnectTimeout | httpx.ConnectTimeout | httpcore.ConnectTimeout):
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


def _latin1(headers: Sequence[tuple[bytes, bytes]]) -> tuple[tuple[str, str], ...]:
    """Headers in wire order and casing, as an archive keeps them, credentials redacted."""
    pairs = ((k.decode("latin-1"), v.decode("latin-1")) for k, v in headers)
    return tuple((k, redacted(k, v)) for k, v in pairs)


def redacted(name: str, value: str) -> str:
    """A header as an archive may keep it: credentials never reach a WARC (the client's
    exchanges, and those a browser made for a rendering)."""
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


class DownloadError(Retry):
    def __init__(self, kind: str, detail: str, *, retryable: bool = False) -> None:
        super().__init__(f"{kind}: {detail}", retryable=retryable)
        self.kind = kind


class _RetryDownload(Retry):
    """An answer worth asking again (429, 502/503/504), after retry_after if it said."""

    def __init__(self, download: Download, retry_after: float | None) -> None:
        super().__init__(f"HTTP {download.status}", retry_after=retry_after)
        self.download = download
