"""Comments in a source that turn checking off for some of its links, as the author wrote
them: linkcheck's own and markdown-link-check's, so a blog moving over keeps its comments.

    <!-- linkcheck-disable --> … <!-- linkcheck-enable -->   (or to the end of the file)
    <!-- linkcheck-disable-next-line -->
    <!-- linkcheck-disable-line -->

Pure. Positions are (line, column), 1-based, counted as extraction counts them; a comment
inside a fenced code block is an example, not a directive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DIRECTIVE = re.compile(
    r"<!--\s*(?:linkcheck|markdown-link-check)-"
    r"(disable-next-line|disable-line|disable|enable)\s*-->"
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BREAK = re.compile(r"\r\n|\r|\n")

Span = tuple[tuple[int, int], tuple[int, int]]  # from (line, column) up to, not including
_END = (1 << 62, 0)


def _lines(text: str) -> list[str]:
    return _BREAK.split(text)


def _outside_fences(lines: Iterable[str]) -> Iterable[tuple[int, str]]:
    """(line number, text) of the lines that are not inside a fenced code block."""
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        found = _FENCE.match(line)
        if fence is None:
            if found:
                fence = found.group(1)
                continue
            yield number, line
        elif found and found.group(1)[0] == fence[0] and len(found.group(1)) >= len(fence):
            fence = None


def disabled_spans(text: str) -> list[Span]:
    """Where checking is off: each span from just after a directive to its end."""
    spans: list[Span] = []
    opened: tuple[int, int] | None = None
    for number, line in _outside_fences(_lines(text)):
        for match in _DIRECTIVE.finditer(line):
            kind, column = match.group(1), match.start() + 1  # where it starts
            if kind == "disable-line":
                spans.append(((number, 1), (number + 1, 1)))
            elif kind == "disable-next-line":
                spans.append(((number + 1, 1), (number + 2, 1)))
            elif kind == "disable" and opened is None:
                opened = (number, match.end() + 1)
            elif kind == "enable" and opened is not None:
                spans.append((opened, (number, column)))
                opened = None
    if opened is not None:
        spans.append((opened, _END))
    return spans


def is_disabled(line: int, column: int, spans: list[Span]) -> bool:
    return any(start <= (line, column) < end for start, end in spans)
