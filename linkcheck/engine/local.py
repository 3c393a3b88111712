"""Where a local link (relative or site-absolute path) points on disk."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from ..models import Status, Verdict
from ..paths import real_folder_of

# Files that mark the root of a site's sources: Jekyll, Hugo, Hexo, MkDocs, a repository.
_SITE_MARKERS = (
    "_config.yml",
    "_config.yaml",
    "hugo.toml",
    "hugo.yaml",
    "config.toml",
    "mkdocs.yml",
    ".git",
)


@lru_cache(maxsize=256)
def site_roots(folder: Path) -> tuple[Path, ...]:
    """Where site-absolute paths live when no --root-dir is given: the nearest folder above
    the post that looks like a site's root (a Hugo site also serves static/), so a blog
    checked from another working directory does not see its images as missing."""
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in _SITE_MARKERS):
            static = candidate / "static"
            return (static, candidate) if static.is_dir() else (candidate,)
    return (Path("."),)


def local_candidates(url: str, source_file: str, root_dirs: Sequence[Path]) -> list[Path]:
    """The files a local link may name, in the order they are tried.

    Site-absolute paths (``/images/x.png``) live under one of the root directories (a
    Jekyll root, a Hugo ``static/`` …; found from the post when none is given); relative
    paths are relative to the source file's directory.
    """
    path = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if not path:
        return [Path(source_file)]
    if path.startswith("/"):
        roots = root_dirs or site_roots(real_folder_of(source_file))
        return [root / path.lstrip("/") for root in roots]
    return [Path(source_file).parent / path]


def resolve_local(url: str, source_file: str, root_dirs: Sequence[Path]) -> Path | None:
    """The first candidate that exists, or None."""
    for candidate in local_candidates(url, source_file, root_dirs):
        if candidate.exists():
            return candidate
    return None


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


# Pages a site generator writes from other sources (Jekyll permalinks such as
# /dl/2018/06/09/Post.html): their absence from the sources proves nothing.
_PAGE_SUFFIXES = frozenset({"", ".html", ".htm", ".xhtml", ".php", ".asp", ".aspx"})


def check_local(url: str, source_file: str, root_dirs: Sequence[Path]) -> Verdict:
    """alive when the file exists; dead only for files that would have to exist as they are
    (images, PDFs, sources); unknown for pages the site generator may produce."""
    if resolve_local(url, source_file, root_dirs) is not None:
        return Verdict(Status.ALIVE, "file-exists")
    tried = ", ".join(_shown(p) for p in local_candidates(url, source_file, root_dirs))
    path = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if path.endswith("/") or Path(path).suffix.lower() in _PAGE_SUFFIXES:
        return Verdict(
            Status.UNKNOWN,
            "page-not-in-sources",
            None,
            f"no file at {tried}; the site generator may build this page "
            "(point --root-dir at the built site to check it)",
        )
    return Verdict(Status.DEAD, "file-missing", None, f"no file at {tried}")
