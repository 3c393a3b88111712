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
    r"\u2312\u2460-\u249b\u2500-\u26ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff"
    r"\u3100-\u312f\u31c0-\u31ef\u3200-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ue000-\uf8ff"
    r"\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef"
    # GB18030's four-byte CJK: Extensions B to H and the compatibility supplement
    # (rare surnames and place names, such as 𠮷).
    r"\U00020000-\U000323af]*"
)
# Real Chinese has words: two ideographs in a row. Latin-1 or CP1252 text that happens to
# decode as GB18030 yields lone ideographs between ASCII letters.
_IDEOGRAPH_PAIR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U000323af]{2}")


def byte_order_mark(data: bytes) -> bytes:
    """The BOM data starts with, if any (kept when a file is written back)."""
    return next((bom for bom, _ in _BOMS if data.startswith(bom)), b"")


class DecodeError(ValueError):
    """The bytes are not text in an encoding we accept; the message says why."""


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text saved without a BOM (some Windows editors): Markdown is mostly ASCII, so
    one byte of nearly every pair is NUL, always on the same side."""
    sample = data[:8192]
    if len(data) % 2 or len(sample) < 16:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    pairs = len(sample) // 2
    if odd > pairs * 0.3 and even == 0:
        encoding = "utf-16-le"
    elif even > pairs * 0.3 and odd == 0:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text):
        return None
    return text, encoding


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Labels browsers read as GBK or GB18030 (WHATWG Encoding Standard); GB18030 decodes all.
_GB_LABELS = frozenset({"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "chinese", "csgb2312"})


def decode_page(body: bytes, content_type: str | None) -> str:
    """A fetched HTML page as text, as a browser decides: a BOM, the HTTP charset, a
    `<meta charset>` in the first 1,024 bytes, then UTF-8, then GB18030 when the bytes
    read as Chinese (decode above); never an exception."""
    bom = byte_order_mark(body)
    if bom:
        encoding = next(name for mark, name in _BOMS if mark == bom)
        return body[len(bom) :].decode(encoding, errors="replace")
    for source in (content_type.encode("latin-1", "replace") if content_type else b"", body[:1024]):
        match = _CHARSET.search(source)
        if match is not None:
            label = match.group(1).decode("ascii").lower()
            label = "gb18030" if label in _GB_LABELS else label
            try:
                return body.decode(label, errors="replace")
            except LookupError:
                continue  # an unknown label: as if there were none
    text = _utf8_allowing_a_cut_end(body)
    if text is not None:
        return text
    try:
        return decode(body)[0]
    except DecodeError:
        return body.decode("utf-8", errors="replace")


def _utf8_allowing_a_cut_end(body: bytes) -> str | None:
    """A body cut at the size cap may end inside a character: no reason to doubt UTF-8."""
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        return None


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
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return utf16
        raise DecodeError("binary file (NUL bytes, and not UTF-16 text)")
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
