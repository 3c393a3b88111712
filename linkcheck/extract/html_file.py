"""Links in an HTML file: the URLs html_scan finds, as Links with their places."""

from __future__ import annotations

import re
from bisect import bisect_right

from ..models import Link, LinkKind
from .html_scan import confirmed_by_parser, scan_html
from .scope import scope_of


class TextPositions:
    """Offset → 1-based (line, column) in code points."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        self._starts.extend(match.end() for match in re.finditer("\n", text))

    def position(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self._starts, offset) - 1
        return i + 1, offset - self._starts[i] + 1


def extract_html_file(path: str, text: str) -> list[Link]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    positions = TextPositions(text)
    scan = scan_html(text)
    links: list[Link] = []
    for url in confirmed_by_parser(text, scan.attributes):
        line, column = positions.position(url.offset)
        links.append(Link(path, line, column, LinkKind.HTML, scope_of(url.url), url.raw, url.url))
    for bare in scan.bare:
        line, column = positions.position(bare.start)
        unescaped = bare.url.replace("&amp;", "&")
        links.append(
            Link(path, line, column, LinkKind.BARE, scope_of(unescaped), bare.raw, unescaped)
        )
    return sorted(links, key=lambda link: (link.line, link.column))
