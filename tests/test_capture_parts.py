"""The archiver's pure parts: which images a page shows."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from linkcheck.archive.capture import image_urls


def test_srcset_is_read_by_the_html_spec_not_split_on_every_comma() -> None:
    # A comma inside a candidate URL belongs to it; descriptors with commas in
    # parentheses do not start a new candidate.
    page = (
        '<img srcset="/img/a.jpg?crop=1,2 1x, /img/b.jpg 2x">'
        '<picture><source srcset="/img/c.webp 100w (x, y), /img/d.webp 200w"></picture>'
    )
    assert image_urls(LexborHTMLParser(page), "https://example.org/post/") == [
        "https://example.org/img/a.jpg?crop=1,2",
        "https://example.org/img/b.jpg",
        "https://example.org/img/c.webp",
        "https://example.org/img/d.webp",
    ]


def test_lazy_attributes_win_over_placeholder_src_and_data_urls_are_skipped() -> None:
    page = (
        '<img data-src="https://mmbiz.qpic.cn/x.png" src="data:image/gif;base64,R0lG">'
        '<img src="data:image/png;base64,iVBO">'
    )
    assert image_urls(LexborHTMLParser(page), "https://mp.weixin.qq.com/s/a") == [
        "https://mmbiz.qpic.cn/x.png"
    ]
