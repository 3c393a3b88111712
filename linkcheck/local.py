"""Where a local link (relative or site-absolute path) points on disk."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote


def local_candidates(url: str, source_file: str, root_dirs: Sequence[Path]) -> list[Path]:
    """The files a local link may name, in the order they are tried.

    Site-absolute paths (``/images/x.png``) live under one of the root directories (a
    Jekyll root, a Hugo ``static/`` …; the working directory when none is given); relative
    paths are relative to the source file's directory.
    """
    path = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if not path:
        return [Path(source_file)]
    if path.startswith("/"):
        roots = root_dirs or [Path(".")]
        return [root / path.lstrip("/") for root in roots]
    return [Path(source_file).parent / path]


def resolve_local(url: str, source_file: str, root_dirs: Sequence[Path]) -> Path | None:
    """The first candidate that exists, or None."""
    for candidate in local_candidates(url, source_file, root_dirs):
        if candidate.exists():
            return candidate
    return None
