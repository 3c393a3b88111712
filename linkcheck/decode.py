"""Bytes → text for blog sources, without guessing wildly.

Accepted, in this order: a BOM (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE); strict UTF-8; strict
GB18030 (a superset of GBK and GB2312, common in older Chinese blogs) *only* when what it
decodes to reads as Chinese. Anything else is refused with a reason: a file we cannot
read surely must not be reported as having no links.
"""

from __future__ import annotations

import codecs
import re

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# What GB2312/GBK text holds besides ASCII: CJK ideographs and punctuation, full-width
# forms, pinyin, Greek, Cyrillic, and the symbol blocks (arrows, maths, box drawing, ①, ★).
_CHINESE_TEXT = re.compile(
    r"[\x00-\x7f\u00a4\u00a7\u00a8\u00b0\u00b1\u00b7\u00d7\u00e0-\u00fc\u00f7\u0100-\u01dc"
    r"\u0391-\u03c9\u0401-\u0451\u2010-\u203b\u2103\u2116\u2160-\u2199\u2200-\u22ff"
    r"\u2312\u2460-\u249b\u2500-\u26ff\u3000-\u303f\u3040-\u30ff\u3105-\u3129\u3220-\u32a3"
    r"\u3400-\u4dbf\u4e00-\u9fff\ue000-\uf8ff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]*"
)
# Real Chinese has words: two ideographs in a row. Latin-1 or CP1252 text that happens to
# decode as GB18030 yields lone ideographs between ASCII letters.
_IDEOGRAPH_PAIR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2}")


def byte_order_mark(data: bytes) -> bytes:
    """The BOM data starts with, if any (kept when a file is written back)."""
    return next((bom for bom, _ in _BOMS if data.startswith(bom)), b"")


class DecodeError(ValueError):
    """The bytes are not text in an encoding we accept; the message says why."""


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise DecodeError."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise DecodeError(
                    f"invalid {encoding} after its byte-order mark: {error.reason}"
                ) from None
    if b"\x00" in data[:8192]:
        raise DecodeError("binary file (NUL bytes and no UTF-16 byte-order mark)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _CHINESE_TEXT.fullmatch(text) and _IDEOGRAPH_PAIR.search(text):
        return text, "gb18030"
    raise DecodeError(
        f"not UTF-8 (invalid byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start})"
        " and not Chinese text in GB18030; convert the file to UTF-8"
    )
