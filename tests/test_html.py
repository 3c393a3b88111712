"""HTML files and HTML inside Markdown: URL attributes with positions, bare URLs in text."""

from __future__ import annotations

from linkcheck.extract.html_file import extract_html_file
from linkcheck.extract.html_scan import confirmed_by_parser, scan_html


def found(text: str) -> list[tuple[int, int, str, str]]:
    return [
        (link.line, link.column, link.kind.value, link.url)
        for link in extract_html_file("page.html", text)
    ]


def test_url_attributes_of_known_and_custom_elements() -> None:
    text = (
        '<a href="https://a.org">a</a>\n'
        "<img src='/i.png' srcset=\"/i.png 1x, /i@2x.png 2x\">\n"
        "<video poster=/p.jpg src=/v.mp4></video>\n"
        '<blockquote cite="https://q.org"></blockquote><my-image src="custom.jpg"></my-image>\n'
    )
    assert found(text) == [
        (1, 10, "html", "https://a.org"),
        (2, 11, "html", "/i.png"),
        (2, 27, "html", "/i.png"),
        (2, 38, "html", "/i@2x.png"),
        (3, 15, "html", "/p.jpg"),
        (3, 26, "html", "/v.mp4"),
        (4, 19, "html", "https://q.org"),
        (4, 62, "html", "custom.jpg"),
    ]


def test_entities_are_decoded_in_values() -> None:
    [link] = extract_html_file("p.html", '<a href="https://x.org/?a=1&amp;b=2">x</a>')
    assert link.raw == "https://x.org/?a=1&amp;b=2"
    assert link.url == "https://x.org/?a=1&b=2"


def test_comments_scripts_styles_and_duplicate_attributes_yield_nothing_extra() -> None:
    text = (
        "<!-- <a href='https://comment.org'>x</a> -->\n"
        "<script>var s = '<a href=\"https://script.org\">';</script>\n"
        "<style>a { background: url(https://style.org/x.png) }</style>\n"
        '<a href="https://first.org" href="https://second.org">x</a>\n'
        "<title>https://title.org</title>\n"
    )
    assert found(text) == [(4, 10, "html", "https://first.org")]


def test_bare_urls_in_text_but_not_in_code_or_anchor_text() -> None:
    text = (
        "<p>见https://text.org。</p>\n"
        "<pre>curl https://pre.org</pre><code>https://code.org</code>\n"
        '<a href="https://a.org">https://a.org</a>\n'
    )
    assert found(text) == [(1, 5, "bare", "https://text.org"), (3, 10, "html", "https://a.org")]


def test_lexbor_is_the_authority_on_what_exists() -> None:
    text = '<a href="https://a.org" href="https://b.org">'
    scan = scan_html(text, with_bare_text=False)
    # The tokenizer already keeps the first of duplicates; lexbor agrees with what is left.
    assert [u.url for u in confirmed_by_parser(text, scan.attributes)] == ["https://a.org"]


def test_unclosed_markup_does_not_crash_or_invent_links() -> None:
    assert found('<a href="https://a.org"') == []
    assert found("<!-- <a href=https://x.org>") == []
