"""Frozen records that flow through the pipeline (see DESIGN.md §1)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LinkKind(StrEnum):
    """How a link is written in the source."""

    INLINE = "inline"  # [text](url)
    REFERENCE = "reference"  # [text][label] resolved to its definition
    AUTOLINK = "autolink"  # <https://…>
    BARE = "bare"  # a URL in running text (GFM autolink extension)
    IMAGE = "image"  # ![alt](src)
    HTML = "html"  # a URL attribute of an HTML tag


class Scope(StrEnum):
    """Where a link points, which decides how (and whether) it is checked."""

    EXTERNAL = "external"  # http(s) / ftp, fetched over the network
    LOCAL = "local"  # relative or site-absolute path, checked on disk
    FRAGMENT = "fragment"  # "#anchor" in the same document
    MAIL = "mail"  # mailto:
    OTHER = "other"  # javascript:, data:, tel: … never checked


@dataclass(frozen=True, slots=True)
class Link:
    """One occurrence of a link in a source file.

    ``raw`` is the destination exactly as written (the characters at ``line``:``column``);
    ``url`` is what the syntax means by it: escapes and entities decoded, ``www.`` given
    its scheme. Network-ready normalisation lives in :func:`linkcheck.extract.normalize`.
    """

    file: str
    line: int  # 1-based
    column: int  # 1-based, in Unicode code points
    kind: LinkKind
    scope: Scope
    raw: str
    url: str
    text: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.url)


@dataclass(frozen=True, slots=True)
class Target:
    """A URL ready to fetch: normalised, unwrapped, fragment split off."""

    url: str
    fragment: str | None = None
    wrapped_in: str | None = None  # the redirector URL it was unwrapped from, if any
