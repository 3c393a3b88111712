"""An MkDocs site read from its sources: every Markdown file of ``docs_dir`` is a page,
published at ``foo/`` (``use_directory_urls``, the default) or ``foo.html``; ``index.md``
and ``README.md`` at their folder; other files as they are; ``site_url`` gives the domain
and the path the site is mounted at (MkDocs' documentation of its configuration).

MkDocs resolves a relative link from the Markdown file that holds it, not from the page's
URL (it rewrites them for the built pages), so the site says so (``relative_to_source``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .model import MARKDOWN_FILES, Page, Site, address_of, folder_of_site

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


@functools.cache
def _loader() -> Any:
    """mkdocs.yml may hold !!python/name: and !ENV tags: safe loading with every tag read
    as nothing (their values do not matter here). Made on first use: only an MkDocs site
    needs yaml (15 ms of start)."""
    import yaml

    loader: Any = type("MkDocsLoader", (yaml.SafeLoader,), {})
    loader.add_multi_constructor("", lambda loader, suffix, node: None)
    return loader


def mkdocs_config(root: Path) -> Mapping[str, Any] | None:
    """The configuration at root, None when root is no MkDocs site. Raises ValueError for
    one that cannot be read."""
    for name in CONFIG_NAMES:
        path = root / name
        if path.is_file():
            import yaml

            from .yamlsafe import load_yaml

            try:
                loaded = load_yaml(path.read_text(encoding="utf-8"), _loader())
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                raise ValueError(f"{path}: cannot be read: {error}") from None
            return loaded if isinstance(loaded, dict) else {}
    return None


def read_mkdocs(root: Path, config: Mapping[str, Any]) -> Site:
    host, base = address_of(str(config.get("site_url") or ""))
    docs = folder_of_site(root, config.get("docs_dir"), "docs", key="docs_dir")
    directory_urls = config.get("use_directory_urls", True) is not False
    site = Site(
        root=root,
        generator="mkdocs",
        base_path=base,
        domains=(host,) if host else (),
        dialect="mkdocs",
        complete=True,
        static_dirs=(docs,),
        relative_to_source=True,
    )
    for path in sorted(docs.rglob("*")) if docs.is_dir() else ():
        if path.is_file() and path.suffix.lower() in MARKDOWN_FILES:
            site.add(Page(path, _url(path.relative_to(docs), directory_urls), markdown=True))
    return site


def _url(relative: Path, directory_urls: bool) -> str:
    folder = "/".join(relative.parts[:-1])
    prefix = f"/{folder}/" if folder else "/"
    if relative.stem.lower() in ("index", "readme"):
        return prefix
    return f"{prefix}{relative.stem}/" if directory_urls else f"{prefix}{relative.stem}.html"
