"""Links in Markdown (CommonMark + GFM), with exact source positions.

pulldown-cmark (the parser lychee uses, through the pyromark bindings) gives the structure:
what is code, math or HTML, what is a link and which reference definition a label resolves
to, each event with its UTF-8 byte range in the source. Destinations come decoded from the
parser; where they are *written* is read from the source inside the link's range. Bare URLs
come from our own scanner (``urls.py``), run over each run of inline text with every
construct that is not plain text masked out.

pulldown-cmark and the CommonMark 0.31.2 spec agree on every example's links (and GFM's
tables and strikethrough), so nothing here corrects the parser; tests/test_spec_examples.py
would show a disagreement.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

import pyromark

from ..models import Link, LinkKind, Scope
from .html_scan import confirmed_by_parser, scan_html
from .scope import scope_of
from .urls import Spans, find_bare_urls

_PLAIN = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH
# pulldown-cmark's $…$ follows the rules Pandoc uses (no space just inside the dollars, no
# digit after the closing one), so prices like "$5 and $10" stay text and keep their links.
_WITH_MATH = _PLAIN | pyromark.Options.ENABLE_MATH
# Inline elements: they and their text belong to the run of inline content around them.
_INLINE_TAGS = frozenset(
    {"Emphasis", "Strong", "Strikethrough", "Superscript", "Subscript", "Link", "Image"}
)
_MASKED_INLINE = frozenset({"Code", "InlineMath", "DisplayMath", "InlineHtml", "FootnoteReference"})
# What every bare URL holds (urls.py), searched once over the document's bytes: runs of
# text without it are never decoded or scanned.
_BARE_URL_MARK = re.compile(rb"://|www\.|@")
# kramdown inline attribute lists ({:toc}, {: .class}, {:target="_blank"}) are not text.
_KRAMDOWN_IAL = re.compile(r"\{:[^}\n]*\}")
# A continuation line's container prefix ("> > ") and indentation. Inline text never starts
# a line with ">" (that would open a block quote), so this never blanks text.
_CONTINUATION_PREFIX = re.compile(r"\n[ \t>]+")
# A run that is one plain ASCII URL and nothing else, the commonest run of a blog that
# writes its links bare on their own lines: urls.py would find exactly this text, so it is
# taken whole (tests/test_markdown.py checks the two agree).
LONE_URL = re.compile(
    r"(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp])://[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9-])?"
    r"(?::[0-9]+)?"
    r"(?:[/?#][!-;=-Z\\^-~]*[A-Za-z0-9/=#&%+\\^`|{}$-])?"
)
_HTML_ANCHOR_OPEN = re.compile(r"<a[\s>]", re.I)
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_FRONT_MATTER = re.compile(
    r"\A(?:---[ \t]*\n.*?\n(?:---|\.\.\.)|\+\+\+[ \t]*\n.*?\n\+\+\+)[ \t]*(?:\n|\Z)", re.S
)


class _Source:
    """The document as text and as the UTF-8 bytes the parser's ranges count.

    Offsets are converted by moving a cursor from the last one converted: the parser's
    events come in source order, so each conversion reads only the text in between.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode()
        self.ascii = len(self.data) == len(text)
        self._byte = self._char = 0  # the byte cursor and its offset in code points
        self._at = self._line = 0  # the line cursor: an offset and its 0-based line
        self._line_start = 0

    def char_of(self, byte: int) -> int:
        if self.ascii:
            return byte
        if byte >= self._byte:
            char = self._char + len(self.data[self._byte : byte].decode())
        else:
            char = self._char - len(self.data[byte : self._byte].decode())
        self._byte, self._char = byte, char
        return char

    def position(self, char: int) -> tuple[int, int]:
        """1-based (line, column) in code points."""
        text, at = self.text, self._at
        if char >= at:
            crossed = text.count("\n", at, char)
            if crossed:
                self._line += crossed
                self._line_start = text.rfind("\n", at, char) + 1
        else:
            crossed = text.count("\n", char, at)
            if crossed:
                self._line -= crossed
                self._line_start = text.rfind("\n", 0, char) + 1
        self._at = char
        return self._line + 1, char - self._line_start + 1

    def slice(self, start: int, end: int) -> str:
        return self.data[start:end].decode()


@dataclass(slots=True)
class _OpenLink:
    kind: str  # "Link" or "Image"
    start: int
    end: int
    info: dict[str, str]
    label_end: int = -1  # byte offset of the "]" closing the link text


@dataclass(slots=True)
class _Run:
    """A stretch of inline content (a paragraph, heading, table cell or tight list item),
    with the byte ranges in it that are not plain text."""

    start: int = -1
    end: int = -1
    masked: list[tuple[int, int]] = field(default_factory=list)
    anchor_opened: int = -1  # end of an inline <a …> whose </a> is still to come

    def extend(self, start: int, end: int) -> None:
        if self.start < 0:
            self.start = start
        self.end = max(self.end, end)


@dataclass(slots=True)
class _Definition:
    label: str
    destination: str
    start: int
    end: int
    used: bool = False
    used_text: str | None = None


@dataclass(slots=True)
class _Document:
    path: str
    source: _Source
    bare_urls: bool
    links: list[Link] = field(default_factory=list)
    runs: list[_Run] = field(default_factory=list)

    def add(self, char: int, kind: LinkKind, raw: str, url: str, text: str | None = None) -> None:
        if not url:
            return
        line, column = self.source.position(char)
        self.links.append(Link(self.path, line, column, kind, scope_of(url), raw, url, text))


def _normalise_label(label: str) -> str:
    # CommonMark: labels match after Unicode case folding and collapsing whitespace.
    return " ".join(label.split()).casefold()


def blank_front_matter(text: str) -> str:
    """YAML (---) or TOML (+++) front matter becomes empty lines, keeping line numbers."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return text
    return "\n" * match.group().count("\n") + text[match.end() :]


def extract_markdown(
    path: str, text: str, *, bare_urls: bool = True, math: bool = True
) -> list[Link]:
    """Every link in a Markdown document, in source order.

    bare_urls=False and math=False give plain CommonMark (the spec's own examples).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    body = blank_front_matter(text)
    doc = _Document(path, _Source(body), bare_urls)
    options = _WITH_MATH if math else _PLAIN
    definitions = {
        _normalise_label(label): _Definition(
            label, value["dest"], value["span"]["start"], value["span"]["end"]
        )
        for label, value in pyromark.reference_definitions(body, options=options).items()
    }
    _walk(doc, pyromark.events_with_range(body, options=options, merge_text=True), definitions)
    if bare_urls:
        _bare_urls(doc)
    for definition in definitions.values():
        if definition.used:
            _reference_link(doc, definition)
    return sorted(doc.links, key=lambda link: (link.line, link.column))


def _walk(doc: _Document, events: Any, definitions: dict[str, _Definition]) -> None:
    """One pass over the parser's events: links as they close, runs of inline text as
    block structure ends them, HTML blocks whole. Text events, nearly all of them, take
    the first branch and touch nothing but the run's end."""
    run = _Run()
    links: list[_OpenLink] = []
    skipping: str | None = None  # inside a code block, or an image's alt text
    skip_depth = 0
    html_block: list[tuple[int, int]] | None = None
    previous_end = 0
    for event, span in events:
        if type(event) is str:  # SoftBreak, HardBreak, Rule
            if event == "Rule" and run.start >= 0:
                doc.runs.append(run)
                run = _Run()
            previous_end = span["end"]
            continue
        (key,) = event
        if key == "Text":
            if skipping is None:
                if run.start < 0:
                    run.start = span["start"]
                run.end = span["end"]
            previous_end = span["end"]
            continue
        start, end = span["start"], span["end"]
        value = event[key]
        if key == "Start" or key == "End":
            tag = value if type(value) is str else next(iter(value))
            if skipping is not None:
                if tag == skipping:
                    skip_depth += 1 if key == "Start" else -1
                    if skip_depth == 0:
                        skipping = None
                        if tag == "Image":
                            _close_link(doc, links.pop(), previous_end, run, definitions)
            elif tag in _INLINE_TAGS:
                run.extend(start, end)
                if key == "Start" and (tag == "Link" or tag == "Image"):
                    links.append(_OpenLink(tag, start, end, value[tag]))
                    if tag == "Image":  # alt text is plain text, whatever it looks like
                        skipping, skip_depth = "Image", 1
                elif key == "End" and tag == "Link":
                    _close_link(doc, links.pop(), previous_end, run, definitions)
            else:  # block structure ends the run
                if run.start >= 0:
                    doc.runs.append(run)
                    run = _Run()
                if tag == "CodeBlock" and key == "Start":
                    skipping, skip_depth = "CodeBlock", 1
                elif tag == "HtmlBlock":
                    if key == "Start":
                        html_block = []
                    elif html_block:
                        _html_block_links(doc, html_block)
                        html_block = None
        elif skipping is not None:
            pass
        elif key == "Html" and html_block is not None:
            html_block.append((start, end))
        elif key in _MASKED_INLINE or key == "Html":
            run.extend(start, end)
            run.masked.append((start, end))
            if key == "InlineHtml" or key == "Html":
                _inline_html(doc, run, start, end)
        previous_end = end
    if run.start >= 0:
        doc.runs.append(run)


def _close_link(
    doc: _Document,
    link: _OpenLink,
    previous_end: int,
    run: _Run,
    definitions: dict[str, _Definition],
) -> None:
    """A link or image is complete: report its destination where it is written, or mark
    the reference definition it used."""
    run.masked.append((link.start, link.end))
    opening = 2 if link.kind == "Image" else 1
    # The last event inside the link ends where its text ends; with no event inside, the
    # previous event was the link's own start.
    label_end = link.start + opening if previous_end >= link.end else previous_end
    source = doc.source
    link_type = link.info["link_type"]
    text = source.slice(link.start + opening, label_end).strip() or None
    if link_type in ("Autolink", "Email"):
        raw = source.slice(link.start + 1, link.end - 1)
        url = "mailto:" + raw if link_type == "Email" else raw
        doc.add(source.char_of(link.start + 1), LinkKind.AUTOLINK, raw, url)
        return
    if link_type == "Inline":
        kind = LinkKind.IMAGE if link.kind == "Image" else LinkKind.INLINE
        _inline_destination(doc, link, label_end, kind, text)
        return
    definition = definitions.get(_normalise_label(link.info["id"]))
    if definition is not None and not definition.used:
        definition.used = True
        definition.used_text = text


def _inline_destination(
    doc: _Document, link: _OpenLink, label_end: int, kind: LinkKind, text: str | None
) -> None:
    url = link.info["dest_url"]
    if not url:
        return
    source = doc.source
    tail = source.slice(label_end, link.end)  # "](destination 'title')"
    opening = tail.find("](")
    if opening < 0:
        return
    written = _written_destination(tail, _skip_space(tail, opening + 2))
    if written is not None:
        raw, start = written
        doc.add(source.char_of(label_end) + start, kind, raw, url, text)


def _skip_space(text: str, pos: int, also: str = "") -> int:
    while pos < len(text) and (text[pos] in " \t\n" or text[pos] in also):
        pos += 1
    return pos


def _written_destination(text: str, pos: int) -> tuple[str, int] | None:
    """The destination written at text[pos:] (without its <angle brackets>) and where it
    starts, or None when none is written there."""
    found = _destination(text, pos)
    if found is None:
        return None
    start, end = found
    raw = text[start:end]
    return (raw[1:-1], start + 1) if raw.startswith("<") else (raw, start)


def _destination(text: str, pos: int) -> tuple[int, int] | None:
    """Where a CommonMark link destination written at text[pos:] starts and ends."""
    if text.startswith("<", pos):
        i = pos + 1
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                i += 2
            elif ch == ">":
                return pos, i + 1
            elif ch in "<\n":
                return None
            else:
                i += 1
        return None
    depth = 0
    i = pos
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in _ASCII_PUNCTUATION:
            i += 2
            continue
        if ch <= " " or ch == "\x7f":
            break
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        i += 1
    return (pos, i) if i > pos and depth == 0 else None


def _reference_link(doc: _Document, definition: _Definition) -> None:
    """A used reference definition, reported once where its destination is written."""
    source = doc.source
    written = source.slice(definition.start, definition.end)
    pos = _after_label(written)
    if pos is None:
        return
    found = _written_destination(written, _skip_space(written, pos, also=">"))
    if found is not None:
        raw, start = found
        char = source.char_of(definition.start) + start
        doc.add(char, LinkKind.REFERENCE, raw, definition.destination, definition.used_text)


def _after_label(source: str) -> int | None:
    """Offset just past the "]:" that closes a definition's label (escapes respected)."""
    pos = source.find("[")
    if pos < 0:
        return None
    pos += 1
    while pos < len(source):
        ch = source[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch == "]":
            return pos + 2 if source.startswith("]:", pos) else None
        pos += 1
    return None


def _inline_html(doc: _Document, run: _Run, start: int, end: int) -> None:
    """A tag written inline: its URL attributes, and the text an <a> wraps kept quiet (its
    URLs are the anchor's label, not links)."""
    piece = doc.source.slice(start, end)
    if _HTML_ANCHOR_OPEN.match(piece):
        run.anchor_opened = end
    elif piece[:3].lower() == "</a" and run.anchor_opened >= 0:
        run.masked.append((run.anchor_opened, start))
        run.anchor_opened = -1
    _html_links(doc, piece, doc.source.char_of(start), confirm=False, bare=False)


def _html_block_links(doc: _Document, lines: list[tuple[int, int]]) -> None:
    """An HTML block, its container prefixes blanked so offsets still match the source."""
    source = doc.source
    first = source.char_of(lines[0][0])
    parts: list[str] = []
    cursor = first
    for start, end in lines:
        char_start, char_end = source.char_of(start), source.char_of(end)
        parts.append(re.sub(r"[^\n]", " ", source.text[cursor:char_start]))
        parts.append(source.text[char_start:char_end])
        cursor = char_end
    _html_links(doc, "".join(parts), first, confirm=True, bare=doc.bare_urls)


def _html_links(doc: _Document, html_text: str, base: int, *, confirm: bool, bare: bool) -> None:
    scan = scan_html(html_text, with_bare_text=bare)
    attributes = confirmed_by_parser(html_text, scan.attributes) if confirm else scan.attributes
    for url in attributes:
        doc.add(base + url.offset, LinkKind.HTML, url.raw, url.url)
    for found in scan.bare:
        doc.add(base + found.start, LinkKind.BARE, found.raw, _unescape_amp(found.url))


def _bare_urls(doc: _Document) -> None:
    """Bare URLs in the runs of inline text that hold the mark of one."""
    runs = doc.runs
    starts = [run.start for run in runs]
    scanned = -1
    for mark in _BARE_URL_MARK.finditer(doc.source.data):
        i = bisect_right(starts, mark.start()) - 1
        if i > scanned and mark.start() < runs[i].end:
            scanned = i
            _run_bare_urls(doc, runs[i])


def _run_bare_urls(doc: _Document, run: _Run) -> None:
    source = doc.source
    text = source.slice(run.start, run.end)
    if not run.masked and LONE_URL.fullmatch(text) is not None and "{:" not in text:
        line, column = source.position(source.char_of(run.start))
        url = _unescape_amp(text)
        doc.links.append(Link(doc.path, line, column, LinkKind.BARE, Scope.EXTERNAL, text, url))
        return
    if "\n" in text:
        text = _CONTINUATION_PREFIX.sub(lambda m: "\n" + " " * (len(m.group()) - 1), text)
    base = source.char_of(run.start)
    masked = [(source.char_of(s) - base, source.char_of(e) - base) for s, e in run.masked]
    if "{:" in text:
        masked.extend(m.span() for m in _KRAMDOWN_IAL.finditer(text))
    for bare in find_bare_urls(text, Spans(masked)):
        doc.add(base + bare.start, LinkKind.BARE, bare.raw, _unescape_amp(bare.url))


def _unescape_amp(url: str) -> str:
    # A literal "&amp;" in a bare URL is a pasted HTML escape (long WeChat links:
    # docs/SOURCES.md [W2]).
    return url.replace("&amp;", "&")
