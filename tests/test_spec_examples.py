"""Every CommonMark 0.31.2 example, and GFM's autolink-extension examples: the destinations
we extract equal the href/src attributes of the spec's reference HTML."""

from __future__ import annotations

import html
import json
from collections import Counter
from urllib.parse import quote, unquote

import pytest
from selectolax.lexbor import LexborHTMLParser

from linkcheck.extract.markdown import extract_markdown

from .conftest import REPO

TESTDATA = REPO / "tests" / "data" / "spec"  # the specs' examples, CC-BY-SA (README there)


def _load(name: str) -> list[dict[str, object]]:
    return json.loads((TESTDATA / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _same_form(url: str) -> str:
    """One spelling for equal URLs: the spec's HTML percent-encodes, sources need not."""
    return quote(unquote(html.unescape(url)), safe="/:?#[]@!$&'()*+,;=~-._")


def _reference_urls(reference_html: str) -> Counter[str]:
    tree = LexborHTMLParser(reference_html)
    urls: Counter[str] = Counter()
    for node in tree.css("[href], [src]"):
        for attribute in ("href", "src"):
            value = node.attributes.get(attribute)
            if value:  # an empty destination points nowhere to check; we skip it
                urls[_same_form(value)] += 1
    return urls


def _extracted_urls(markdown: str, *, bare_urls: bool) -> Counter[str]:
    links = extract_markdown("example.md", markdown, bare_urls=bare_urls, math=False)
    return Counter(_same_form(link.url) for link in links)


COMMONMARK = _load("commonmark-0.31.2.json")
GFM_AUTOLINKS = [e for e in _load("gfm-0.29.json") if e.get("extension") == "autolink"]


@pytest.mark.parametrize("example", COMMONMARK, ids=lambda e: f"cm{e['example']}")
def test_commonmark_example(example: dict[str, str]) -> None:
    expected = _reference_urls(example["html"])
    extracted = _extracted_urls(example["markdown"], bare_urls=False)
    # A reference used twice is one link, written once, at its definition.
    assert set(extracted) == set(expected)
    assert all(extracted[url] <= expected[url] for url in extracted)


@pytest.mark.parametrize("example", GFM_AUTOLINKS, ids=lambda e: f"gfm{e['example']}")
def test_gfm_autolink_example(example: dict[str, str]) -> None:
    assert _extracted_urls(example["markdown"], bare_urls=True) == _reference_urls(example["html"])


def test_the_suites_are_all_there() -> None:
    assert len(COMMONMARK) == 655
    assert len(GFM_AUTOLINKS) == 11


ALL_EXAMPLES = COMMONMARK + _load("gfm-0.29.json")


@pytest.mark.parametrize("example", ALL_EXAMPLES, ids=lambda e: f"ex{e['example']}")
def test_every_link_is_written_where_it_is_reported(example: dict[str, str]) -> None:
    text = example["markdown"]
    line_starts = [0]
    line_starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    for link in extract_markdown("example.md", text):
        start = line_starts[link.line - 1] + link.column - 1
        assert text[start : start + len(link.raw)] == link.raw, link
