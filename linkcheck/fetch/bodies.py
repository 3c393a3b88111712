"""Content-Encoding decoded by us, never by httpx, so that what a hostile server sends
(an endless body, a gzip bomb) costs at most the limit the caller chose."""

from __future__ import annotations

import zlib


def decoder(content_encoding: str) -> zlib._Decompress | None:
    """A streaming decoder for gzip or deflate; None for identity (or an unknown coding)."""
    encoding = content_encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


def decode_body(raw: bytes, content_encoding: str, limit: int) -> bytes:
    """The entity body decoded, at most limit bytes; a broken encoding gives nothing."""
    stream = decoder(content_encoding)
    if stream is None:
        return raw[:limit]
    try:
        return stream.decompress(raw, limit)
    except zlib.error:
        return b""


class BoundedBody:
    """Chunks in, at most limit decoded bytes out; a broken encoding keeps what came."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        self._decoder = decoder(content_encoding)
        self._limit = limit
        self._out = bytearray()
        self.full = False

    def feed(self, chunk: bytes) -> None:
        room = self._limit - len(self._out)
        if self._decoder is None:
            self._out += chunk[:room]
        else:
            try:
                self._out += self._decoder.decompress(chunk, room)
            except zlib.error:
                self.full = True  # classify on what we have
                return
        self.full = len(self._out) >= self._limit

    def bytes(self) -> bytes:
        return bytes(self._out)
