"""Encodings: what we accept, and what we refuse with a reason."""

from __future__ import annotations

import codecs

import pytest

from linkcheck.decode import DecodeError, decode

CHINESE = "深度学习 https://a.org 图灵机，α β ① 《书》"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CHINESE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + CHINESE.encode("utf-8"), "utf-8"),
        (CHINESE.encode("utf-16"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + CHINESE.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF32_LE + CHINESE.encode("utf-32-le"), "utf-32-le"),
        (CHINESE.encode("gb18030"), "gb18030"),
        (CHINESE.encode("gbk"), "gb18030"),
    ],
)
def test_accepted_encodings(data: bytes, encoding: str) -> None:
    assert decode(data) == (CHINESE, encoding)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("café résumé naïve".encode("latin-1"), "not UTF-8"),
        ("“Smart” quotes déjà".encode("cp1252"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfd", "invalid utf-8"),
    ],
)
def test_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode(data)


def test_latin1_that_happens_to_decode_as_gb18030_is_still_refused() -> None:
    # "ée" decodes as one ideograph in GB18030; a lone one between ASCII letters is not Chinese.
    data = "Une idée claire".encode("latin-1")
    data.decode("gb18030")  # the trap: it does decode
    with pytest.raises(DecodeError):
        decode(data)
