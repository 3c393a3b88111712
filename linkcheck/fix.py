"""Rewrite sources: moved links to where they went, dead links to their archived copy.

Pure at its core: `plan` turns the check's results into edits at exact source positions,
`apply` makes them. Only the characters of a rewritten URL change (and, in annotate mode,
an inserted archive link right after the link); everything else, encoding and line endings
included, stays byte for byte. Links inside code are never extracted, so never touched.
Running it twice changes nothing the second time: rewritten links are alive, and an
annotation already present is not added again.
"""

from __future__ import annotations

import bisect
import difflib
import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from .extract import extract_text
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


# Characters no URL holds as they are (WHATWG URL Standard: controls, space and the
# characters a browser percent-encodes itself): written as %XX wherever a URL goes, so a
# server's Location cannot close the construct it is written into (issue 25).
_NEVER_IN_URL = frozenset(chr(c) for c in range(0x21)) | frozenset('\x7f"<>\\^`{|}')
# The second, stricter spelling, for a context the first does not survive (a bare URL that
# would end at a parenthesis or lose its last character, non-ASCII glued to prose).
_STRICT = _NEVER_IN_URL | frozenset("()[]'*")
_UNRESERVED_AT_END = frozenset("._~")  # %2E is "." (RFC 3986 §2.3): the same URL


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


def _nested(url: str) -> bool:
    """Every ")" closes an earlier "(", and all are closed: a destination can hold them."""
    depth = 0
    for char in url:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _authority_end(url: str) -> int:
    """Where the scheme and host of url end (an IPv6 host is the one place "[" belongs)."""
    start = url.find("//")
    if start < 0:
        return 0
    ends = [i for i in (url.find(c, start + 2) for c in "/?#") if i >= 0]
    return min(ends, default=len(url))


def _spellings(url: str, kind: LinkKind) -> list[str]:
    """The ways to write url where a link of kind stood, the most faithful first; each is
    the same URL to a server: only characters no URL holds, brackets outside the host, and
    what the context cannot hold are percent-encoded. Markup a renderer could read as a
    link of its own ([text](…)) never survives as such."""
    split = _authority_end(url)
    head, tail = url[:split], url[split:]
    unsafe = _NEVER_IN_URL | frozenset("[]")
    plain = head + "".join(_percent(c) if c in unsafe else c for c in tail)
    if not _nested(plain):
        plain = plain.replace("(", "%28").replace(")", "%29")
    strict = head + "".join(_percent(c) if c in _STRICT or not c.isascii() else c for c in tail)
    if strict and strict[-1] in _UNRESERVED_AT_END:
        strict = strict[:-1] + _percent(strict[-1])
    return list(dict.fromkeys((plain, strict)))


def _markup(url: str, kind: LinkKind) -> str:
    """A spelling of a URL as the source's syntax holds it."""
    return html.escape(url, quote=True) if kind is LinkKind.HTML else url


# (target, the post citing it) → the link to its published copy from that post.
Published = Mapping[tuple[str, str], str]


def _archive_copy(result: Result, published: Published) -> str | None:
    """A copy the blog's readers can open: the Wayback capture, else the local snapshot as
    published with the site, as the citing post links it. Never a path into
    .linkcheck/, which no site publishes."""
    return result.wayback or published.get((result.target or "", result.link.file))


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


@dataclass(frozen=True)
class Review:
    """The edits that are safe to write, and why each other one was left alone."""

    edits: list[Edit]
    refused: list[str]  # "file:line:col: URL: why", for the run's warnings


@dataclass(frozen=True, slots=True)
class _Proposal:
    link: Link
    new: str  # the URL the link should point at
    annotate_at: int | None = None  # an offset to insert an archive link at, not a rewrite
    archived: bool = False  # new is a copy of the page: a published copy is a site path


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _is_site_path(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


def _why_not(proposal: _Proposal) -> str | None:
    """Why a URL may not be written where the link stands, if it may not."""
    link, new = proposal.link, proposal.new
    if proposal.annotate_at is None and link.scope is Scope.LOCAL:
        return None if _is_site_path(new) else "not a path on the site"
    if proposal.archived and _is_site_path(new):
        return None  # a copy published with the site, at its path there
    if not _is_web_url(new):
        return "not an absolute http(s) URL"
    if link.url.lower().startswith("https://") and new.lower().startswith("http://"):
        return "a downgrade from https to http"
    return None


def _proposals(
    text: str, results: Iterable[Result], dead: DeadMode, published: Published
) -> list[_Proposal]:
    starts = _line_starts(text)
    proposals = []
    for result in results:
        link, verdict = result.link, result.verdict
        if link.scope is Scope.LOCAL and verdict.reason == BROKEN_UNDER_PERMALINK:
            if verdict.final_url and verdict.final_url != link.url:
                proposals.append(_Proposal(link, verdict.final_url))
        elif link.scope is not Scope.EXTERNAL:
            continue
        elif verdict.status is Status.REDIRECTED and verdict.final_url:
            if verdict.final_url != link.url:
                proposals.append(_Proposal(link, verdict.final_url))
        elif verdict.status is Status.DEAD and dead is not DeadMode.KEEP:
            copy = _archive_copy(result, published)
            if copy is None or link.url.startswith(WAYBACK_PREFIX):
                continue  # nothing to point at, or already an archived copy
            if dead is DeadMode.REPLACE:
                proposals.append(_Proposal(link, copy, archived=True))
            elif link.kind is not LinkKind.REFERENCE:  # nothing may follow a definition
                offset = starts[link.line - 1] + link.column - 1 + len(link.raw)
                end = _end_of_link(text, offset, link.kind)
                proposals.append(_Proposal(link, copy, end, archived=True))
    return proposals


def _annotation(proposal: _Proposal, spelling: str) -> tuple[LinkKind, str]:
    """The kind of link an archive annotation makes, and its text."""
    if proposal.link.kind is LinkKind.HTML:
        return LinkKind.HTML, HTML_ANNOTATION.format(url=_markup(spelling, LinkKind.HTML))
    return LinkKind.INLINE, ANNOTATION.format(url=spelling)


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    line = bisect.bisect_right(starts, offset) - 1
    return line + 1, offset - starts[line] + 1


_Links = Counter[tuple[LinkKind, str]]


def _links(path: str, text: str) -> _Links:
    return Counter((link.kind, link.url) for link in extract_text(path, text))


def review(
    text: str,
    results: Iterable[Result],
    dead: DeadMode,
    published: Published | None = None,
) -> Review:
    """The edits that fix one document's links, from its check results, each written only
    if the edited text extracts back to exactly the links it had with that one changed
    (so a server's Location can never write markup, or another link, into a post)."""
    results = list(results)
    proposals = _proposals(text, results, dead, published or {})
    if not proposals:
        return Review([], [])
    path = results[0].link.file
    starts = _line_starts(text)
    before = _links(path, text)
    edits: dict[tuple[int, int], tuple[Edit, _Links]] = {}
    refused = []
    for proposal in proposals:
        link = proposal.link
        why = _why_not(proposal)
        chosen: tuple[Edit, _Links] | None = None
        for spelling in _spellings(proposal.new, link.kind) if why is None else ():
            change: _Links = Counter()
            if proposal.annotate_at is None:
                edit = Edit(link.line, link.column, link.raw, _markup(spelling, link.kind))
                change[(link.kind, link.url)] -= 1
                change[(link.kind, spelling)] += 1
            else:
                kind, note = _annotation(proposal, spelling)
                if text.startswith(note, proposal.annotate_at):
                    break  # annotated already
                edit = Edit(*_position(starts, proposal.annotate_at), "", note)
                change[(kind, spelling)] += 1
            if _links(path, apply(text, [edit])) == _changed(before, change):
                chosen = (edit, change)
                break
        else:
            why = why or "the edited text would not hold it as one link"
        if why is not None:
            refused.append(f"{link.file}:{link.line}:{link.column}: {proposal.new!r}: {why}")
        elif chosen is not None:
            edits[(chosen[0].line, chosen[0].column)] = chosen
    ordered = sorted(edits.values(), key=lambda pair: (pair[0].line, pair[0].column))
    total: _Links = Counter()
    for _, change in ordered:
        total.update(change)
    if ordered and _links(path, apply(text, [e for e, _ in ordered])) != _changed(before, total):
        refused.append(f"{path}: the edits together would change other links: none written")
        ordered = []
    return Review([edit for edit, _ in ordered], refused)


def _changed(before: _Links, change: _Links) -> _Links:
    after = before.copy()
    after.update(change)
    return +after  # drops the counts that reached zero


def plan(text: str, results: Iterable[Result], dead: DeadMode) -> list[Edit]:
    """The safe edits that fix one document's links (see review)."""
    return review(text, results, dead).edits


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
