"""The site a post belongs to, as its generator will publish it (model.py), read once per
run from the generator's own configuration (jekyll.py), and the anchors of its pages."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..decode import DecodeError, decode
from ..paths import real_folder_of
from .anchors import html_anchors, markdown_anchors
from .hugo import hugo_config, read_hugo
from .jekyll import read_jekyll
from .mkdocs import mkdocs_config, read_mkdocs
from .model import Page, Site, address_of

__all__ = ["Page", "Site", "Sites"]

_JEKYLL_CONFIGS = ("_config.yml", "_config.yaml")
# Generators found by a configuration file of their own: (find it, read the site with it).
_CONFIGURED: tuple[tuple[Callable[[Path], Mapping[str, Any] | None], Callable[..., Site]], ...] = (
    (hugo_config, read_hugo),
    (mkdocs_config, read_mkdocs),
)


class Sites:
    """Each source file's site, found from the folders above it, each read once."""

    def __init__(
        self,
        root_dirs: tuple[Path, ...] = (),
        dialect: str | None = None,
        base_urls: Sequence[str] = (),
    ) -> None:
        self._root_dirs = root_dirs
        self._dialect = dialect  # --slug-dialect: overrides the generator's
        # --base-url: (host, path prefix) of the other addresses that serve the site
        self.base_urls = [address_of(url) for url in base_urls]
        self._files_by_name: dict[Path, dict[str, list[str]]] = {}
        self._by_file: dict[str, Site | None] = {}
        self._by_folder: dict[Path, Site | None] = {}
        self._by_root: dict[Path, Site | None] = {}
        self._anchors: dict[Path, set[str] | None] = {}
        self._layout_anchors: dict[Path, set[str]] = {}
        self.problems: list[str] = []  # configurations that could not be read

    def site_of(self, source_file: str) -> Site | None:
        if source_file not in self._by_file:  # asked for every link: one lookup per file
            folder = real_folder_of(source_file)
            if folder not in self._by_folder:
                self._by_folder[folder] = self._find(folder)
            self._by_file[source_file] = self._by_folder[folder]
        return self._by_file[source_file]

    def _find(self, folder: Path) -> Site | None:
        candidates = [Path(r).resolve() for r in self._root_dirs] or [folder, *folder.parents]
        for candidate in candidates:
            if candidate in self._by_root:
                return self._by_root[candidate]
            if any((candidate / name).is_file() for name in _JEKYLL_CONFIGS):
                if _is_hexo(candidate):  # Hexo names its config _config.yml too
                    return None
                return self._read(candidate, read_jekyll)
            for find_config, read in _CONFIGURED:
                try:
                    config = find_config(candidate)
                except ValueError as error:
                    self.problems.append(str(error))
                    return None
                if config is not None:
                    return self._read(candidate, functools.partial(read, config=config))
            if _other_generator(candidate):  # a site we do not model: judged by its files
                return None
            if (candidate / ".git").exists():  # a repository with no generator: GitHub's
                return None if self._root_dirs else self._repository(candidate)
        return None

    def _repository(self, root: Path) -> Site:
        if root not in self._by_root:
            self._by_root[root] = Site(
                root=root,
                generator="github",
                base_path="",
                domains=(),
                dialect=self._dialect or "github",
                complete=False,
                relative_to_source=True,
                repository=True,
            )
        site = self._by_root[root]
        assert site is not None
        return site

    def _read(self, root: Path, reader: Callable[[Path], Site]) -> Site | None:
        if root not in self._by_root:
            try:
                site: Site | None = reader(root)
            except ValueError as error:
                self.problems.append(str(error))
                site = None
            if site is not None and self._dialect is not None:
                site.dialect = self._dialect
            self._by_root[root] = site
        return self._by_root[root]

    def anchors(self, site: Site, page: Page) -> set[str] | None:
        """The anchors the page will have (its layouts' included), None if unreadable."""
        if page.source not in self._anchors:
            try:
                text, _ = decode(page.source.read_bytes())
            except (OSError, DecodeError):
                self._anchors[page.source] = None
            else:
                own = markdown_anchors(text, site.dialect) if page.markdown else html_anchors(text)
                self._anchors[page.source] = own | self._layouts(site)
        return self._anchors[page.source]

    def _layouts(self, site: Site) -> set[str]:
        """Ids the layouts and includes put on every page (#comments, #top …)."""
        if site.root not in self._layout_anchors:
            found: set[str] = set()
            for folder in site.layout_dirs:
                if folder.is_dir():
                    for path in sorted(folder.rglob("*.html")):
                        if path.is_file():
                            found |= html_anchors(path.read_text("utf-8", errors="replace"))
            self._layout_anchors[site.root] = found
        return self._layout_anchors[site.root]

    def same_name(self, site: Site, path: str) -> list[str]:
        """Site paths of files named like the last segment of path (a picture filed in
        another folder)."""
        if site.root not in self._files_by_name:
            index: dict[str, list[str]] = {}
            for url in site.served_files():
                index.setdefault(url.rsplit("/", 1)[-1].lower(), []).append(url)
            self._files_by_name[site.root] = index
        name = unquote(path).rstrip("/").rsplit("/", 1)[-1].lower()
        return sorted(self._files_by_name[site.root].get(name, []))[:3]


def _is_hexo(root: Path) -> bool:
    """A Hexo site (source/_posts, scaffolds/, hexo in package.json): not read as Jekyll,
    whose permalinks would be wrong for it; its links stay judged by their files."""
    if (root / "source" / "_posts").is_dir() or (root / "scaffolds").is_dir():
        return True
    package = root / "package.json"
    try:
        return package.is_file() and '"hexo"' in package.read_text("utf-8", errors="replace")
    except OSError:
        return False


# Site generators linkcheck does not model (their heading ids differ from GitHub's): a
# folder holding one of these is left to the file rules, never read as GitHub renders it.
_OTHER_GENERATORS = (
    "package.json",  # Eleventy, Gatsby, Astro, Docusaurus, VuePress, VitePress, Hexo …
    "conf.py",  # Sphinx
    "pelicanconf.py",
    "book.toml",  # mdBook
    "config.toml",  # Zola, or a Hugo config without baseURL
    "config.yaml",
    "config.yml",
    ".eleventy.js",
    ".vuepress",
    ".vitepress",
)


def _other_generator(folder: Path) -> bool:
    return any((folder / marker).exists() for marker in _OTHER_GENERATORS)
