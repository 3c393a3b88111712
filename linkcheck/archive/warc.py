"""The standard raw record: one WARC/1.1 file per snapshot, written with warcio.

The header rules of ../shared/reference/archive.md §2.3–2.4: the body exactly as it came
(de-chunked, still content-encoded), so `Transfer-Encoding` is dropped, `Content-Encoding`
kept, `Content-Length` set to the stored length; `HTTP/1.1` status lines; a request and a
response record per exchange (every redirect hop included), with `WARC-IP-Address`;
`WARC-Truncated: length` where a size cap cut a body. warcio adds the block and payload
digests over the bytes we pass, which is what the spec wants.
"""

from __future__ import annotations

from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ..version import __version__
from .capture import Capture, Recorded

_DROPPED = frozenset({"transfer-encoding", "content-length"})


def _response_headers(recorded: Recorded) -> list[tuple[str, str]]:
    headers = [(k, v) for k, v in recorded.download.response_headers if k.lower() not in _DROPPED]
    headers.append(("Content-Length", str(recorded.download.size)))
    return headers


def _warc_date(recorded: Recorded) -> str:
    return recorded.started.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
        for recorded in [*capture.hops, *capture.requisites]:
            _write_exchange(writer, recorded)
        stream.flush()


def _write_exchange(writer: WARCWriter, recorded: Recorded) -> None:
    download = recorded.download
    warc_headers = {"WARC-Date": _warc_date(recorded)}
    if download.ip:
        warc_headers["WARC-IP-Address"] = download.ip
    if download.truncated:
        warc_headers["WARC-Truncated"] = "length"
    status_line = f"{download.status} {download.reason}".strip()
    with recorded.body.open("rb") as body:
        response = writer.create_warc_record(
            download.url,
            "response",
            payload=body,
            length=download.size,
            http_headers=StatusAndHeaders(
                status_line, _response_headers(recorded), protocol="HTTP/1.1"
            ),
            warc_headers_dict=warc_headers,
        )
        request_line = download.request_line.rsplit(" ", 1)[0] + " HTTP/1.1"
        request = writer.create_warc_record(
            download.url,
            "request",
            http_headers=StatusAndHeaders(
                request_line, list(download.request_headers), is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": _warc_date(recorded)},
        )
        writer.write_request_response_pair(request, response)
