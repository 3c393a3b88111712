"""What a site generator will publish: its pages by URL, the domains that serve it, and the
dialect its heading ids are written in. Built by a generator's reader (jekyll.py, hugo.py,
mkdocs.py), or for a repository read on GitHub (site/__init__.py)."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def address_of(url: str) -> tuple[str, str]:
    """(host, path) of an address: the host lower-cased, with its port unless it is the
    scheme's default (localhost:4000 is not localhost:8080), the path decoded and without
    its trailing slash; ("", "") for what cannot be parsed. A bare name is taken as https."""
    try:
        parts = urlsplit(url if "://" in url else "https://" + url)
        port = parts.port
    except ValueError:
        return "", ""
    host = (parts.hostname or "").lower()
    if host and port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host, unquote(parts.path).rstrip("/")


def folder_of_site(root: Path, value: object, default: str, *, key: str) -> Path:
    """The folder a site's configuration names (Hugo's contentDir, MkDocs' docs_dir, a
    Jekyll collection …), which must stay inside the site: a configuration is the
    repository's, and may not make linkcheck read (and report) files elsewhere. Raises
    ValueError, which makes the site's configuration a warning, for one that leaves it."""
    folder = root / str(value or default)
    if not folder.resolve().is_relative_to(root.resolve()):
        raise ValueError(f"{key}: {str(value)!r} leads outside the site ({root})")
    return folder


# Markdown files, as GitHub and MkDocs render them (pages, not files served as they are).
MARKDOWN_FILES = (".md", ".markdown")


@dataclass(frozen=True, slots=True)
class Page:
    source: Path  # the file the page is built from
    url: str  # the path it is published at, decoded: /ml/2016/08/02/Machine_Learning_2.html
    markdown: bool


@dataclass
class Site:
    root: Path
    generator: str  # "jekyll", "hugo", "mkdocs" or "github"
    base_path: str  # "" or "/blog": where the site is mounted on its domains
    domains: tuple[str, ...]  # hosts that serve the site (the generator's url)
    dialect: str  # how heading ids are made (slugs.py)
    complete: bool  # False when plugins write pages the sources do not show
    layout_dirs: tuple[Path, ...] = ()
    # Where files served as they are live: Hugo's static/; empty for Jekyll, whose root is
    # served but for its underscore folders.
    static_dirs: tuple[Path, ...] = ()
    post_pattern: re.Pattern[str] | None = None
    # Paths the generator writes with no source of their own (Hugo's taxonomy pages, feeds,
    # pagination): a missing one there is unknown.
    generated: re.Pattern[str] | None = None
    bundles: dict[str, Path] = field(default_factory=dict)  # page URL → its bundle folder
    # MkDocs and GitHub: a relative link is resolved from the Markdown file, not the URL.
    relative_to_source: bool = False
    # A repository read on GitHub: every Markdown file is a page at its own path, and
    # only its anchors are decided here (the rest is judged by the files, local.py).
    repository: bool = False
    _pages: dict[str, Page] = field(default_factory=dict)
    _by_source: dict[Path, list[Page]] = field(default_factory=dict)

    def add(self, page: Page) -> None:
        for url in _spellings(page.url):
            self._pages.setdefault(url, page)
        self._by_source.setdefault(page.source.resolve(), []).append(page)

    def page_at(self, path: str) -> Page | None:
        """The page published at a site path (decoded or not, with or without base path)."""
        path = self.without_base(unquote(path))
        for spelling in _spellings(path):
            page = self._pages.get(spelling)
            if page is not None:
                return page
        return None

    def pages_of(self, source: Path) -> list[Page]:
        """The pages a source file may be published as, the likeliest first."""
        source = source.resolve()
        if self.repository and source.suffix.lower() in MARKDOWN_FILES and source.is_file():
            try:
                url = "/" + source.relative_to(self.root.resolve()).as_posix()
            except ValueError:
                return []
            return [Page(source, url, markdown=True)]
        return self._by_source.get(source, [])

    def without_base(self, path: str) -> str:
        if self.base_path and (path == self.base_path or path.startswith(self.base_path + "/")):
            return path[len(self.base_path) :] or "/"
        return path

    def static_file(self, path: str) -> Path | None:
        """The file a site path serves as is, if there is one."""
        relative = self.without_base(unquote(path)).lstrip("/")
        if not relative:
            return None
        if self.static_dirs:
            return self._in_static_dirs(relative)
        if any(part.startswith("_") for part in relative.split("/")[:-1]):
            return None
        candidate = self.root / relative
        if candidate.is_file():
            return candidate
        stem, dot, suffix = relative.rpartition(".")
        # Jekyll writes style.css from style.scss/.sass and app.js from app.coffee.
        sources = {"css": ("scss", "sass"), "js": ("coffee",)}.get(suffix, ())
        for source in sources:
            if dot and (self.root / f"{stem}.{source}").is_file():
                return self.root / f"{stem}.{source}"
        return None

    def _in_static_dirs(self, relative: str) -> Path | None:
        for folder in self.static_dirs:
            if (folder / relative).is_file():
                return folder / relative
        folder_url, _, name = ("/" + relative).rpartition("/")
        bundle = self.bundles.get(folder_url + "/")  # a page bundle's own files
        if bundle is not None and (bundle / name).is_file():
            return bundle / name
        return None

    def served_url(self, file: Path) -> str | None:
        """The site path a file is served at as it is, None if it is not served."""
        file = file.resolve()
        folders = [(folder, "") for folder in self.static_dirs]
        folders += [(folder, url.rstrip("/")) for url, folder in self.bundles.items()]
        for folder, prefix in folders or [(self.root, "")]:
            try:
                inside = file.relative_to(folder.resolve())
            except ValueError:
                continue
            if not self.static_dirs and any(p.startswith("_") for p in inside.parts[:-1]):
                return None
            return f"{self.base_path}{prefix}/{inside.as_posix()}"
        return None

    def served_files(self) -> Iterator[str]:
        """The site path of every file served as it is."""
        for folder in self.static_dirs or (self.root,):
            for directory, subdirectories, files in os.walk(folder):
                subdirectories[:] = sorted(
                    d for d in subdirectories if not d.startswith((".", "_"))
                )
                for name in files:
                    url = self.served_url(Path(directory) / name)
                    if url is not None:
                        yield url
        for url, folder in self.bundles.items():
            for path in sorted(folder.iterdir()):
                if path.is_file() and path.suffix.lower() not in (*MARKDOWN_FILES, ".html"):
                    yield f"{self.base_path}{url.rstrip('/')}/{path.name}"

    def suggest(self, path: str) -> list[str]:
        """Published pages whose last segment is the one path ends with (another date,
        another category)."""
        wanted = posixpath.basename(unquote(path).rstrip("/")).removesuffix(".html").lower()
        if not wanted:
            return []
        return sorted(
            {
                page.url
                for url, page in self._pages.items()
                if posixpath.basename(url.rstrip("/")).removesuffix(".html").lower() == wanted
            }
        )[:3]

    def resolve(self, page: Page, relative: str) -> str:
        """A relative link's site path, as a browser on the published page resolves it."""
        base = page.url if page.url.endswith("/") else posixpath.dirname(page.url) + "/"
        joined = posixpath.normpath(posixpath.join(base, relative))
        return joined + ("/" if relative.endswith("/") and not joined.endswith("/") else "")


def _spellings(path: str) -> list[str]:
    """The URLs a page answers at: /x.html is also /x (GitHub Pages and `jekyll serve`
    serve it without the suffix), /x/ is also /x/index.html and /x."""
    path = "/" + path.lstrip("/")
    if path.endswith("/index.html"):
        directory = path[: -len("index.html")]
        return [path, directory, directory.rstrip("/") or "/"]
    if path.endswith("/"):
        return [path, path + "index.html", path.rstrip("/") or "/"]
    if path.endswith(".html"):
        return [path, path[: -len(".html")]]
    return [path, path + ".html", path + "/"]
