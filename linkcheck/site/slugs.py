"""Heading ids in each generator's own dialect: the anchors a page will really have.

Each function takes a heading's text as written in the source and the ids already given on
the page, and returns the id the generator emits, numbered as it numbers duplicates.

* ``kramdown``: kramdown's own parser (``kramdown.input: kramdown``). Leading characters up
  to the first ASCII letter are dropped, then everything but ASCII letters, digits, spaces
  and ``-``; spaces become ``-``, the result is lower-cased; an empty id is ``section``; a
  repeat gets ``-1``, ``-2`` … (kramdown's Converter::Base#generate_id, and its
  documentation of the auto_ids option).
* ``kramdown-gfm``: what Jekyll uses by default (``kramdown.input: GFM``, the
  kramdown-parser-gfm gem): lower-cased, everything but Unicode word characters (letters,
  marks, decimal digits, connector punctuation), ``-``, spaces and tabs dropped; spaces and
  tabs become ``-``; a repeat gets ``-1``, ``-2`` …; CJK headings keep their characters.
* ``github``: GitHub's rendering of Markdown files: lower-cased, punctuation other than
  ``-`` and ``_`` dropped (Unicode letters and digits kept), spaces become ``-``; a repeat
  gets ``-1``, ``-2`` … (github/cmark-gfm's documentation of heading anchors, as followed
  by github-slugger); also Hugo's goldmark default (``autoHeadingIDType: github``).
* ``github-ascii``: Hugo's ``autoHeadingIDType: github-ascii``: the same, with accents
  dropped and other non-ASCII characters removed.
* ``mkdocs``: Python-Markdown's toc extension, MkDocs' default (its documented
  ``slugify``): accents dropped and other non-ASCII characters removed, then everything but
  word characters, spaces and ``-``, lower-cased, runs of spaces and ``-`` made one ``-``;
  a repeat, or an id left empty (a Chinese heading), gets ``_1``, ``_2`` ….
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

DIALECTS = ("kramdown", "kramdown-gfm", "github", "github-ascii", "mkdocs")

_LEADING_NON_LETTERS = re.compile(r"^[^a-zA-Z]+")
_NOT_KRAMDOWN_ID = re.compile(r"[^a-zA-Z0-9 -]")
# Ruby's \p{Word}: letters, marks, decimal numbers and connector punctuation.
_WORD_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Pc"})


def _kramdown(text: str) -> str:
    return _NOT_KRAMDOWN_ID.sub("", _LEADING_NON_LETTERS.sub("", text)).replace(" ", "-").lower()


def _kramdown_gfm(text: str) -> str:
    kept = (
        ch for ch in text.lower() if ch in "- \t" or unicodedata.category(ch) in _WORD_CATEGORIES
    )
    return "".join(kept).replace(" ", "-").replace("\t", "-")


def _github(text: str) -> str:
    return _github_kept(text.strip().lower())


def _github_ascii(text: str) -> str:
    # Trimmed before the other scripts go, so "深度学习 notes" keeps its hyphen: "-notes".
    trimmed = unicodedata.normalize("NFKD", text.strip()).encode("ascii", "ignore").decode()
    return _github_kept(trimmed.lower())


def _github_kept(text: str) -> str:
    kept = (ch for ch in text if ch in "-_ " or unicodedata.category(ch)[0] in "LNM")
    return "".join(kept).replace(" ", "-")


def _mkdocs(text: str) -> str:
    ascii_only = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_only).strip().lower())


_BASES: dict[str, Callable[[str], str]] = {
    "kramdown": _kramdown,
    "kramdown-gfm": _kramdown_gfm,
    "github": _github,
    "github-ascii": _github_ascii,
    "mkdocs": _mkdocs,
}


class HeadingIds:
    """The ids one page's headings get, in order, duplicates numbered."""

    def __init__(self, dialect: str) -> None:
        if dialect not in _BASES:
            raise ValueError(f"unknown slug dialect {dialect!r}: one of {', '.join(DIALECTS)}")
        self._dialect = dialect
        self._base = _BASES[dialect]
        self._seen: dict[str, int] = {}

    def next(self, text: str) -> str:
        base = self._base(text)
        if self._dialect == "mkdocs":
            return self._unique_mkdocs(base)
        if self._dialect == "kramdown" and not base:
            base = "section"
        count = self._seen.get(base)
        self._seen[base] = 0 if count is None else count + 1
        return base if count is None else f"{base}-{count + 1}"

    def _unique_mkdocs(self, slug: str) -> str:
        """Python-Markdown's toc unique(): "x" then "x_1", "x_2"; an empty id is "_1"."""
        while slug in self._seen or not slug:
            numbered = re.match(r"^(.*)_([0-9]+)$", slug)
            slug = f"{numbered.group(1)}_{int(numbered.group(2)) + 1}" if numbered else f"{slug}_1"
        self._seen[slug] = 0
        return slug
