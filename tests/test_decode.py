"""Encodings: what we accept, and what we refuse with a reason."""

from __future__ import annotations

import codecs

import pytest

from linkcheck.decode import DecodeError, decode, decode_page

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


def test_utf16_without_a_bom_is_read() -> None:
    text = "# 标题\n\n[a](https://example.com/)\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        assert decode(text.encode(encoding)) == (text, encoding)


def test_binary_with_nul_bytes_is_still_refused() -> None:
    with pytest.raises(DecodeError, match="binary"):
        decode(bytes(range(256)) * 4)


ARTICLE = "<p>微信公众号文章正文，𠮷野家。</p>"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (ARTICLE.encode("gbk", errors="ignore"), "text/html; charset=GBK"),
        (ARTICLE.encode("gb18030"), "text/html; charset=gb18030"),
        (b'<meta charset="gb2312">' + ARTICLE.encode("gb18030"), "text/html"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=gbk">'
            + ARTICLE.encode("gb18030"),
            None,
        ),
        (ARTICLE.encode("gb18030"), None),  # no label: GB18030 when it reads as Chinese
        (ARTICLE.encode("utf-8"), "text/html; charset=no-such-charset"),
        (codecs.BOM_UTF8 + ARTICLE.encode("utf-8"), "text/html; charset=gbk"),  # BOM wins
    ],
)
def test_pages_decode_as_browsers_decode_them(body: bytes, content_type: str | None) -> None:
    text = decode_page(body, content_type)
    assert "微信公众号文章正文" in text
    assert "\ufffd" not in text


def test_a_utf8_page_cut_inside_a_character_stays_utf8() -> None:
    body = ("<p>" + "中文内容" * 100).encode("utf-8")[:-1]
    text = decode_page(body, "text/html")
    assert text.startswith("<p>中文内容")
    assert "\ufffd" not in text


def test_gb18030_with_four_byte_characters_is_read() -> None:
    """CJK Extension B (𠮷, a surname) is four bytes in GB18030; GBK has no such character."""
    text = "𠮷野家的创始人写过 https://example.com/ 这篇文章。𪚥𫠝"
    assert decode(text.encode("gb18030")) == (text, "gb18030")


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_western_text_that_happens_to_decode_is_still_refused(encoding: str) -> None:
    text = "Café crème brûlée, naïve façade — «déjà vu» at https://example.com/ ©®"
    data = text.encode(encoding, errors="ignore")
    with pytest.raises(DecodeError, match="not UTF-8"):
        decode(data)
