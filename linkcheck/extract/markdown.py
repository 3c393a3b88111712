"""Links in Markdown (CommonMark + GFM), with exact source positions.

markdown-it-py gives the spec-exact structure (what is code, what is a link, which reference
definition a label resolves to) but no positions for inline tokens. We wrap the inline rules
that make links so each records the offsets it consumed in the inline source, then map those
offsets back to the file's lines. Bare URLs come from our own scanner (``urls.py``), run over
the inline source with every construct that is not plain text masked out.

Speed: inline parsing is the costly half of markdown-it. A paragraph without ``[ < ` $`` can
hold no link, image, autolink, HTML, code span or math, so its only links are bare URLs and
we scan it directly. In a blog whose links are bare URLs on their own lines, that is nearly
every paragraph (../shared/reference/corpus.md: 99.7% bare URLs).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import isStrSpace, normalizeReference, unescapeAll
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ..models import Link, LinkKind
from .html_scan import confirmed_by_parser, scan_html
from .scope import scope_of
from .urls import Spans, find_bare_urls

_SPANS_KEY = "linkcheck_spans"
_TOO_DEEP_KEY = "linkcheck_too_deep"
# markdown-it's CommonMark preset stops at 20 levels (9 nested lists) and silently drops
# what is deeper; the spec has no limit. Its block parser handles this depth well; deeper
# still, the lines are read by the bare-URL scanner (_too_deep_links) rather than lost.
_MAX_NESTING = 100
_DEFINITIONS_KEY = "linkcheck_definitions"
_NEEDS_INLINE_PARSE = re.compile(r"[\[<`$]")
# Text without any of these holds no link of any kind: skip it without further work.
_MAY_HOLD_LINK = re.compile(r"[\[<`$:@]|www\.")
# kramdown inline attribute lists ({:toc}, {: .class}, {:target="_blank"}) are not text.
_KRAMDOWN_IAL = re.compile(r"\{:[^}\n]*\}")
_FRONT_MATTER = re.compile(
    r"\A(?:---[ \t]*\n.*?\n(?:---|\.\.\.)|\+\+\+[ \t]*\n.*?\n\+\+\+)[ \t]*(?:\n|\Z)", re.S
)


@dataclass(slots=True)
class _Span:
    """What one inline rule consumed: src[start:end] of the inline source."""

    kind: str  # "link", "image", "autolink", "html", "mask"
    start: int
    end: int
    token: Token | None = None
    destination: tuple[int, int] | None = None  # raw destination of an inline link/image
    label: str | None = None  # normalised reference label
    label_end: int = -1  # offset of the "]" closing the link text


@dataclass(slots=True)
class _Definition:
    start_line: int
    end_line: int
    used_text: str | None = None
    used: bool = False


@dataclass(slots=True)
class _Document:
    path: str
    lines: list[str]
    links: list[Link] = field(default_factory=list)


def _recording(
    kind: str, rule: Callable[[StateInline, bool], bool]
) -> Callable[[StateInline, bool], bool]:
    token_type = {
        "link": "link_open",
        "image": "image",
        "autolink": "link_open",
        "html": "html_inline",
    }

    def recorded(state: StateInline, silent: bool) -> bool:
        spans: list[_Span] | None = state.env.get(_SPANS_KEY)
        start = state.pos
        first_new = len(state.tokens)
        if kind == "image":  # the alt text is parsed as a separate source: record nothing there
            state.env[_SPANS_KEY] = None
        try:
            matched = rule(state, silent)
        finally:
            if kind == "image":
                state.env[_SPANS_KEY] = spans
        if not matched or silent or spans is None:
            return matched
        span = _Span(kind, start, state.pos)
        wanted = token_type.get(kind)
        if wanted is not None:
            span.token = next((t for t in state.tokens[first_new:] if t.type == wanted), None)
        if kind in ("link", "image"):
            _describe_link(state, span)
        spans.append(span)
        return matched

    return recorded


def _skip_space(src: str, pos: int, maximum: int) -> int:
    while pos < maximum and (isStrSpace(src[pos]) or src[pos] == "\n"):
        pos += 1
    return pos


def _describe_link(state: StateInline, span: _Span) -> None:
    """Re-trace markdown-it's link rule to learn where the destination is written, or
    which reference label it resolved through."""
    src, maximum = state.src, state.posMax
    bracket = span.start + (1 if span.kind == "image" else 0)
    old_pos = state.pos
    label_end = state.md.helpers.parseLinkLabel(state, bracket, span.kind == "link")
    state.pos = old_pos
    span.label_end = label_end
    pos = label_end + 1
    if pos < maximum and src[pos] == "(":
        pos = _skip_space(src, pos + 1, maximum)
        destination = state.md.helpers.parseLinkDestination(src, pos, maximum)
        if destination.ok:
            dest_start, dest_end = pos, destination.pos
            pos = _skip_space(src, dest_end, maximum)
            title = state.md.helpers.parseLinkTitle(src, pos, maximum)
            if pos < maximum and pos != dest_end and title.ok:
                pos = _skip_space(src, title.pos, maximum)
            if pos < maximum and src[pos] == ")":
                span.destination = (dest_start, dest_end)
                return
        elif pos < maximum and src[pos] == ")":
            span.destination = (pos, pos)
            return
    # Reference form: [text][label], [text][] or [text].
    pos = label_end + 1
    label = None
    if pos < maximum and src[pos] == "[":
        old_pos = state.pos
        second_end = state.md.helpers.parseLinkLabel(state, pos)
        state.pos = old_pos
        if second_end >= 0:
            label = src[pos + 1 : second_end]
    if not label:
        label = src[bracket + 1 : label_end]
    span.label = normalizeReference(label)


def _recording_reference(
    rule: Callable[[StateBlock, int, int, bool], bool],
) -> Callable[[StateBlock, int, int, bool], bool]:
    def recorded(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        known = set(state.env.get("references", {}))
        matched = rule(state, start_line, end_line, silent)
        if matched and not silent:
            definitions: dict[str, _Definition] = state.env.setdefault(_DEFINITIONS_KEY, {})
            for label in state.env.get("references", {}).keys() - known:
                definitions[label] = _Definition(start_line, state.line)
        return matched

    return recorded


def _wrap(ruler: Any, name: str, wrapper: Callable[[Any], Any]) -> None:
    rule = next(r for r in ruler.__rules__ if r.name == name)
    ruler.at(name, wrapper(rule.fn), {"alt": list(rule.alt)})


@cache
def _parser(math: bool) -> MarkdownIt:
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": True, "maxNesting": _MAX_NESTING})
    md.enable(["table", "strikethrough"])
    # markdown-it refuses javascript:, data: … destinations for safety when rendering; the
    # spec makes them links, and we only list them (scope "other"), never follow them.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    # Pandoc's rules for $…$ (no space inside the dollars, no digit after the closing one)
    # so prices like "$5 and $10" stay text and keep their links.
    rules = [
        ("link", "link"),
        ("image", "image"),
        ("autolink", "autolink"),
        ("html", "html_inline"),
        ("mask", "backticks"),
    ]
    if math:
        md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
        rules.append(("mask", "math_inline"))
    for kind, name in rules:
        _wrap(md.inline.ruler, name, partial(_recording, kind))
    _wrap(md.block.ruler, "reference", _recording_reference)
    md.disable(["inline", "text_join"])  # inline parsing is done per block, when needed
    md.block.tokenize = partial(_noting_too_deep, md.block.tokenize)  # type: ignore[method-assign]
    return md


def _noting_too_deep(
    tokenize: Callable[..., None], state: StateBlock, start: int, end: int, *args: Any
) -> None:
    """markdown-it skips the lines of a block nested past maxNesting: note which."""
    if state.level >= _MAX_NESTING and start < end:
        state.env.setdefault(_TOO_DEEP_KEY, []).append((start, end))
    tokenize(state, start, end, *args)


def _blank_front_matter(text: str) -> str:
    """YAML (---) or TOML (+++) front matter becomes empty lines, keeping line numbers."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return text
    return "\n" * match.group().count("\n") + text[match.end() :]


class _LineMap:
    """Maps offsets in a block's content (container prefixes and indentation stripped by
    the parser) back to source line and column."""

    def __init__(self, content: str, first_line: int, lines: list[str], cursor: int | None) -> None:
        self._starts: list[int] = []  # offset in content where each content line starts
        self._origins: list[tuple[int, int]] = []  # (line index, source column of content char 0)
        offset = 0
        for i, piece in enumerate(content.split("\n")):
            self._starts.append(offset)
            offset += len(piece) + 1
            line_index = min(first_line + i, len(lines) - 1)
            source = lines[line_index]
            stripped = piece.lstrip(" \t")
            lead = len(piece) - len(stripped)
            if cursor is not None and i == 0:  # table cell: content is a slice of the row
                found = source.find(stripped, cursor)
            else:  # content is a suffix of the line, give or take a heading's closing #s
                found = source.rfind(stripped) if stripped else 0
            self._origins.append((line_index, max(found, 0) - lead))

    def position(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self._starts, offset) - 1
        line_index, origin = self._origins[i]
        return line_index + 1, max(origin + offset - self._starts[i], 0) + 1


def _cell_end(lines: list[str], line: int, content: str, cursor: int) -> int:
    found = lines[line].find(content.strip(), cursor) if line < len(lines) else -1
    return cursor if found < 0 else found + len(content.strip())


def extract_markdown(
    path: str, text: str, *, bare_urls: bool = True, math: bool = True
) -> list[Link]:
    """Every link in a Markdown document, in source order.

    bare_urls=False and math=False give plain CommonMark (the spec's own examples).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    body = _blank_front_matter(text)
    md = _parser(math)
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    doc = _Document(path, body.split("\n"))
    definitions: dict[str, _Definition] = env.get(_DEFINITIONS_KEY, {})
    row_cursor: dict[int, int] = {}
    in_cell = False
    for token in tokens:
        if token.type in ("th_open", "td_open"):
            in_cell = True
            continue
        if token.map is None:
            continue
        if token.type == "inline":
            line = token.map[0]
            cursor = row_cursor.get(line, 0) if in_cell else None
            if in_cell:  # later cells of the row are searched for after this one
                row_cursor[line] = _cell_end(doc.lines, line, token.content, cursor or 0)
                in_cell = False
            if _MAY_HOLD_LINK.search(token.content):
                line_map = _LineMap(token.content, line, doc.lines, cursor)
                _inline_links(md, env, token.content, line_map, definitions, doc, bare_urls)
        elif token.type == "html_block":
            line_map = _LineMap(token.content, token.map[0], doc.lines, None)
            _html_links(token.content, line_map, doc, confirm=True, bare=bare_urls)
    _reference_links(md, definitions, doc)
    if bare_urls:
        _too_deep_links(env.get(_TOO_DEEP_KEY, []), doc)
    return sorted(doc.links, key=lambda link: (link.line, link.column))


def _too_deep_links(regions: list[tuple[int, int]], doc: _Document) -> None:
    """Lines nested too deep for the parser: their URLs, found as bare URLs in the raw line
    (container markers and all), so no link there goes unchecked."""
    for start, end in regions:
        for index in range(start, min(end, len(doc.lines))):
            for bare in find_bare_urls(doc.lines[index]):
                url = _unescape_amp(bare.url)
                _add(doc, (index + 1, bare.start + 1), LinkKind.BARE, bare.raw, url)


def _add(
    doc: _Document,
    position: tuple[int, int],
    kind: LinkKind,
    raw: str,
    url: str,
    text: str | None = None,
) -> None:
    if not url:
        return
    line, column = position
    doc.links.append(Link(doc.path, line, column, kind, scope_of(url), raw, url, text))


def _inline_links(
    md: MarkdownIt,
    env: dict[str, Any],
    content: str,
    line_map: _LineMap,
    definitions: dict[str, _Definition],
    doc: _Document,
    bare_urls: bool,
) -> None:
    masked: list[tuple[int, int]] = (
        [m.span() for m in _KRAMDOWN_IAL.finditer(content)] if "{:" in content else []
    )
    if _NEEDS_INLINE_PARSE.search(content):
        spans: list[_Span] = []
        env[_SPANS_KEY] = spans
        md.inline.parse(content, md, env, [])
        env[_SPANS_KEY] = None
        masked.extend((span.start, span.end) for span in spans)
        masked.extend(_html_anchor_text(content, spans))
        for span in spans:
            _span_links(content, span, line_map, definitions, doc)
    if not bare_urls:
        return
    for bare in find_bare_urls(content, Spans(masked)):
        _add(doc, line_map.position(bare.start), LinkKind.BARE, bare.raw, _unescape_amp(bare.url))


def _unescape_amp(url: str) -> str:
    # A literal "&amp;" in a bare URL is a pasted HTML escape (long WeChat links: hosts.md [W2]).
    return url.replace("&amp;", "&")


def _html_anchor_text(content: str, spans: list[_Span]) -> list[tuple[int, int]]:
    """Text between inline <a …> and </a>: its URLs are the anchor's label, not links."""
    quiet: list[tuple[int, int]] = []
    opened: int | None = None
    for span in sorted((s for s in spans if s.kind == "html"), key=lambda s: s.start):
        tag = content[span.start : span.end].lower()
        if re.match(r"<a[\s>]", tag):
            opened = span.end
        elif tag.startswith("</a") and opened is not None:
            quiet.append((opened, span.start))
            opened = None
    return quiet


def _span_links(
    content: str,
    span: _Span,
    line_map: _LineMap,
    definitions: dict[str, _Definition],
    doc: _Document,
) -> None:
    if span.kind == "html":
        _html_links(
            content[span.start : span.end],
            line_map,
            doc,
            confirm=False,
            base=span.start,
            bare=False,
        )
        return
    if span.kind == "autolink" and span.token is not None:
        href = str(span.token.attrGet("href") or "")
        raw = content[span.start + 1 : span.end - 1]
        url = "mailto:" + raw if href.startswith("mailto:") and ":" not in raw else raw
        _add(doc, line_map.position(span.start + 1), LinkKind.AUTOLINK, raw, url)
        return
    if span.kind not in ("link", "image"):
        return
    kind = LinkKind.IMAGE if span.kind == "image" else LinkKind.INLINE
    label_start = span.start + (2 if span.kind == "image" else 1)
    text = _label_text(content, label_start, span)
    if span.destination is not None:
        start, end = span.destination
        raw = content[start:end]
        if raw.startswith("<"):
            raw, start = raw[1:-1], start + 1
        _add(doc, line_map.position(start), kind, raw, unescapeAll(raw), text)
    elif span.label is not None and span.label in definitions:
        definition = definitions[span.label]
        if not definition.used:
            definition.used = True
            definition.used_text = text


def _label_text(content: str, label_start: int, span: _Span) -> str | None:
    return content[label_start : span.label_end].strip() or None


def _reference_links(md: MarkdownIt, definitions: dict[str, _Definition], doc: _Document) -> None:
    """Used reference definitions, reported once each where their destination is written."""
    for definition in definitions.values():
        if not definition.used:
            continue
        block = doc.lines[definition.start_line : definition.end_line]
        source = "\n".join(block)
        pos = _after_label(source)
        if pos is None:
            continue
        while pos < len(source) and source[pos] in " \t\n>":
            pos += 1
        destination = md.helpers.parseLinkDestination(source, pos, len(source))
        if not destination.ok:
            continue
        raw = source[pos : destination.pos]
        if raw.startswith("<"):
            raw, pos = raw[1:-1], pos + 1
        line_offset = source.count("\n", 0, pos)
        column = pos - (source.rfind("\n", 0, pos) + 1)
        position = (definition.start_line + line_offset + 1, column + 1)
        _add(doc, position, LinkKind.REFERENCE, raw, unescapeAll(raw), definition.used_text)


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


def _html_links(
    html_text: str,
    line_map: _LineMap,
    doc: _Document,
    *,
    confirm: bool,
    base: int = 0,
    bare: bool = True,
) -> None:
    scan = scan_html(html_text, with_bare_text=bare)
    attributes = confirmed_by_parser(html_text, scan.attributes) if confirm else scan.attributes
    for url in attributes:
        _add(doc, line_map.position(base + url.offset), LinkKind.HTML, url.raw, url.url)
    for found in scan.bare:
        _add(
            doc,
            line_map.position(base + found.start),
            LinkKind.BARE,
            found.raw,
            _unescape_amp(found.url),
        )
