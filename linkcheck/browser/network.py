"""What a page exchanged while the browser drew it, for the archive's WARC: the DevTools
Network domain's events (request, response, redirect, end) read into records, and each
body asked for once the page has settled (Network.getResponseBody).

Chromium hands over bodies decoded (no wire bytes), so a record's headers lose
Content-Encoding and carry the stored length. Credentials are redacted as in the client's
records (fetch/fetcher.py). Bounded: MAX_WATCHED requests followed, MAX_RECORDS exchanges
kept, BODY_LIMIT bytes each (cut ones are marked truncated), TOTAL_LIMIT bytes in all.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..fetch.fetcher import redacted
from .cdp import BrowserError, BrowserTimeout

MAX_RECORDS = 200
# Requests followed at once: a page that sends thousands is not followed past them.
MAX_WATCHED = 5 * MAX_RECORDS
BODY_LIMIT = 8 * 1024 * 1024
# Three tabs render at once at most: a few pages of records held, not hundreds of MB.
TOTAL_LIMIT = 32 * 1024 * 1024
# Chromium's own buffers for the bodies it keeps for getResponseBody (Network.enable).
BUFFER_PARAMS = {"maxTotalBufferSize": TOTAL_LIMIT, "maxResourceBufferSize": BODY_LIMIT}
# Headers that describe the wire form of a body we store decoded, or no header at all.
_WIRE_ONLY = frozenset({"content-encoding", "transfer-encoding", "content-length"})


@dataclass(frozen=True)
class NetworkRecord:
    """One exchange of a rendered page: a request and its answer, the body decoded."""

    url: str
    method: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes | None
    status: int
    reason: str
    response_headers: tuple[tuple[str, str], ...]
    body: bytes
    truncated: bool
    started: float  # seconds since the epoch
    resource_type: str  # Document, XHR, Fetch, Script, Image …


@dataclass
class _Pending:
    url: str
    method: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    started: float
    resource_type: str
    sent: int  # the order it was sent in, for the records' order
    response: Mapping[str, Any] | None = None


class NetworkLog:
    """Fed every event of a tab (see); gives the records once the page is drawn."""

    def __init__(self) -> None:
        self._pending: dict[str, _Pending] = {}
        self._finished: list[str] = []  # request ids whose body is complete, in order
        # (order sent, record): redirect hops are complete when the next hop starts
        self._done: list[tuple[int, NetworkRecord]] = []
        self._sent = 0

    def see(self, method: str | None, params: Mapping[str, Any]) -> None:
        request_id = str(params.get("requestId", ""))
        if method == "Network.requestWillBeSent":
            earlier = self._pending.pop(request_id, None)
            redirect = params.get("redirectResponse")
            if earlier is not None and isinstance(redirect, Mapping):
                earlier.response = redirect
                if len(self._done) < MAX_RECORDS:
                    self._done.append((earlier.sent, _record(earlier, b"", truncated=False)))
            request = params.get("request", {})
            url = str(request.get("url", ""))
            if urlsplit(url).scheme not in ("http", "https") or self._sent >= MAX_WATCHED:
                return
            posted = request.get("postData")
            self._pending[request_id] = _Pending(
                url,
                str(request.get("method", "GET")),
                _headers(request.get("headers", {})),
                posted.encode() if isinstance(posted, str) else None,
                float(params.get("wallTime") or time.time()),
                str(params.get("type", "Other")),
                self._sent,
            )
            self._sent += 1
        elif method == "Network.responseReceived" and request_id in self._pending:
            self._pending[request_id].response = params.get("response", {})
        elif method == "Network.loadingFinished" and request_id in self._pending:
            self._finished.append(request_id)
        elif method == "Network.loadingFailed":
            self._pending.pop(request_id, None)

    async def records(
        self, body_of: Callable[[str], Awaitable[Mapping[str, Any]]], deadline: float
    ) -> list[NetworkRecord]:
        """Every complete exchange, bodies asked for through body_of (getResponseBody for
        a request id) until deadline (time.monotonic()); one whose body Chromium no longer
        holds is left out, and none is asked for once Chromium stops answering."""
        total = 0  # redirect hops have no body
        for request_id in self._finished:
            pending = self._pending.get(request_id)
            if pending is None or pending.response is None or len(self._done) >= MAX_RECORDS:
                continue
            if time.monotonic() > deadline:
                break
            try:
                answer = await body_of(request_id)
            except BrowserTimeout:  # a Chromium that does not answer: no more questions
                break
            except BrowserError:  # Chromium no longer holds this body: not kept
                continue
            body = _body(answer)
            if body is None:
                continue
            limit = max(0, min(BODY_LIMIT, TOTAL_LIMIT - total))
            record = _record(pending, body[:limit], truncated=len(body) > limit)
            total += len(record.body)
            self._done.append((pending.sent, record))
        return [record for _, record in sorted(self._done, key=lambda pair: pair[0])]


def _record(pending: _Pending, body: bytes, *, truncated: bool) -> NetworkRecord:
    response = pending.response or {}
    headers = [
        (name, value)
        for name, value in _headers(response.get("headers", {}))
        if name.lower() not in _WIRE_ONLY
    ]
    return NetworkRecord(
        url=pending.url,
        method=pending.method,
        request_headers=pending.headers,
        request_body=pending.body,
        status=int(response.get("status") or 0),
        reason=str(response.get("statusText") or ""),
        response_headers=(*headers, ("Content-Length", str(len(body)))),
        body=body,
        truncated=truncated,
        started=pending.started,
        resource_type=pending.resource_type,
    )


def _headers(given: object) -> tuple[tuple[str, str], ...]:
    """DevTools' header object (repeated headers joined by newlines) as pairs, HTTP/2's
    pseudo-headers left out, credentials redacted."""
    if not isinstance(given, Mapping):
        return ()
    pairs = []
    for name, joined in given.items():
        name = str(name)
        if name.startswith(":"):
            continue
        for value in str(joined).split("\n"):
            pairs.append((name, redacted(name, value)))
    return tuple(pairs)


def _body(answer: Mapping[str, Any]) -> bytes | None:
    text = answer.get("body")
    if not isinstance(text, str):
        return None
    if answer.get("base64Encoded"):
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return None
    return text.encode("utf-8")
