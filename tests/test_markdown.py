"""Markdown extraction: each construct, with exact positions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract.markdown import LONE_URL, extract_markdown
from linkcheck.extract.urls import find_bare_urls
from linkcheck.models import LinkKind, Scope


def found(text: str) -> list[tuple[int, int, str, str]]:
    return [
        (link.line, link.column, link.kind.value, link.raw)
        for link in extract_markdown("post.md", text)
    ]


def urls(text: str) -> list[str]:
    return [link.url for link in extract_markdown("post.md", text)]


def test_inline_link_with_title_and_text() -> None:
    [link] = extract_markdown("post.md", 'See [the paper](https://arxiv.org/abs/1 "Title") now.')
    assert (link.line, link.column, link.kind, link.url, link.text) == (
        1,
        17,
        LinkKind.INLINE,
        "https://arxiv.org/abs/1",
        "the paper",
    )


def test_angle_brackets_and_balanced_parentheses() -> None:
    assert found("[a](<https://x.org/a b>) [m](http://w.org/Matrix_(mathematics))") == [
        (1, 6, "inline", "https://x.org/a b"),
        (1, 30, "inline", "http://w.org/Matrix_(mathematics)"),
    ]


def test_escapes_and_entities_are_decoded_in_url_not_in_raw() -> None:
    [link] = extract_markdown("post.md", r"[a](https://x.org/a\_b?c=1&amp;d=2)")
    assert link.raw == r"https://x.org/a\_b?c=1&amp;d=2"
    assert link.url == "https://x.org/a_b?c=1&d=2"


def test_images_report_their_source_and_alt_text() -> None:
    [image] = extract_markdown("post.md", "x\n\n  ![a **cat**](/images/cat.png)")
    assert (image.line, image.column, image.kind, image.scope, image.text) == (
        3,
        16,
        LinkKind.IMAGE,
        Scope.LOCAL,
        "a **cat**",
    )


def test_links_inside_image_alt_text_are_not_links() -> None:
    assert urls("![see [x](https://inner.org)](/img.png)") == ["/img.png"]


def test_image_inside_link() -> None:
    assert found("[![moon](moon.jpg)](https://moon.org)") == [
        (1, 10, "image", "moon.jpg"),
        (1, 21, "inline", "https://moon.org"),
    ]


def test_reference_links_in_all_three_forms_resolve_case_insensitively() -> None:
    text = (
        "[full][ID] [collapsed][] [shortcut]\n\n"
        "[id]: https://a.org/1\n"
        "[COLLAPSED]: https://a.org/2\n"
        "[Shortcut]:\n  <https://a.org/3>\n"
    )
    assert found(text) == [
        (3, 7, "reference", "https://a.org/1"),
        (4, 14, "reference", "https://a.org/2"),
        (6, 4, "reference", "https://a.org/3"),
    ]


def test_a_reference_used_twice_is_one_link_at_its_definition() -> None:
    assert found("[a] and [a]\n\n[a]: https://a.org\n") == [(3, 6, "reference", "https://a.org")]


def test_unused_definitions_and_undefined_references_are_not_links() -> None:
    assert found("[nothing] here\n\n[unused]: https://unused.org\n") == []


def test_definitions_inside_block_quotes() -> None:
    assert found("> [a]: https://a.org\n\n[a]") == [(1, 8, "reference", "https://a.org")]


def test_autolinks() -> None:
    assert [
        (link.kind, link.url, link.scope)
        for link in extract_markdown("p.md", "<https://a.org/x> <me@a.org> <mailto:me@b.org>")
    ] == [
        (LinkKind.AUTOLINK, "https://a.org/x", Scope.EXTERNAL),
        (LinkKind.AUTOLINK, "mailto:me@a.org", Scope.MAIL),
        (LinkKind.AUTOLINK, "mailto:me@b.org", Scope.MAIL),
    ]


def test_bare_urls_in_prose_lists_quotes_headings_and_tables() -> None:
    text = (
        "# Title https://h.org #\n"
        "\n"
        "- item https://l.org\n"
        ">https://q.org\n"
        "\n"
        "| Java | Cage | http://akiraly.github.io/cage/ |\n"
        "|---|---|---|\n"
        "| http://c.org | x | http://c.org |\n"
    )
    assert found(text) == [
        (1, 9, "bare", "https://h.org"),
        (3, 8, "bare", "https://l.org"),
        (4, 2, "bare", "https://q.org"),
        (6, 17, "bare", "http://akiraly.github.io/cage/"),
        (8, 3, "bare", "http://c.org"),
        (8, 22, "bare", "http://c.org"),
    ]


def test_raw_html_in_markdown() -> None:
    text = (
        'Text <a href="https://a.org/?x=1&amp;y=2">https://a.org/?x=1&amp;y=2</a><br/>\n'
        "\n"
        '<div><img src="/i.png" srcset="/i.png 1x, /i2.png 2x"> https://in-block.org</div>\n'
    )
    links = extract_markdown("p.md", text)
    assert [(link.line, link.column, link.kind.value, link.url) for link in links] == [
        (1, 15, "html", "https://a.org/?x=1&y=2"),
        (3, 16, "html", "/i.png"),
        (3, 32, "html", "/i.png"),
        (3, 43, "html", "/i2.png"),
        (3, 56, "bare", "https://in-block.org"),
    ]


def test_code_is_never_extracted() -> None:
    text = (
        "```\nhttps://fenced.org\n```\n\n"
        "~~~ python\n[a](https://tilde.org)\n~~~\n\n"
        "    https://indented.org\n\n"
        "`https://inline-code.org` and ``[x](https://double.org)``\n"
    )
    assert found(text) == []


def test_math_is_never_extracted() -> None:
    text = (
        "$$[T](x,y)$$ and $[f](z)$\n\n"
        "$$\n\\text{https://display.org} [g](h)\n$$\n\n"
        "Prices like $5 and $10 keep https://kept.org\n"
    )
    assert found(text) == [(7, 29, "bare", "https://kept.org")]


def test_front_matter_is_never_extracted_and_lines_still_count() -> None:
    yaml = "---\ntitle: x\ncover: https://cover.org/a.png\n---\nhttps://body.org\n"
    toml = "+++\ncover = 'https://cover.org/b.png'\n+++\n\nhttps://body.org\n"
    assert found(yaml) == [(5, 1, "bare", "https://body.org")]
    assert found(toml) == [(5, 1, "bare", "https://body.org")]


def test_html_comments_and_kramdown_attribute_lists_are_never_extracted() -> None:
    text = '* toc\n{:toc}\n\n<!-- https://c.org -->\n\nText <!-- https://d.org --> {: data-x="https://e.org"}\n'
    assert found(text) == []


def test_urls_in_link_text_are_not_reported_twice() -> None:
    assert found("[https://a.org](https://a.org)") == [(1, 17, "inline", "https://a.org")]


def test_positions_count_code_points_not_bytes() -> None:
    assert found("中文中文 https://a.org\n𝕏𝕏 [x](https://b.org)") == [
        (1, 6, "bare", "https://a.org"),
        (2, 8, "inline", "https://b.org"),
    ]


def test_crlf_and_tabs() -> None:
    assert found("a\r\n\r\n-\t[x](https://a.org)\r\nb https://b.org\r\n") == [
        (3, 7, "inline", "https://a.org"),
        (4, 3, "bare", "https://b.org"),
    ]
    # A tab is four columns: this line is an indented code block.
    assert found("a\n\n\t[x](https://a.org)\n") == []


def test_bare_urls_with_html_escapes_are_unescaped() -> None:
    [link] = extract_markdown("p.md", "https://mp.weixin.qq.com/s?__biz=M==&amp;mid=1&amp;idx=1")
    assert link.url == "https://mp.weixin.qq.com/s?__biz=M==&mid=1&idx=1"


def test_empty_destination_is_not_a_link() -> None:
    assert found("[a]() [b](<>)") == []


def test_scopes() -> None:
    text = "[a](#top) [b](javascript:alert(1)) [c](//cdn.org/x) [d](../x.md) [e](ftp://f.org)"
    assert [link.scope.value for link in extract_markdown("p.md", text)] == [
        "fragment",
        "other",
        "external",
        "local",
        "external",
    ]


@pytest.mark.parametrize("depth", [10, 25, 60, 500])
def test_links_nested_deep_are_still_found(depth: int) -> None:
    """markdown-it's preset dropped everything past 20 levels (9 nested lists) in silence."""
    quote = ">" * depth + " [a](https://example.com/quote) and https://example.com/bare\n"
    found = {(link.url, link.line) for link in extract_markdown("p.md", quote)}
    assert found == {("https://example.com/quote", 1), ("https://example.com/bare", 1)}
    items = "".join("  " * i + "- item\n" for i in range(depth))
    items += "  " * depth + "- see [a](https://example.com/list)\n"
    [link] = extract_markdown("p.md", items)
    assert (link.url, link.line) == ("https://example.com/list", depth + 1)
    assert items.splitlines()[depth][link.column - 1 :].startswith("https://example.com/list")


@settings(max_examples=300)
@given(st.from_regex(LONE_URL, fullmatch=True))
def test_a_paragraph_that_is_one_url_is_taken_whole_as_the_scanner_would(url: str) -> None:
    """The fast path for a URL alone in its paragraph agrees with the general scanner."""
    assert [(b.start, b.raw, b.url) for b in find_bare_urls(url)] == [(0, url, url)]
    if set(url) & set("`$*_\\&<[]!{~"):  # Markdown syntax: the paragraph is more than text
        return
    [link] = extract_markdown("post.md", f"text\n\n{url}\n")
    assert (link.line, link.column, link.raw, link.url) == (3, 1, url, url)


@pytest.mark.parametrize(
    "paragraph",
    [
        "https://example.com/a.",
        "https://example.com/a)",
        "https://example.com/a&amp;",
        "https://example.com/a_",
        "http://user@example.com/",
        "https://example.com/中文",
    ],
)
def test_a_url_the_fast_path_leaves_to_the_scanner_is_still_found(paragraph: str) -> None:
    assert LONE_URL.fullmatch(paragraph) is None
    expected = [b.raw for b in find_bare_urls(paragraph)]
    assert [link.raw for link in extract_markdown("post.md", paragraph)] == expected


def test_a_kramdown_attribute_list_after_a_url_is_not_part_of_it() -> None:
    assert urls('https://example.com/{:target="_blank"}') == ["https://example.com/"]
