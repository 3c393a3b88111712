"""A Jekyll site read from its sources: the URL each post and page is published at.

The rules follow Jekyll's documentation of permalinks (the built-in styles and the
placeholders), of posts (``YYYY-M-D-slug.ext`` file names, categories from the front matter
and from the folders above ``_posts``), of pages and collections, and ``url``/``baseurl``.
Where Jekyll's behaviour is uncertain, a page is given every URL it might have: a missing
page is reported dead, so this errs towards finding one.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .model import Page, Site, address_of, folder_of_site

_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_POST_NAME = re.compile(r"^(\d{2,4})-(\d{1,2})-(\d{1,2})-(.+?)(\.[^.]+)$")
_MARKDOWN_EXTENSIONS = frozenset({".markdown", ".mkdown", ".mkdn", ".mkd", ".md"})
_PAGE_EXTENSIONS = _MARKDOWN_EXTENSIONS | {".html", ".htm"}
# Never part of the built site (Jekyll's default exclude list, and the folders it skips).
_EXCLUDED = frozenset(
    {
        "Gemfile",
        "Gemfile.lock",
        "node_modules",
        "vendor",
        ".bundle",
        ".sass-cache",
        ".jekyll-cache",
        "gemfiles",
        "_site",
        ".git",
    }
)
_PLACEHOLDER = re.compile(r":([a-z_]+)")
# The body is optional: `---` straight after `---` is an empty front matter, a page all the same.
_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(?:(.*?)\r?\n)??(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S
)
_FRONT_MATTER_READ = 16_384  # bytes: front matter is at the top of a file
# Plugins that write pages of their own: with one of these, a page the sources do not
# produce may still exist, so it is unknown rather than dead.
_PAGE_WRITING_PLUGINS = ("archives", "paginate", "tagging", "tag", "categor", "redirect")
# What the common plugins that write a known file publish.
_PLUGIN_FILES = {
    "jekyll-feed": ("/feed.xml",),
    "jekyll-sitemap": ("/sitemap.xml", "/robots.txt"),
}


def read_jekyll(root: Path) -> Site:
    """The site whose _config.yml is in root. Raises ValueError for a config that cannot
    be read, so the caller can fall back to judging links by the files alone."""
    config = _config(root)
    style = str(config.get("permalink") or "date")
    template = _STYLES.get(style, style)
    kramdown = config.get("kramdown") if isinstance(config.get("kramdown"), dict) else {}
    gfm = str(kramdown.get("input", "GFM")).lower() == "gfm" if kramdown else True
    site = Site(
        root=root,
        generator="jekyll",
        base_path=_base_path(config.get("baseurl")),
        domains=_domains(str(config.get("url") or "")),
        dialect="kramdown-gfm" if gfm else "kramdown",
        complete=not _writes_pages(config),
        layout_dirs=(root / "_layouts", root / "_includes"),
    )
    excluded = _EXCLUDED | {str(item) for item in config.get("exclude") or ()}
    for path in _posts(root, excluded):
        for url in _post_urls(path, root, template):
            site.add(Page(path, url, path.suffix.lower() in _MARKDOWN_EXTENSIONS))
    for path, data in _pages(root, excluded):
        for url in _page_urls(path, root, style, data):
            site.add(Page(path, url, path.suffix.lower() in _MARKDOWN_EXTENSIONS))
    for label, path, collection_template in _collection_documents(root, config):
        for url in _document_urls(path, root, label, collection_template):
            site.add(Page(path, url, path.suffix.lower() in _MARKDOWN_EXTENSIONS))
    for plugin in _plugins(config):
        for url in _PLUGIN_FILES.get(plugin, ()):
            site.add(Page(root / "_config.yml", url, markdown=False))
    site.post_pattern = _pattern(template)
    return site


def _config(root: Path) -> Mapping[str, Any]:
    import yaml  # here: only a Jekyll site needs it (15 ms of start)

    from .yamlsafe import load_yaml

    for name in ("_config.yml", "_config.yaml"):
        path = root / name
        if path.is_file():
            try:
                loaded = load_yaml(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                raise ValueError(f"{path}: cannot be read: {error}") from None
            return loaded if isinstance(loaded, dict) else {}
    raise ValueError(f"{root}: no _config.yml")


def _base_path(baseurl: object) -> str:
    text = str(baseurl or "").strip().rstrip("/")
    return "" if not text else "/" + text.lstrip("/")


def _domains(url: str) -> tuple[str, ...]:
    host, _ = address_of(url)
    return (host,) if host else ()


def _plugins(config: Mapping[str, Any]) -> list[str]:
    return [str(p) for key in ("plugins", "gems") for p in (config.get(key) or ())]


def _writes_pages(config: Mapping[str, Any]) -> bool:
    plugins = _plugins(config)
    return "paginate" in config or any(
        word in plugin for plugin in plugins for word in _PAGE_WRITING_PLUGINS
    )


def front_matter(path: Path) -> dict[str, Any] | None:
    """The YAML front matter of a file, None when it has none (or none that parses)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_FRONT_MATTER_READ).decode("utf-8", errors="replace")
    except OSError:
        return None
    match = _FRONT_MATTER.match(head)
    if match is None:
        return None
    import yaml  # here: only a Jekyll site needs it (15 ms of start)

    from .yamlsafe import load_yaml

    try:
        loaded = load_yaml(match.group(1) or "")
    except yaml.YAMLError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _walk(root: Path, excluded: frozenset[str]) -> Iterator[Path]:
    for path in sorted(root.iterdir()):
        if path.name in excluded or path.name.startswith("."):
            continue
        if path.is_dir():
            yield from _walk(path, excluded)
        elif path.is_file():
            yield path


def _posts(root: Path, excluded: frozenset[str]) -> Iterator[Path]:
    for folder in _post_folders(root, excluded):
        for path in _walk(folder, excluded):
            if _POST_NAME.match(path.name) and path.suffix.lower() in _PAGE_EXTENSIONS:
                yield path


def _post_folders(root: Path, excluded: frozenset[str]) -> Iterator[Path]:
    """_posts at the root and below category folders (``dl/_posts``)."""
    for path in [root, *(p for p in _directories(root, excluded))]:
        if (path / "_posts").is_dir():
            yield path / "_posts"


def _directories(root: Path, excluded: frozenset[str]) -> Iterator[Path]:
    for path in sorted(root.iterdir()):
        if path.is_dir() and path.name not in excluded and not path.name.startswith((".", "_")):
            yield path
            yield from _directories(path, excluded)


def _pages(root: Path, excluded: frozenset[str]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Files outside underscore folders that Jekyll renders, with their front matter: those
    that have one (an empty one counts), and Markdown files without (GitHub Pages'
    jekyll-optional-front-matter)."""
    for path in _walk(root, excluded):
        relative = path.relative_to(root).parts
        if any(part.startswith("_") for part in relative):
            continue
        suffix = path.suffix.lower()
        if suffix not in _PAGE_EXTENSIONS:
            continue
        data = front_matter(path)
        if data is not None or suffix in _MARKDOWN_EXTENSIONS:
            yield path, data or {}


def _post_urls(path: Path, root: Path, site_template: str) -> list[str]:
    match = _POST_NAME.match(path.name)
    if match is None:
        return []
    data = front_matter(path) or {}
    if data.get("published") is False:
        return []
    year, month, day, slug, _ = match.groups()
    date = _date(data.get("date")) or _safe_date(int(year), int(month), int(day))
    if date is None:
        return []
    template = str(data.get("permalink") or site_template)
    template = _STYLES.get(template, template)
    slug = str(data.get("slug") or slug).rstrip(".")
    values = {
        **_date_values(date),
        "title": _slugify(slug, pretty=True, cased=True),
        "slug": _slugify(slug),
        "name": _slugify(path.stem),
        "output_ext": ".html",
        "path": path.relative_to(root).as_posix(),
        "collection": "posts",
    }
    return _unique(
        [
            _fill(template, {**values, "categories": c, "slugified_categories": s})
            for c, s in _category_paths(path, root, data)
        ]
    )


def _category_paths(path: Path, root: Path, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The :categories values a post's URL may take. Folders above _posts come first, then
    the front matter's. A `category: DL acceleration` string is one category to Jekyll's
    code (Document#populate_categories) but two in the working links of the real blog
    linkcheck is built for (antkillerfarm.github.io, /dl/acceleration/...): both are kept,
    as a wrong guess must not make a live post dead."""
    parts = path.relative_to(root).parts
    above = list(parts[: parts.index("_posts")])
    given: list[str] = []
    for key in ("categories", "category"):
        value = data.get(key)
        if isinstance(value, str):
            given.append(value)
        elif isinstance(value, list):
            given.extend(str(v) for v in value if v is not None)
    whole = _unique(above + [str(c) for c in given])
    split = _unique(above + [part for c in given for part in str(c).split()])
    variants = []
    for categories in (split, whole):
        variants.append(
            (
                "/".join(c.lower() for c in categories),
                "/".join(_slugify(c) for c in categories),
            )
        )
    return _unique(variants)


def _unique(items: list[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def _page_urls(path: Path, root: Path, style: str, data: Mapping[str, Any]) -> list[str]:
    permalink = data.get("permalink")
    if permalink:
        return [str(permalink)]
    relative = path.relative_to(root)
    folder = "/".join(relative.parts[:-1])
    prefix = f"/{folder}/" if folder else "/"
    if path.stem == "index" or path.stem.lower() == "readme":  # jekyll-readme-index
        return [prefix]
    if style == "pretty" or style.endswith("/"):
        return [f"{prefix}{path.stem}/"]
    return [f"{prefix}{path.stem}.html"]


def _collection_documents(root: Path, config: Mapping[str, Any]) -> Iterator[tuple[str, Path, str]]:
    collections = config.get("collections")
    if not isinstance(collections, dict):
        return
    for label, settings in collections.items():
        if label == "posts" or not isinstance(settings, dict) or not settings.get("output"):
            continue
        folder = folder_of_site(root, f"_{label}", "", key=f"collections.{label}")
        if not folder.is_dir():
            continue
        template = str(settings.get("permalink") or "/:collection/:path:output_ext")
        for path in _walk(folder, frozenset()):
            if path.suffix.lower() in _PAGE_EXTENSIONS:
                yield str(label), path, _STYLES.get(template, template)


def _document_urls(path: Path, root: Path, label: str, template: str) -> list[str]:
    data = front_matter(path) or {}
    if data.get("permalink"):
        return [str(data["permalink"])]
    inside = path.relative_to(root / f"_{label}").with_suffix("")
    values = {
        "collection": label,
        "path": inside.as_posix(),
        "name": _slugify(path.stem),
        "title": _slugify(str(data.get("slug") or path.stem), pretty=True, cased=True),
        "slug": _slugify(str(data.get("slug") or path.stem)),
        "output_ext": ".html",
        "categories": "",
        "slugified_categories": "",
    }
    date = _date(data.get("date"))
    if date is not None:
        values.update(_date_values(date))
    return [_fill(template, values)]


def _fill(template: str, values: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        for key in (name, name.rstrip("_")):
            if key in values:
                return values[key] + ("_" if key != name else "")
        return match.group()

    url = "/" + _PLACEHOLDER.sub(replace, template).replace("..", "/").replace("./", "")
    return re.sub(r"/{2,}", "/", url)


def _date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        match = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", value.strip())
        if match:
            return _safe_date(*(int(g) for g in match.groups()))
    return None


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year if year >= 100 else 2000 + year, month, day)
    except ValueError:
        return None


def _date_values(date: datetime.date) -> dict[str, str]:
    iso_year, iso_week, iso_day = date.isocalendar()
    return {
        "year": f"{date.year:04d}",
        "short_year": f"{date.year % 100:02d}",
        "month": f"{date.month:02d}",
        "i_month": str(date.month),
        "short_month": date.strftime("%b"),
        "long_month": date.strftime("%B"),
        "day": f"{date.day:02d}",
        "i_day": str(date.day),
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "short_day": date.strftime("%a"),
        "long_day": date.strftime("%A"),
        "week": f"{iso_week:02d}",
        "w_year": str(iso_year),
        "w_day": str(iso_day),
        "hour": "00",
        "minute": "00",
        "second": "00",
    }


def _slugify(text: str, *, pretty: bool = False, cased: bool = False) -> str:
    """Jekyll's Utils.slugify in its "default" and "pretty" modes: runs of characters that
    are not letters, marks or digits (nor, when pretty, ``._~!$&'()+,;=@``) become one
    hyphen; hyphens at either end go; lower-cased unless cased."""
    kept = "._~!$&'()+,;=@" if pretty else ""
    out: list[str] = []
    for ch in text:
        if ch in kept or unicodedata.category(ch)[0] in "LM" or unicodedata.category(ch) == "Nd":
            out.append(ch)
        elif not out or out[-1] != "-":
            out.append("-")
    slug = "".join(out).strip("-")
    return slug if cased else slug.lower()


def _pattern(template: str) -> re.Pattern[str]:
    """What a post's URL looks like under template, whatever its date, title and categories:
    a link of this shape that no post has is a post that is not there."""
    parts = {
        "categories": r"(?:[^/]+(?:/[^/]+)*)?",
        "slugified_categories": r"(?:[^/]+(?:/[^/]+)*)?",
        "year": r"\d{4}",
        "short_year": r"\d{2}",
        "month": r"\d{2}",
        "i_month": r"\d{1,2}",
        "day": r"\d{2}",
        "i_day": r"\d{1,2}",
        "y_day": r"\d{3}",
        "output_ext": r"\.html",
    }
    pattern = ""
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        pattern += re.escape(template[position : match.start()])
        pattern += parts.get(match.group(1), r"[^/]+")
        position = match.end()
    pattern += re.escape(template[position:])
    pattern = re.sub(r"(?:\\/)+", "/+", pattern)
    return re.compile(pattern.rstrip("/") + "/?")
