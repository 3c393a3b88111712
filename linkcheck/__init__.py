"""linkcheck: a link-rot checker and archiver for Markdown blogs."""

from __future__ import annotations

from .models import Link, LinkKind, Scope, Target
from .version import __version__

__all__ = ["Link", "LinkKind", "Scope", "Target", "__version__", "extract_links"]


def extract_links(path: str, text: str) -> list[Link]:
    """Every link in one Markdown or HTML document (chosen by the path's suffix)."""
    from .extract import extract_text

    return extract_text(path, text)
