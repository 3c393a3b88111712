"""The standard raw record: one WARC/1.1 file per snapshot, written with warcio.

The header rules of WARC/1.1 as replay tools read it (docs/SOURCES.md): the body as it came
(de-chunked, still content-encoded), so `Transfer-Encoding` is dropped, `Content-Encoding`
kept, `Content-Length` set to the stored length; `HTTP/1.1` status lines; a request and a
response record per exchange (every redirect hop included), with `WARC-IP-Address`;
`WARC-Truncated: length` where a size cap cut a body. warcio adds the block and payload
digests over the bytes we pass, which is what the spec wants. With --browser, the
exchanges the browser made while drawing the page follow the client's.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ..browser.network import NetworkRecord
from ..version import __version__
from .capture import Capture, Recorded

_DROPPED = frozenset({"transfer-encoding", "content-length"})


def _response_headers(recorded: Recorded) -> list[tuple[str, str]]:
    headers = [(k, v) for k, v in recorded.download.response_headers if k.lower() not in _DROPPED]
    headers.append(("Content-Length", str(recorded.download.size)))
    return headers


def _warc_date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_warc(path: Path, capture: Capture, user_agent: str) -> None:
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True, warc_version="1.1")
        writer.write_record(
            writer.create_warcinfo_record(
                path.name,
                {
                    "software": f"linkcheck/{__version__}",
                    "format": "WARC File Format 1.1",
                    "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                    "http-header-user-agent": user_agent,
                },
            )
        )
        hops = [] if capture.through_browser else capture.hops  # the browser's, below
        for recorded in [*hops, *capture.requisites]:
            _write_exchange(writer, recorded)
        for record in capture.rendering.records if capture.rendering is not None else ():
            _write_browser_exchange(writer, record)
        stream.flush()


def _write_exchange(writer: WARCWriter, recorded: Recorded) -> None:
    download = recorded.download
    warc_headers = {}
    if download.ip:
        warc_headers["WARC-IP-Address"] = download.ip
    with recorded.body.open("rb") as body:
        _write_pair(
            writer,
            download.url,
            recorded.started,
            warc_headers,
            response=(f"{download.status} {download.reason}", _response_headers(recorded)),
            body=(body, download.size, download.truncated),
            request=(
                download.request_line.rsplit(" ", 1)[0] + " HTTP/1.1",
                list(download.request_headers),
                b"",
            ),
        )


def _write_browser_exchange(writer: WARCWriter, record: NetworkRecord) -> None:
    """An exchange the browser made while drawing the page (its XHRs among them): the body
    as Chromium gave it (decoded, so the headers carry its stored length and no
    Content-Encoding), with DevTools' kind of request in a WARC-Resource-Type field (an
    extension: readers that do not know a field skip it)."""
    parts = urlsplit(record.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    request_headers = list(record.request_headers)
    if not any(name.lower() == "host" for name, _ in request_headers):
        request_headers.insert(0, ("Host", parts.netloc))
    _write_pair(
        writer,
        record.url,
        datetime.fromtimestamp(record.started, UTC),
        {"WARC-Resource-Type": record.resource_type},
        response=(f"{record.status} {record.reason}", list(record.response_headers)),
        body=(io.BytesIO(record.body), len(record.body), record.truncated),
        request=(
            f"{record.method} {target} HTTP/1.1",
            request_headers,
            record.request_body or b"",
        ),
    )


def _write_pair(
    writer: WARCWriter,
    url: str,
    started: datetime,
    warc_headers: dict[str, str],
    *,
    response: tuple[str, list[tuple[str, str]]],
    body: tuple[BinaryIO, int, bool],
    request: tuple[str, list[tuple[str, str]], bytes],
) -> None:
    """One exchange as a request record and a response record: response is (status line,
    headers), body (stream, its length, whether a cap cut it), request (request line,
    headers, body)."""
    stream, length, truncated = body
    response_warc = {"WARC-Date": _warc_date(started), **warc_headers}
    if truncated:
        response_warc["WARC-Truncated"] = "length"
    status_line, response_headers = response
    request_line, request_headers, request_body = request
    answer = writer.create_warc_record(
        url,
        "response",
        payload=stream,
        length=length,
        http_headers=StatusAndHeaders(status_line.strip(), response_headers, protocol="HTTP/1.1"),
        warc_headers_dict=response_warc,
    )
    asked = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(request_body),
        length=len(request_body),
        http_headers=StatusAndHeaders(request_line, request_headers, is_http_request=True),
        warc_headers_dict={"WARC-Date": _warc_date(started)},
    )
    writer.write_request_response_pair(asked, answer)
