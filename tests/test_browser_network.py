"""The browser's network log (browser/network.py): DevTools events → WARC-ready records.

Fed the events as Chromium sends them (the shapes of the DevTools protocol's Network
domain); the end-to-end capture through a real Chromium is in test_archive.py."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Mapping
from typing import Any

import pytest

from linkcheck.browser import network
from linkcheck.browser.cdp import BrowserError, BrowserTimeout
from linkcheck.browser.network import NetworkLog


def _sent(request_id: str, url: str, **extra: Any) -> dict[str, Any]:
    request = {
        "url": url,
        "method": extra.pop("method", "GET"),
        "headers": extra.pop("headers", {}),
    }
    if "post" in extra:
        request["postData"] = extra.pop("post")
    return {"requestId": request_id, "request": request, "wallTime": 1_700_000_000.0, **extra}


def _answer(request_id: str, status: int, headers: Mapping[str, str]) -> dict[str, Any]:
    return {
        "requestId": request_id,
        "type": "XHR",
        "response": {"status": status, "statusText": "OK", "headers": dict(headers)},
    }


def _records(
    log: NetworkLog, bodies: Mapping[str, dict[str, Any]], deadline: float = 60.0
) -> list[network.NetworkRecord]:
    async def body_of(request_id: str) -> dict[str, Any]:
        answer = bodies.get(request_id)
        if answer is None:
            raise BrowserError("No resource with given identifier found")
        if answer.get("hang"):
            raise BrowserTimeout("Network.getResponseBody: no answer in 10 s")
        return answer

    return asyncio.run(log.records(body_of, time.monotonic() + deadline))


def _finished(count: int) -> NetworkLog:
    """A log of count GETs of https://e.test/<n> (request ids "0" …), answered and ended."""
    log = NetworkLog()
    for number in range(count):
        request_id = str(number)
        log.see("Network.requestWillBeSent", _sent(request_id, f"https://e.test/{number}"))
        log.see("Network.responseReceived", _answer(request_id, 200, {}))
        log.see("Network.loadingFinished", {"requestId": request_id})
    return log


def test_a_page_s_exchanges_become_records_with_their_bodies_and_no_secret() -> None:
    log = NetworkLog()
    log.see(
        "Network.requestWillBeSent",
        _sent(
            "1",
            "https://zhuanlan.zhihu.com/api/x",
            method="POST",
            post="q=1",
            headers={"Cookie": "z_c0=secret", "Accept": "*/*"},
            type="XHR",
        ),
    )
    log.see(
        "Network.responseReceived",
        _answer(
            "1",
            200,
            {
                "content-type": "application/json",
                "content-encoding": "gzip",
                "content-length": "17",
                "set-cookie": "a=1\nb=2",
            },
        ),
    )
    log.see("Network.loadingFinished", {"requestId": "1"})
    # A redirect: the same request id sent again with the answer that redirected it.
    log.see("Network.requestWillBeSent", _sent("2", "http://example.test/old"))
    redirect = {"status": 301, "statusText": "Moved", "headers": {"Location": "/new"}}
    log.see(
        "Network.requestWillBeSent",
        _sent("2", "http://example.test/new", redirectResponse=redirect),
    )
    log.see("Network.responseReceived", _answer("2", 200, {"content-type": "text/html"}))
    log.see("Network.loadingFinished", {"requestId": "2"})
    # Failed, not http(s), and a body Chromium no longer holds: none is a record.
    log.see("Network.requestWillBeSent", _sent("3", "https://example.test/failed"))
    log.see("Network.loadingFailed", {"requestId": "3"})
    log.see("Network.requestWillBeSent", _sent("4", "data:text/plain,hi"))
    log.see("Network.requestWillBeSent", _sent("5", "https://example.test/gone"))
    log.see("Network.responseReceived", _answer("5", 200, {}))
    log.see("Network.loadingFinished", {"requestId": "5"})
    bodies = {
        "1": {"body": '{"text": "\u4e2d\u6587"}', "base64Encoded": False},
        "2": {"body": base64.b64encode(b"<p>new</p>").decode(), "base64Encoded": True},
    }
    records = _records(log, bodies)
    assert [(r.url, r.status) for r in records] == [
        ("https://zhuanlan.zhihu.com/api/x", 200),
        ("http://example.test/old", 301),
        ("http://example.test/new", 200),
    ]
    xhr, moved, new = records
    assert xhr.body == '{"text": "\u4e2d\u6587"}'.encode()
    assert xhr.method == "POST"
    assert xhr.request_body == b"q=1"
    assert xhr.resource_type == "XHR"
    assert ("Cookie", "[redacted]") in xhr.request_headers
    assert ("set-cookie", "[redacted]") in xhr.response_headers
    assert [name.lower() for name, _ in xhr.response_headers].count("set-cookie") == 2
    names = [name.lower() for name, _ in xhr.response_headers]
    assert "content-encoding" not in names  # the body is stored decoded
    assert ("Content-Length", str(len(xhr.body))) in xhr.response_headers
    assert moved.body == b""
    assert ("Location", "/new") in moved.response_headers
    assert new.body == b"<p>new</p>"
    assert not any(r.truncated for r in records)


def test_bodies_past_their_bounds_are_cut_and_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "BODY_LIMIT", 10)
    monkeypatch.setattr(network, "TOTAL_LIMIT", 15)
    monkeypatch.setattr(network, "MAX_RECORDS", 3)
    monkeypatch.setattr(network, "MAX_WATCHED", 4)
    log = _finished(5)
    bodies = {str(n): {"body": "x" * 12, "base64Encoded": False} for n in range(5)}
    records = _records(log, bodies)
    assert [len(r.body) for r in records] == [10, 5, 0]
    assert all(r.truncated for r in records)
    assert [r.url for r in records] == [f"https://e.test/{n}" for n in range(3)]
    assert log._sent == 4  # the fifth request was never followed
    assert "4" not in log._pending


def test_bodies_are_asked_for_until_chromium_stops_answering_or_the_deadline() -> None:
    """A Chromium that stops answering is not asked 200 more times (10 s each): the
    records made before are kept; past the deadline, nothing more is asked."""
    bodies: dict[str, dict[str, Any]] = {
        "0": {"body": "first", "base64Encoded": False},
        "1": {"hang": True},
        "2": {"body": "never asked", "base64Encoded": False},
    }
    assert [r.body for r in _records(_finished(4), bodies)] == [b"first"]
    assert _records(_finished(4), bodies, deadline=-1.0) == []
