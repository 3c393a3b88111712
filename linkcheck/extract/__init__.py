"""Extraction: source text → Links. Pure, no I/O (DESIGN.md §1)."""

from __future__ import annotations

from ..models import Link
from .html_scan import scan_html
from .normalize import normalize
from .urls import find_bare_urls

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx", ".mkd", ".mdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


def extract_text(path: str, text: str, *, syntax: str | None = None) -> list[Link]:
    """Links in one document; syntax is "markdown" or "html" (default: from the suffix)."""
    if syntax is None:
        syntax = "html" if path.lower().endswith(tuple(HTML_SUFFIXES)) else "markdown"
    if syntax == "html":
        from .html_file import extract_html_file

        return extract_html_file(path, text)
    from .markdown import extract_markdown

    return extract_markdown(path, text)


__all__ = [
    "HTML_SUFFIXES",
    "MARKDOWN_SUFFIXES",
    "extract_text",
    "find_bare_urls",
    "normalize",
    "scan_html",
]
