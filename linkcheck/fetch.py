"""Fetch one URL politely and record everything the classifier needs (DESIGN.md §1 "fetch").

- GET (HEAD lies on several hosts: hosts.md §0.5), redirects followed by hand so the whole
  chain is recorded, loops detected;
- the body read up to a limit with our own gzip/deflate decoding, so an endless body or a
  gzip bomb costs at most that limit;
- connect and read timeouts, and a deadline on the whole attempt, so a server that drips
  one byte a second cannot hold a request past --timeout;
- one retry policy (tenacity): timeouts, resets, 429 and 502/503/504 retried with
  exponential backoff and jitter, honouring Retry-After up to a cap; never retried:
  NXDOMAIN, TLS certificate errors, 4xx other than 429;
- per-host concurrency and a minimum interval between requests to one host.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit

import httpcore
import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
)

from . import __version__
from .addresses import url_problem
from .extract.normalize import redirect_target
from .models import OFFLINE_FAILURES, Exchange, Hop

if TYPE_CHECKING:
    from .config import Config
from .routing import (
    ConnectTo,
    DnsFailure,
    NetworkEvidence,
    NetworkUnreachable,
    RoutedConnectError,
    RoutingBackend,
    tls_context,
)

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/126.0 Safari/537.36 linkcheck/{__version__}"
)
_RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
# Failures before anything reached the host: they cost the host no politeness interval.
_NEVER_REACHED = OFFLINE_FAILURES | {"private-address"}
# What a request can raise that is about the URL or the network, never about our code:
# httpx refuses some URLs only when it builds the request (InvalidURL, IDNA's UnicodeError).
_FETCH_ERRORS = (
    httpx.HTTPError,
    httpx.InvalidURL,
    httpcore.ConnectError,
    OSError,
    TimeoutError,
    UnicodeError,
)
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class HostPolicy:
    concurrency: int = 8
    interval: float = 0.0  # seconds between the starts of two requests to the host
    headers: tuple[tuple[str, str], ...] = ()


# Polite defaults for the hosts a Chinese blog cites most (README "Politeness").
DEFAULT_HOST_POLICIES: Mapping[str, HostPolicy] = {
    "mp.weixin.qq.com": HostPolicy(concurrency=2, interval=0.5),
    "zhihu.com": HostPolicy(concurrency=2, interval=0.5),
    "github.com": HostPolicy(concurrency=4, interval=0.1),
    # The Wayback Machine rate-limits hard (archive.md §3.1, §3.4): a lookup or a save at a time.
    "web.archive.org": HostPolicy(concurrency=1, interval=1.0),
}


@dataclass(frozen=True)
class FetchSettings:
    timeout: float = 20.0  # whole attempt, connect to last byte read
    connect_timeout: float = 10.0
    max_redirects: int = 10
    max_retries: int = 2
    retry_backoff: float = 1.0  # first backoff; doubles, with jitter
    max_retry_after: float = 60.0
    body_limit: int = 64 * 1024
    max_concurrency: int = 32
    user_agent: str = DEFAULT_USER_AGENT
    headers: tuple[tuple[str, str], ...] = ()
    host_policies: Mapping[str, HostPolicy] = field(
        default_factory=lambda: dict(DEFAULT_HOST_POLICIES)
    )
    default_host_policy: HostPolicy = HostPolicy()
    connect_to: tuple[ConnectTo, ...] = ()
    ssl_context: ssl.SSLContext | None = None
    github_token: str | None = field(default=None, repr=False)  # never printed
    include_private: bool = False  # may connect to loopback and private addresses

    def policy_for(self, host: str) -> HostPolicy:
        """The host's own policy, else its nearest parent domain's, else the default."""
        host = host.lower()
        while host:
            if host in self.host_policies:
                return self.host_policies[host]
            host = host.partition(".")[2]
        return self.default_host_policy


class _Retryable(Exception):
    """An attempt whose outcome may change if tried again."""

    def __init__(self, exchange: Exchange, retry_after: float | None = None) -> None:
        super().__init__(exchange.error or f"HTTP {exchange.final_status}")
        self.exchange = exchange
        self.retry_after = retry_after


class _HostGate:
    def __init__(self, policy: HostPolicy) -> None:
        self._slots = asyncio.Semaphore(max(1, policy.concurrency))
        self._interval = policy.interval
        self._next_start = 0.0
        self._lock = asyncio.Lock()

    def defer(self, seconds: float) -> None:
        self._next_start = max(self._next_start, time.monotonic() + seconds)

    def refund(self) -> None:
        """The request never reached the host (no name, no network): politeness owes it
        nothing, so the next one need not wait the interval."""
        self._next_start = min(self._next_start, time.monotonic())

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._slots:
            async with self._lock:
                wait = self._next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next_start = time.monotonic() + self._interval
            yield


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _error_kind(error: BaseException) -> tuple[str, bool]:
    """(kind, retryable) for an exception raised while fetching."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for cause in chain:
        if isinstance(cause, RoutedConnectError):
            retryable = cause.kind in ("dns-failure", "connection-refused", "connect-failed")
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
        if isinstance(cause, httpx.UnsupportedProtocol | httpx.InvalidURL | UnicodeError):
            return "invalid-url", False
    for cause in chain:
        if isinstance(cause, httpx.RemoteProtocolError) and not _disconnected(cause):
            return "invalid-http", False
    for cause in chain:
        if isinstance(
            cause,
            httpx.RemoteProtocolError
            | httpx.ReadError
            | ConnectionError
            | httpx.ConnectError
            | httpx.WriteError,
        ):
            return "connection-reset", True
    return "network-error", True


def _disconnected(error: BaseException) -> bool:
    """httpx says RemoteProtocolError both for a connection closed before any answer and
    for an answer that is not HTTP; only the first is a reset."""
    return "disconnected" in str(error).lower()


def _decoder(encoding: str) -> zlib._Decompress | None:
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


async def _read_body(response: httpx.Response, limit: int) -> bytes:
    """At most limit decoded bytes; decompression is bounded too (gzip bombs)."""
    decoder = _decoder(response.headers.get("content-encoding", ""))
    out = bytearray()
    async for chunk in response.aiter_raw():
        room = limit - len(out)
        if decoder is None:
            out += chunk[:room]
        else:
            try:
                out += decoder.decompress(chunk, room)
            except zlib.error:
                break  # a broken encoding: classify on what we have
        if len(out) >= limit:
            break
    return bytes(out)


class Breaker:
    """Stop asking a host that keeps answering with its rate-limit page: after LIMIT such
    responses in a row, requests to it end at once with the error "host-blocking"."""

    LIMIT = 5

    def __init__(self) -> None:
        self._streaks: dict[str, int] = {}

    def note(self, host: str, blocking: bool) -> None:
        host = host.lower()
        self._streaks[host] = self._streaks.get(host, 0) + 1 if blocking else 0

    def open(self, host: str) -> bool:
        return self._streaks.get(host.lower(), 0) >= self.LIMIT


class Fetcher:
    """One per run: a connection pool, the host gates and the network evidence."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self.evidence = NetworkEvidence()
        self._gates: dict[str, _HostGate] = {}
        self.breaker = Breaker()
        self._transports: dict[str, httpx.AsyncHTTPTransport] = {}
        self._timeouts = httpx.Timeout(settings.timeout, connect=settings.connect_timeout).as_dict()
        self._global = asyncio.Semaphore(max(1, settings.max_concurrency))
        self._backend = RoutingBackend(
            settings.connect_to, self.evidence, allow_private=settings.include_private
        )
        self._ssl_context = settings.ssl_context or ssl.create_default_context()
        self._headers = {
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
            "Accept-Encoding": "gzip, deflate",
            **dict(settings.headers),
        }

    def _transport_for(self, host: str) -> httpx.AsyncHTTPTransport:
        """A small pool per host: hosts never evict each other's idle connections, and
        httpcore's pool bookkeeping (linear in its connections) stays cheap."""
        transport = self._transports.get(host)
        if transport is None:
            transport = httpx.AsyncHTTPTransport(verify=self._ssl_context, trust_env=False)
            # Our backend routes (--connect-to) and resolves; the rest of the pool is httpx's.
            transport._pool = httpcore.AsyncConnectionPool(
                ssl_context=self._ssl_context,
                max_connections=max(1, self.policy_for(host).concurrency),
                network_backend=self._backend,
            )
            self._transports[host] = transport
        return transport

    @asynccontextmanager
    async def _open(
        self,
        method: str,
        url: str,
        *,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """One request straight to the host's transport, its body not read yet. Not through
        httpx.Client: the client prepares the next request of every redirect it sees, and
        raises there on a hostile Location (an invalid IDNA name) before we see the answer."""
        parsed = httpx.URL(url)
        request = httpx.Request(
            method,
            parsed,
            headers={**self._headers, **self._request_headers(parsed), **(headers or {})},
            data=data,
            extensions={"timeout": self._timeouts},
        )
        host = request.url.raw_host.decode("ascii")
        response = await self._transport_for(host).handle_async_request(request)
        response.request = request
        try:
            yield response
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        for transport in self._transports.values():
            await transport.aclose()
        self._transports.clear()

    def policy_for(self, host: str) -> HostPolicy:
        return self.settings.policy_for(host)

    def _gate(self, host: str) -> _HostGate:
        host = host.lower()
        if host not in self._gates:
            self._gates[host] = _HostGate(self.policy_for(host))
        return self._gates[host]

    async def fetch(self, url: str) -> Exchange:
        """Follow the redirect chain from url, retrying each hop as the policy says."""
        from . import rules

        hops: list[Hop] = []
        current = rules.rewrite(url, github_token=self.settings.github_token)
        seen = {current}
        attempts = 0
        while True:
            problem = url_problem(current)
            if problem is not None:  # hostile or mistyped: data, never an exception
                return Exchange(
                    url,
                    tuple(hops),
                    error="invalid-redirect" if hops else "invalid-url",
                    error_detail=f"to {current}: {problem}" if hops else problem,
                    attempts=attempts,
                )
            exchange = await self._fetch_hop(current, first=not hops)
            attempts += exchange.attempts
            hops.extend(exchange.hops)
            redirected = exchange.error is None and exchange.final_status in _REDIRECT_STATUSES
            location = exchange.hops[-1].location if redirected else None
            if not location:
                return replace(exchange, url=url, hops=tuple(hops), attempts=attempts)
            current = redirect_target(current, location)
            if current in seen:
                return Exchange(
                    url,
                    tuple(hops),
                    exchange.headers,
                    error="redirect-loop",
                    error_detail=f"back to {current}",
                    attempts=attempts,
                )
            if len(hops) > self.settings.max_redirects:
                return Exchange(
                    url,
                    tuple(hops),
                    exchange.headers,
                    error="too-many-redirects",
                    error_detail=f"more than {self.settings.max_redirects}",
                    attempts=attempts,
                )
            seen.add(current)

    async def _fetch_hop(self, url: str, *, first: bool) -> Exchange:
        settings = self.settings
        retrying = AsyncRetrying(
            stop=stop_after_attempt(settings.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        attempts = 0
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    exchange = await self._attempt(url, first=first)
                    return replace(exchange, attempts=attempts)
        except _Retryable as last:
            return replace(last.exchange, attempts=attempts)
        raise AssertionError("tenacity ended without an outcome")  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return min(error.retry_after, self.settings.max_retry_after)
        return self._backoff(state.attempt_number)

    def _backoff(self, attempt: int) -> float:
        """Seconds before retry number attempt: doubling from --retry-backoff, capped at
        16 times it, with up to one backoff of jitter."""
        backoff = self.settings.retry_backoff
        return min(backoff * 2.0 ** (attempt - 1) + random.uniform(0, backoff), backoff * 16)

    async def _attempt(self, url: str, *, first: bool = True) -> Exchange:
        """One request: raises _Retryable when the outcome may change on a retry."""
        problem = url_problem(url)
        if problem is not None:
            return Exchange(url, error="invalid-url", error_detail=problem)
        host = urlsplit(url).hostname or ""
        gate = self._gate(host)
        try:
            async with gate.slot(), self._global:
                if first and self.breaker.open(host):  # chains under way may finish
                    return Exchange(
                        url,
                        error="host-blocking",
                        error_detail=(
                            f"not requested: {host} answered {Breaker.LIMIT} requests in a row "
                            "with its rate-limit page, so linkcheck stopped asking it for this run"
                        ),
                    )
                async with asyncio.timeout(self.settings.timeout):
                    async with self._open("GET", url) as response:
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
                raise _Retryable(exchange) from error
            return exchange
        headers = tuple((k.lower(), v) for k, v in response.headers.multi_items())
        location = response.headers.get("location")
        exchange = Exchange(url, (Hop(url, response.status_code, location),), headers, body)
        if response.status_code in _RETRYABLE_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if retry_after is not None:
                gate.defer(min(retry_after, self.settings.max_retry_after))
            raise _Retryable(exchange, retry_after)
        from . import rules

        # Noted while we still hold the host's slot, so the next request sees it.
        blocking = True if response.status_code == 429 else rules.blocking(exchange)
        if blocking is not None:
            self.breaker.note(host, blocking)
        wait = rules.retry_after(exchange)  # e.g. GitHub's 403 rate limit
        if wait is not None and wait <= self.settings.max_retry_after:
            gate.defer(wait)
            raise _Retryable(exchange, wait)
        return exchange

    async def fetch_once(self, url: str) -> Exchange:
        """One hop, redirects not followed (the Wayback lookup reads the redirect itself)."""
        return await self._fetch_hop(url, first=True)

    async def post_form(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Exchange:
        """A form POST (Save Page Now), through the same gates; not retried."""
        host = urlsplit(url).hostname or ""
        try:
            async with self._gate(host).slot(), self._global:
                async with asyncio.timeout(self.settings.timeout):
                    async with self._open("POST", url, data=form, headers=headers) as response:
                        body = await _read_body(response, self.settings.body_limit)
        except _FETCH_ERRORS as error:
            kind, _ = _error_kind(error)
            return Exchange(url, error=kind, error_detail=self._describe(error))
        items = tuple((k.lower(), v) for k, v in response.headers.multi_items())
        hop = Hop(url, response.status_code, response.headers.get("location"))
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
                self._gate(urlsplit(url).hostname or "").defer(wait)
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
        host = urlsplit(url).hostname or ""
        gate = self._gate(host)
        size = 0
        truncated = False
        try:
            async with gate.slot(), self._global:
                async with asyncio.timeout(timeout):
                    async with self._open("GET", url) as r:
                        stream = r.extensions.get("network_stream")
                        address = stream.get_extra_info("server_addr") if stream else None
                        async for chunk in r.aiter_raw():
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
        request = r.request
        target = request.url.raw_path.decode("ascii", errors="replace")
        return Download(
            url=url,
            status=r.status_code,
            reason=r.reason_phrase or "",
            http_version=r.http_version,
            request_line=f"{request.method} {target} {r.http_version}",
            request_headers=tuple(
                (k.decode("latin-1"), _redacted(k, v)) for k, v in request.headers.raw
            ),
            response_headers=tuple(
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in r.headers.raw
            ),
            size=size,
            truncated=truncated,
            ip=str(address[0]) if isinstance(address, tuple) and address else None,
        )

    def _describe(self, error: BaseException) -> str:
        """One line about an error, with every secret of the run cut out of it: error texts
        go to reports, the state database and WARCs."""
        text = (str(error) or self._timeout_text(error) or type(error).__name__).splitlines()[0]
        text = text[:300]
        token = self.settings.github_token
        return text.replace(token, "[redacted]") if token else text

    def _timeout_text(self, error: BaseException) -> str | None:
        """What a message-less timeout means, in words (asyncio's deadline has no text)."""
        settings = self.settings
        if isinstance(error, httpx.ConnectTimeout | httpcore.ConnectTimeout):
            return f"could not connect within {settings.connect_timeout:g} s"
        if isinstance(error, TimeoutError | httpx.TimeoutException | httpcore.TimeoutException):
            return f"no complete answer within {settings.timeout:g} s (--timeout)"
        return None

    def _request_headers(self, parsed: httpx.URL) -> dict[str, str]:
        """Per-host headers; the GitHub token goes to GitHub's own hosts over HTTPS and
        nowhere else, checked again on every hop of a redirect chain."""
        from .rules.github import TOKEN_HOSTS

        host = parsed.raw_host.decode("ascii")
        # Host given here, so httpx never decodes the name: its IDNA 2008 check refuses
        # real registered names such as xn--ls8h.la, and raised instead of answering.
        headers = {"Host": parsed.netloc.decode("ascii")}
        headers.update(self.policy_for(host).headers)
        secure = parsed.scheme == "https"
        if secure and host.lower() in TOKEN_HOSTS and self.settings.github_token:
            headers["Authorization"] = f"Bearer {self.settings.github_token}"
        if host.lower() == "api.github.com":
            headers["Accept"] = "application/vnd.github+json"
        return headers


_SECRET_HEADERS = frozenset({b"authorization", b"proxy-authorization", b"cookie"})


def _redacted(name: bytes, value: bytes) -> str:
    """A request header as an archive may keep it: credentials never reach a WARC."""
    return "[redacted]" if name.lower() in _SECRET_HEADERS else value.decode("latin-1")


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
        lowered = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == lowered), None)


class DownloadError(Exception):
    def __init__(self, kind: str, detail: str, *, retryable: bool = False) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.retryable = retryable


def fetch_settings(config: Config) -> FetchSettings:
    """The fetcher's settings from the run's configuration."""
    policies = dict(DEFAULT_HOST_POLICIES)
    default = HostPolicy(concurrency=config.host_concurrency)
    for host, host_config in config.hosts.items():
        base = policies.get(host, default)
        policies[host] = HostPolicy(
            concurrency=host_config.concurrency or base.concurrency,
            interval=host_config.interval if host_config.interval is not None else base.interval,
            headers=host_config.headers or base.headers,
        )
    settings = FetchSettings(
        timeout=config.timeout,
        connect_timeout=min(config.timeout, 10.0),
        max_redirects=config.max_redirects,
        max_retries=config.max_retries,
        retry_backoff=config.retry_backoff,
        max_concurrency=config.max_concurrency,
        headers=config.header,
        host_policies=policies,
        default_host_policy=default,
        connect_to=tuple(ConnectTo.parse(entry) for entry in config.connect_to),
        ssl_context=tls_context(config.cacert) if config.cacert else None,
        github_token=config.github_token,
        include_private=config.include_private,
    )
    if config.user_agent:
        settings = replace(settings, user_agent=config.user_agent)
    return settings


__all__ = ["DEFAULT_HOST_POLICIES", "FetchSettings", "Fetcher", "HostPolicy", "parse_retry_after"]
