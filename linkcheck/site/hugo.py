"""A Hugo site read from its sources: the URL each page of content/ is published at.

The rules follow Hugo's documentation of content organisation (sections, page bundles,
``_index.md``), of URL management (``permalinks`` with ``:year``, ``:month``, ``:day``,
``:section``, ``:sections``, ``:title``, ``:slug``, ``:filename`` …; front matter ``url`` and
``slug``; ``uglyURLs``; paths lower-cased unless ``disablePathToLower``), ``baseURL``, and
``static/``. Heading ids: goldmark's ``autoHeadingIDType`` (``github`` by default).
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .model import Page, Site, address_of, folder_of_site

CONFIG_NAMES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json")
# Older sites name it config.*; it counts when it says baseURL (other tools use config.toml).
LEGACY_CONFIG_NAMES = ("config.toml", "config.yaml", "config.yml", "config.json")
_MARKDOWN = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})
_CONTENT = _MARKDOWN | {".html", ".htm"}
_PLACEHOLDER = re.compile(r":([a-z_]+)")
_FRONT_MATTER_READ = 16_384


def hugo_config(root: Path) -> Mapping[str, Any] | None:
    """The site configuration at root, None when root is not a Hugo site. Raises ValueError
    for one that cannot be read."""
    for name in (*CONFIG_NAMES, *LEGACY_CONFIG_NAMES):
        path = root / name
        if not path.is_file():
            continue
        try:
            config = _parse(path.suffix, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise ValueError(f"{path}: cannot be read: {error}") from None
        if name in CONFIG_NAMES or any(k.lower() == "baseurl" for k in config):
            return config
    return None


def _parse(suffix: str, text: str) -> dict[str, Any]:
    # Each parser is imported here, and only the one the file needs: a blog without a
    # configuration file never pays for them (20 ms of start).
    try:
        if suffix == ".toml":
            import tomllib

            loaded: Any = tomllib.loads(text)
        elif suffix == ".json":
            loaded = json.loads(text)
        else:
            loaded = _yaml(text)
    except RecursionError:  # tomllib and json recurse once per level of nesting
        raise ValueError("nested too deeply") from None
    return loaded if isinstance(loaded, dict) else {}


def _yaml(text: str) -> Any:
    import yaml

    from .yamlsafe import load_yaml

    try:
        return load_yaml(text)
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from None


def read_hugo(root: Path, config: Mapping[str, Any]) -> Site:
    settings = {str(k).lower(): v for k, v in config.items()}
    host, base_path = address_of(str(settings.get("baseurl") or ""))
    site = Site(
        root=root,
        generator="hugo",
        base_path=base_path,
        domains=(host,) if host else (),
        dialect=_dialect(settings),
        complete=True,
        layout_dirs=(root / "layouts", root / "themes"),
        static_dirs=(folder_of_site(root, settings.get("staticdir"), "static", key="staticDir"),),
    )
    site.generated = _generated(settings)
    content = folder_of_site(root, settings.get("contentdir"), "content", key="contentDir")
    permalinks = _permalinks(settings.get("permalinks"))
    ugly = bool(settings.get("uglyurls"))
    lower = not settings.get("disablepathtolower")
    for path in _content_files(content):
        data = _front_matter(path)
        if data.get("draft") is True:
            continue
        url = _url(path, content, data, permalinks, ugly=ugly, lower=lower)
        site.add(Page(path, url, path.suffix.lower() in _MARKDOWN))
        if path.stem in ("index", "_index"):  # a bundle's files are served beside it
            site.bundles[url] = path.parent
    return site


def _generated(settings: Mapping[str, Any]) -> re.Pattern[str]:
    """What Hugo writes without a content file: taxonomy pages (tags and categories unless
    configured otherwise), list pagination, feeds, the sitemap, 404 and robots pages."""
    taxonomies = settings.get("taxonomies")
    names = (
        [str(plural) for plural in taxonomies.values()]
        if isinstance(taxonomies, dict)
        else ["tags", "categories"]
    )
    listed = "|".join(re.escape(name.lower()) for name in names) or "(?!)"
    return re.compile(
        rf"/(?:{listed})(?:/|$)|(?:.*/)?page/\d+/?$|(?:.*/)?index\.xml$|/sitemap\.xml$"
        r"|/404\.html$|/robots\.txt$"
    )


def _dialect(settings: Mapping[str, Any]) -> str:
    markup = settings.get("markup") if isinstance(settings.get("markup"), dict) else {}
    goldmark = markup.get("goldmark", {}) if markup else {}
    parser = goldmark.get("parser", {}) if isinstance(goldmark, dict) else {}
    kind = str(parser.get("autoHeadingIDType", "github")) if isinstance(parser, dict) else ""
    return "github-ascii" if kind == "github-ascii" else "github"


def _permalinks(value: object) -> dict[str, str]:
    """section → pattern, from `permalinks` (old form) or `permalinks.page` (new form)."""
    if not isinstance(value, dict):
        return {}
    page = value.get("page")
    pages: dict[Any, Any] = page if isinstance(page, dict) else value
    return {str(k): str(v) for k, v in pages.items() if isinstance(v, str)}


def _content_files(content: Path) -> Iterator[Path]:
    if not content.is_dir():
        return
    for path in sorted(content.rglob("*")):
        if path.is_file() and path.suffix.lower() in _CONTENT:
            yield path


def _front_matter(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            head = handle.read(_FRONT_MATTER_READ).decode("utf-8", errors="replace")
    except OSError:
        return {}
    for opening, closing, suffix in (("---", "---", ".yaml"), ("+++", "+++", ".toml")):
        if head.startswith(opening):
            end = head.find("\n" + closing, len(opening))
            if end < 0:
                return {}
            try:
                return _parse(suffix, head[len(opening) : end])
            except ValueError:
                return {}
    return {}


def _url(
    path: Path,
    content: Path,
    data: Mapping[str, Any],
    permalinks: Mapping[str, str],
    *,
    ugly: bool,
    lower: bool,
) -> str:
    if data.get("url"):
        return "/" + str(data["url"]).lstrip("/")
    relative = path.relative_to(content)
    folders = list(relative.parts[:-1])
    if path.stem == "_index":  # a section's own page
        return "/" + "/".join(_urlize(f, lower) for f in folders) + ("/" if folders else "")
    name = folders.pop() if path.stem == "index" and folders else path.stem
    section = folders[0] if folders else ""
    pattern = permalinks.get(section)
    if pattern is not None and section:
        return _fill(pattern, name, folders, data, lower)
    slug = _urlize(str(data.get("slug") or name), lower)
    parts = [*(_urlize(f, lower) for f in folders), slug]
    return "/" + "/".join(parts) + (".html" if ugly else "/")


def _fill(
    pattern: str,
    name: str,
    folders: list[str],
    data: Mapping[str, Any],
    lower: bool,
) -> str:
    date = _date(data.get("date")) or datetime.date(1970, 1, 1)
    title = str(data.get("title") or name)
    values = {
        "year": f"{date.year:04d}",
        "month": f"{date.month:02d}",
        "monthname": date.strftime("%B").lower(),
        "day": f"{date.day:02d}",
        "weekday": str(date.isoweekday() % 7),
        "weekdayname": date.strftime("%A").lower(),
        "yearday": str(date.timetuple().tm_yday),
        "section": _urlize(folders[0], lower) if folders else "",
        "sections": "/".join(_urlize(f, lower) for f in folders),
        "title": _urlize(title, lower),
        "slug": _urlize(str(data.get("slug") or title), lower),
        "slugorfilename": _urlize(str(data.get("slug") or name), lower),
        "filename": _urlize(name, lower),
        "contentbasename": _urlize(name, lower),
    }
    filled = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group()), pattern)
    url = "/" + re.sub(r"/{2,}", "/", filled).lstrip("/")
    return url if url.endswith(("/", ".html")) else url + "/"


def _date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(value or ""))
    if match is None:
        return None
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _urlize(text: str, lower: bool) -> str:
    """Hugo's urlize for a path segment: spaces become hyphens, characters a path may not
    hold are dropped, and the result is lower-cased unless disablePathToLower."""
    kept = []
    for ch in text.strip():
        if ch.isspace():
            kept.append("-")
        elif ch in "-_.~" or unicodedata.category(ch)[0] in "LNM":
            kept.append(ch)
    slug = re.sub(r"-{2,}", "-", "".join(kept))
    return slug.lower() if lower else slug
