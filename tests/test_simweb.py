"""The simulated web keeps connections alive as real servers do, so the tests and the
benchmarks meet what users meet: a handshake per connection, not one per request."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkcheck.testing.simweb import SimulatedWeb

ROUTES = """
[[route]]
host = "kept.test"
path = "/a"
body = "<title>A</title>"

[[route]]
host = "kept.test"
path = "/form"
body = "<title>posted</title>"

[[route]]
host = "kept.test"
path = "/odd"
behaviour = "not-http"
"""


def _web(tmp_path: Path, *, keep_alive: bool) -> SimulatedWeb:
    root = tmp_path / "web"
    root.mkdir()
    (root / "routes.toml").write_text(ROUTES, encoding="utf-8")
    return SimulatedWeb(root, keep_alive=keep_alive).start(tmp_path)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[SimulatedWeb]:
    started = _web(tmp_path, keep_alive=True)
    yield started
    started.stop()


def _get(connection: http.client.HTTPConnection, path: str) -> http.client.HTTPResponse:
    connection.request("GET", path, headers={"Host": "kept.test"})
    response = connection.getresponse()
    response.read()
    return response


def test_requests_one_after_another_share_one_connection(web: SimulatedWeb) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", web.http_port, timeout=10)
    try:
        first = _get(connection, "/a")
        sock = connection.sock
        assert first.status == 200
        assert first.getheader("Connection") is None
        # A POST's body is read off the connection, so the next request is parsed whole.
        connection.request("POST", "/form", body=b"x=1&y=2", headers={"Host": "kept.test"})
        posted = connection.getresponse()
        assert posted.read() == b"<title>posted</title>"
        # A HEAD is answered with the head alone: the next answer is read from its start.
        connection.request("HEAD", "/a", headers={"Host": "kept.test"})
        head = connection.getresponse()
        assert head.read() == b""
        assert head.getheader("Content-Length") == str(len(b"<title>A</title>"))
        second = _get(connection, "/a")
        assert second.status == 200
        assert connection.sock is sock  # never reopened: the server kept it alive
    finally:
        connection.close()
    assert [request.target for request in web.requests] == ["/a", "/form", "/a", "/a"]


def test_a_request_that_says_close_is_answered_then_the_connection_ends(
    web: SimulatedWeb,
) -> None:
    with socket.create_connection(("127.0.0.1", web.http_port), timeout=10) as sock:
        sock.sendall(b"GET /a HTTP/1.1\r\nHost: kept.test\r\nConnection: close\r\n\r\n")
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b"Connection: close" in answer


def test_a_misbehaving_answer_ends_its_connection(web: SimulatedWeb) -> None:
    with socket.create_connection(("127.0.0.1", web.http_port), timeout=10) as sock:
        sock.sendall(b"GET /odd HTTP/1.1\r\nHost: kept.test\r\n\r\n")
        answer = _read_all(sock)  # ends: the server closed after its non-HTTP greeting
    assert answer.startswith(b"SSH-2.0")


def test_without_keep_alive_every_answer_closes(tmp_path: Path) -> None:
    web = _web(tmp_path, keep_alive=False)
    try:
        with socket.create_connection(("127.0.0.1", web.http_port), timeout=10) as sock:
            sock.sendall(b"GET /a HTTP/1.1\r\nHost: kept.test\r\n\r\n")
            answer = _read_all(sock)
    finally:
        web.stop()
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b"Connection: close" in answer


def _read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes (the socket's timeout fails a server that does not)."""
    parts = []
    while chunk := sock.recv(65536):
        parts.append(chunk)
    return b"".join(parts)
