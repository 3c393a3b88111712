"""URLs in HTML: tag attributes (href, src, srcset, …) and bare URLs in text.

selectolax (lexbor) is the authority on *what* the HTML contains: it drops what a browser
drops (duplicate attributes, markup inside comments and scripts). It exposes no source
positions, so a small tokenizer that follows the HTML tokenizer's rules for tags,
attributes, comments and raw-text elements finds *where* each value is written; a value
is reported only when lexbor agrees it exists.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from .urls import BareUrl, Spans, find_bare_urls

# href and src hold a URL on any element (custom elements included); these others only here.
_ANY_ELEMENT_ATTRIBUTES = ("href", "src")
_ELEMENT_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "img": ("srcset",),
    "source": ("srcset",),
    "video": ("poster",),
    "object": ("data",),
    "blockquote": ("cite",),
    "q": ("cite",),
    "del": ("cite",),
    "ins": ("cite",),
}


def url_attributes(tag: str) -> tuple[str, ...]:
    return _ANY_ELEMENT_ATTRIBUTES + _ELEMENT_ATTRIBUTES.get(tag, ())


_RAW_TEXT_ELEMENTS = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"}
)
# Text in these is code or already a link's label: no bare URLs are taken from it.
_NO_BARE_TEXT_ELEMENTS = frozenset({"a", "code", "pre", "kbd", "samp"})

_MARKUP_START_RE = re.compile(r"<(?:!--|!\[CDATA\[|[!?]|/?[A-Za-z])")
_TAG_NAME_RE = re.compile(r"[^\s/>]*")
_TAG_STOP_RE = re.compile(r"[>\"']")
_ATTRIBUTE_RE = re.compile(r"([^\s\"'>/=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?", re.S)


@dataclass(frozen=True, slots=True)
class HtmlUrl:
    offset: int  # where the raw value starts in the scanned text
    raw: str
    url: str  # entity-decoded
    tag: str
    attribute: str
    value: str  # the whole decoded attribute value (a srcset holds several URLs)
    attribute_offset: int  # identifies the attribute the URL came from


@dataclass(frozen=True, slots=True)
class _Markup:
    start: int
    end: int
    tag: str | None = None  # lower-cased name, for start and end tags
    closing: bool = False
    attributes: tuple[int, int] = (0, 0)  # where the attribute text lies


def _next_markup(text: str, pos: int) -> _Markup | None:
    """The next comment, CDATA, declaration or tag at or after pos. Linear in what it
    reads: a tag or comment cut off by the end of input runs to the end (browsers drop it)."""
    match = _MARKUP_START_RE.search(text, pos)
    if match is None:
        return None
    start, opener, length = match.start(), match.group(), len(text)
    closers = {"<!--": "-->", "<![CDATA[": "]]>", "<!": ">", "<?": ">"}
    if opener in closers:
        end = text.find(closers[opener], match.end())
        return _Markup(start, length if end < 0 else end + len(closers[opener]))
    closing = opener[1] == "/"
    name_start = start + (2 if closing else 1)
    name_end = _TAG_NAME_RE.match(text, name_start).end()  # type: ignore[union-attr]
    i = name_end
    while True:
        stop = _TAG_STOP_RE.search(text, i)
        if stop is None:
            return _Markup(start, length)
        i = stop.start()
        if text[i] == ">":
            break
        # A quote opens a value only right after "=" (else it is part of a name).
        before = i - 1
        while before >= name_end and text[before] in " \t\n\r\f":
            before -= 1
        if before >= name_end and text[before] == "=":
            close = text.find(text[i], i + 1)
            if close < 0:
                return _Markup(start, length)
            i = close
        i += 1
    tag = text[name_start:name_end].lower()
    return _Markup(start, i + 1, tag, closing, (name_end, i))


@dataclass(frozen=True, slots=True)
class HtmlScan:
    attributes: list[HtmlUrl]
    bare: list[BareUrl]


def srcset_candidates(value: str) -> Iterator[tuple[int, str]]:
    """Image candidate URLs of a srcset, per the HTML spec's parsing algorithm."""
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        if i >= n:
            return
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # skip the descriptors, up to a comma outside parentheses
            depth = 0
            while i < n:
                ch = value[i]
                i += 1
                if ch == "(":
                    depth += 1
                elif ch == ")":
                    depth = max(0, depth - 1)
                elif ch == "," and depth == 0:
                    break
        if url:
            yield start, url


def _srcset_urls(value: str, value_offset: int, decoded: str) -> Iterator[tuple[int, str, str]]:
    if value == decoded:
        for start, url in srcset_candidates(value):
            yield value_offset + start, url, url
    else:  # entities in the value: positions point at the attribute, raw is decoded
        for _, url in srcset_candidates(decoded):
            yield value_offset, url, url


def _tag_urls(tag: str, attributes: str, attributes_offset: int) -> Iterator[HtmlUrl]:
    wanted = url_attributes(tag)
    seen: set[str] = set()
    for match in _ATTRIBUTE_RE.finditer(attributes):
        name = match.group(1).lower()
        if name in seen:  # the HTML tokenizer keeps the first of duplicate attributes
            continue
        seen.add(name)
        if name not in wanted:
            continue
        group = next((g for g in (2, 3, 4) if match.group(g) is not None), None)
        if group is None:
            continue
        value = match.group(group)
        value_offset = attributes_offset + match.start(group)
        decoded = html.unescape(value)
        if name == "srcset":
            for offset, raw, url in _srcset_urls(value, value_offset, decoded):
                yield HtmlUrl(offset, raw, url, tag, name, decoded.strip(), value_offset)
            continue
        stripped = decoded.strip()
        if stripped:
            lead = len(value) - len(value.lstrip())
            raw = value.strip()
            yield HtmlUrl(value_offset + lead, raw, stripped, tag, name, stripped, value_offset)


def scan_html(text: str, *, with_bare_text: bool = True) -> HtmlScan:
    """Tokenize text as HTML: URL attributes, and bare URLs in text outside code and links."""
    found: list[HtmlUrl] = []
    quiet: list[tuple[int, int]] = []  # text spans where bare URLs are not taken
    open_quiet: dict[str, int] = {}
    pos = 0
    length = len(text)
    while pos < length:
        markup = _next_markup(text, pos)
        if markup is None:
            break
        quiet.append((markup.start, markup.end))
        pos = markup.end
        tag = markup.tag
        if tag is None:
            continue
        if markup.closing:
            if tag in open_quiet:
                quiet.append((open_quiet.pop(tag), markup.start))
            continue
        attributes_start, attributes_end = markup.attributes
        attributes = text[attributes_start:attributes_end]
        found.extend(_tag_urls(tag, attributes, attributes_start))
        if tag in _RAW_TEXT_ELEMENTS:
            close = re.compile(rf"</{re.escape(tag)}[\s/>]", re.I).search(text, pos)
            raw_end = close.start() if close else length
            quiet.append((pos, raw_end))
            pos = raw_end
        elif tag in _NO_BARE_TEXT_ELEMENTS and not attributes.rstrip().endswith("/"):
            open_quiet.setdefault(tag, markup.end)
    for start in open_quiet.values():
        quiet.append((start, length))
    bare = find_bare_urls(text, Spans(quiet)) if with_bare_text else []
    return HtmlScan(found, bare)


def confirmed_by_parser(text: str, urls: list[HtmlUrl]) -> list[HtmlUrl]:
    """Keep the values lexbor also sees, so markup a browser ignores yields nothing."""
    if not urls:
        return urls
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    expected: Counter[tuple[str, str, str]] = Counter()
    for node in tree.root.traverse(include_text=False) if tree.root else ():
        tag = node.tag or ""
        wanted = url_attributes(tag)
        for name, value in node.attributes.items():
            if name in wanted and value is not None:
                expected[(tag, name, value.strip())] += 1
    kept: list[HtmlUrl] = []
    verdicts: dict[int, bool] = {}  # attribute offset → confirmed
    for url in urls:
        confirmed = verdicts.get(url.attribute_offset)
        if confirmed is None:
            key = (url.tag, url.attribute, url.value)
            confirmed = expected[key] > 0
            if confirmed:
                expected[key] -= 1
            verdicts[url.attribute_offset] = confirmed
        if confirmed:
            kept.append(url)
    return kept
