"""Rewrite sources: moved links to where they went, dead links to their archived copy.

Pure at its core: `plan` turns the check's results into edits at exact source positions,
`apply` makes them. Only the characters of a rewritten URL change (and, in annotate mode,
an inserted archive link right after the link); everything else, encoding and line endings
included, stays byte for byte. Links inside code are never extracted, so never touched.
Running it twice changes nothing the second time: rewritten links are alive, and an
annotation already present is not added again.
"""

from __future__ import annotations

import difflib
import html
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .models import BROKEN_UNDER_PERMALINK, Link, LinkKind, Result, Scope, Status


class DeadMode(StrEnum):
    REPLACE = "replace"  # the dead URL becomes its archived copy
    ANNOTATE = "annotate"  # the archived copy is linked right after the dead link
    KEEP = "keep"  # dead links stay as they are


ANNOTATION = " [archived]({url})"
WAYBACK_PREFIX = "https://web.archive.org/web/"
HTML_ANNOTATION = ' <a href="{url}">archived</a>'


@dataclass(frozen=True, slots=True)
class Edit:
    line: int  # 1-based, where the replaced text starts
    column: int  # 1-based, in code points
    old: str  # the text at that position now (the URL as written, or "" for an insertion)
    new: str


def _line_starts(text: str) -> list[int]:
    """Offsets where lines start, counting \\r\\n, \\r and \\n as one break each, the way
    extraction counts them."""
    starts = [0]
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\r":
            index += 2 if text.startswith("\r\n", index) else 1
            starts.append(index)
            continue
        index += 1
        if char == "\n":
            starts.append(index)
    return starts


def _written(url: str, kind: LinkKind) -> str:
    """A URL as it must be written where the old one stood."""
    if kind is LinkKind.HTML:
        return html.escape(url, quote=True)
    if kind in (LinkKind.INLINE, LinkKind.IMAGE, LinkKind.REFERENCE):
        # A destination may not hold spaces or unbalanced parentheses.
        url = url.replace(" ", "%20")
        if url.count("(") != url.count(")"):
            url = url.replace("(", "%28").replace(")", "%29")
    return url


def _archive_copy(result: Result) -> str | None:
    """The Wayback capture, which readers can open; else the local snapshot, as a path
    relative to the post."""
    if result.wayback:
        return result.wayback
    if result.snapshot:
        return os.path.relpath(result.snapshot, os.path.dirname(result.link.file) or ".")
    return None


_TAG_NAME = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_CLOSE_A = re.compile(r"</a\s*>", re.IGNORECASE)


def _end_of_element(text: str, offset: int) -> int:
    """After the element whose attribute value ends at offset: after `</a>` for a link,
    after the start tag's `>` for anything else (an image), so that what is inserted
    there stands beside the element, never inside its markup."""
    opening = text.rfind("<", 0, offset)
    name = _TAG_NAME.match(text, opening) if opening >= 0 else None
    index = offset + 1 if text[offset : offset + 1] in ("'", '"') else offset
    quote = ""
    while index < len(text):
        char = text[index]
        index += 1
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == ">":
            break
    if name is not None and name.group(1).lower() == "a":
        close = _CLOSE_A.search(text, index)
        if close is not None:
            return close.end()
    return index


def _end_of_link(text: str, offset: int, kind: LinkKind) -> int:
    """Where the construct whose URL ends at offset ends: after `)` for inline links and
    images, after `>` for autolinks, after the element for HTML, right there for bare URLs."""
    if kind is LinkKind.AUTOLINK:
        return offset + 1 if text[offset : offset + 1] == ">" else offset
    if kind is LinkKind.HTML:
        return _end_of_element(text, offset)
    if kind not in (LinkKind.INLINE, LinkKind.IMAGE):
        return offset
    depth, quote, index = 0, "", offset
    if text[index : index + 1] == ">":  # <destination>
        index += 1
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 2
                continue
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return index + 1
            depth -= 1
        elif char == "\n" and text[index + 1 : index + 2] == "\n":
            break
        index += 1
    return offset


def plan(text: str, results: Iterable[Result], dead: DeadMode) -> list[Edit]:
    """The edits that fix one document's links, from its check results."""
    starts = _line_starts(text)
    edits: dict[tuple[int, int], Edit] = {}
    for result in results:
        link, verdict = result.link, result.verdict
        new: str | None = None
        if link.scope is Scope.LOCAL and verdict.reason == BROKEN_UNDER_PERMALINK:
            new = verdict.final_url  # the site path that works from the published page
        elif link.scope is not Scope.EXTERNAL:
            continue
        elif verdict.status is Status.REDIRECTED and verdict.final_url:
            new = verdict.final_url
        elif verdict.status is Status.DEAD and dead is not DeadMode.KEEP:
            copy = _archive_copy(result)
            if copy is None or link.url.startswith(WAYBACK_PREFIX):
                continue  # nothing to point at, or already an archived copy
            if dead is DeadMode.REPLACE:
                new = copy
            elif link.kind is LinkKind.REFERENCE:
                continue  # nothing may follow a definition's destination but its title
            else:
                offset = starts[link.line - 1] + link.column - 1 + len(link.raw)
                end = _end_of_link(text, offset, link.kind)
                template = HTML_ANNOTATION if link.kind is LinkKind.HTML else ANNOTATION
                note = template.format(url=_written(copy, LinkKind.INLINE))
                if text.startswith(note, end):
                    continue  # annotated already
                line = next(i for i in range(len(starts) - 1, -1, -1) if starts[i] <= end)
                edits[(line + 1, end - starts[line] + 1)] = Edit(
                    line + 1, end - starts[line] + 1, "", note
                )
                continue
        if new is None or new == link.url:
            continue
        edits[(link.line, link.column)] = Edit(
            link.line, link.column, link.raw, _written(new, link.kind)
        )
    return sorted(edits.values(), key=lambda e: (e.line, e.column))


def annotated(text: str, links: Iterable[Link]) -> set[Link]:
    """The links of one document followed by the archive link `fix --dead annotate` writes
    (whatever copy it points at): the author has dealt with them."""
    if "[archived](" not in text and ">archived</a>" not in text:
        return set()
    starts = _line_starts(text)
    found = set()
    for link in links:
        if link.scope is not Scope.EXTERNAL or link.kind is LinkKind.REFERENCE:
            continue
        if link.line - 1 >= len(starts):
            continue
        end = _end_of_link(text, starts[link.line - 1] + link.column - 1 + len(link.raw), link.kind)
        if link.kind is LinkKind.HTML:
            close = text.find("</a>", end)
            if text.startswith(' <a href="', end) and text[close - 9 : close] == ">archived":
                found.add(link)  # HTML_ANNOTATION
        elif text.startswith(" [archived](", end):
            found.add(link)
    return found


def apply(text: str, edits: Sequence[Edit]) -> str:
    """The text with every edit made; an edit whose old text is not found is skipped."""
    starts = _line_starts(text)
    pieces: list[str] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.line, e.column)):
        if edit.line - 1 >= len(starts):
            continue
        offset = starts[edit.line - 1] + edit.column - 1
        if offset < cursor or text[offset : offset + len(edit.old)] != edit.old:
            continue  # the file changed since it was read: leave this one alone
        pieces.append(text[cursor:offset])
        pieces.append(edit.new)
        cursor = offset + len(edit.old)
    pieces.append(text[cursor:])
    return "".join(pieces)


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )
