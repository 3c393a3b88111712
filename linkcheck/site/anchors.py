"""The anchors a page will have once its generator has built it: heading ids in the
generator's dialect (slugs.py), explicit ids (kramdown's ``{#id}`` and ``{: #id}``, HTML
``id=`` and ``<a name=>``), kramdown's table of contents and footnotes.

Pure functions of the source text. Where unsure, an anchor is assumed to exist: a missing
anchor is reported dead, so the set errs on the side of too many.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pyromark

from ..extract.markdown import blank_front_matter
from .slugs import HeadingIds

_HTML_ID = re.compile(r"""<[A-Za-z][^>]*?\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_IAL_ID = re.compile(r"\{:?[^}\n]*?#([\w:.-]+)[^}\n]*\}")
_HEADER_ID = re.compile(r"[\t ]\{#([A-Za-z_][\w.:-]*)\}\s*$")
_FOOTNOTE = re.compile(r"^\[\^([^\]\s]+)\]:", re.M)
_TOC = re.compile(r"^\{:\s*\.?toc\s*\}|\{:toc\}", re.M)
# kramdown turns these into typographic symbols before a GFM id is made (kramdown-parser-gfm
# update_raw_text): none of them is a word character, so each vanishes, with "<< "/" >>"
# keeping their inner space.
_TYPOGRAPHIC = re.compile(r"---|--|\.\.\.|<< | >>|<<|>>")
_OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_MATH


def html_anchors(text: str) -> set[str]:
    """Every id and name attribute value written in the text."""
    return {next(g for g in m.groups() if g is not None) for m in _HTML_ID.finditer(text)}


def markdown_anchors(text: str, dialect: str) -> set[str]:
    """The anchors of a Markdown page rendered by a generator speaking dialect."""
    anchors = html_anchors(text)
    anchors.update(m.group(1) for m in _IAL_ID.finditer(text))
    ids = HeadingIds(dialect)
    headings = [ids_for(heading, ids, dialect) for heading in _headings(text)]
    anchors.update(h for h in headings if h)
    if _TOC.search(text):  # kramdown's {:toc}: the list and an entry per heading
        anchors.add("markdown-toc")
        anchors.update(f"markdown-toc-{h}" for h in headings if h)
    for label in _FOOTNOTE.findall(text):
        anchors.update((f"fn:{label}", f"fnref:{label}"))
    return anchors


def ids_for(heading: tuple[str, str], ids: HeadingIds, dialect: str) -> str:
    """A heading's id: an explicit {#id} wins (kramdown, and Hugo's heading attributes),
    otherwise the dialect's auto id of its source text or of its rendered text."""
    source, rendered = heading
    explicit = _HEADER_ID.search(source)
    if explicit is not None:
        return explicit.group(1)
    if dialect == "kramdown":
        return ids.next(source.strip())
    if dialect == "kramdown-gfm":
        rendered = _TYPOGRAPHIC.sub(lambda m: "\u2014" + m.group().strip("<>-."), rendered)
    return ids.next(html.unescape(rendered))


def _headings(text: str) -> list[tuple[str, str]]:
    """(source, rendered text) of each heading, in order, outside code."""
    text = blank_front_matter(text)
    data = text.encode()
    found: list[tuple[str, str]] = []
    inside: list[str] | None = None
    first = last = -1
    events: Any = pyromark.events_with_range(text, options=_OPTIONS, merge_text=True)
    for event, span in events:
        if type(event) is str:
            continue
        ((key, value),) = event.items()
        if key == "Start" and type(value) is dict and "Heading" in value:
            inside, first, last = [], -1, -1
            continue
        if inside is None:
            continue
        if key == "End" and type(value) is dict and "Heading" in value:
            source = data[first:last].decode() if first >= 0 else ""
            found.append((source, "".join(inside)))
            inside = None
            continue
        if key in ("Text", "Code", "InlineMath", "DisplayMath"):
            inside.append(value)
        if first < 0:
            first = span["start"]
        last = max(last, span["end"])
    return found
