"""Output of `linkcheck extract`: a listing of links, as aligned text or versioned JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .engine.local import resolve_local
from .extract.normalize import normalize
from .models import Link, Scope, flat_json, link_record

JSON_SCHEMA = "linkcheck.extract/1"


def as_text(links: Sequence[Link]) -> str:
    """``file:line:col  kind  url`` per link, columns aligned."""
    if not links:
        return ""
    places = [f"{link.file}:{link.line}:{link.column}" for link in links]
    place_width = max(map(len, places))
    kind_width = max(len(link.kind.value) for link in links)
    rows = (
        f"{place:<{place_width}} {link.kind.value:<{kind_width}}  {link.raw}".rstrip()
        for place, link in zip(places, links, strict=True)
    )
    return "\n".join(rows) + "\n"


def _record(link: Link, path_of: Callable[[Link], Path | None]) -> dict[str, object]:
    record = {**link_record(link), "text": link.text}
    if link.scope is Scope.EXTERNAL:
        target = normalize(link.url)
        record["target"] = target.url
        record["fragment"] = target.fragment
        record["unwrapped_from"] = target.wrapped_in
    elif link.scope is Scope.LOCAL and link.file != "-":
        found = path_of(link)
        record["path"] = _shown(found) if found is not None else None
    return record


def as_json(links: Sequence[Link], warnings: Sequence[str], root_dirs: Sequence[Path]) -> str:
    return "".join(json_pieces(links, warnings, root_dirs))


def json_pieces(
    links: Sequence[Link], warnings: Sequence[str], root_dirs: Sequence[Path]
) -> Iterator[str]:
    """The JSON listing, a record at a time, as json.dumps(indent=2) would write it whole:
    at 27,000 links, the document and its text are never held at once."""
    # The site model (YAML and TOML readers) is imported for the JSON listing only.
    from .site import Sites
    from .site.decide import source_of

    sites = Sites(tuple(root_dirs))
    # A site-absolute path names the same file from every post of a folder (a relative one
    # in a site is read from each post's own permalink): asked once per folder.
    found: dict[tuple[str, str], Path | None] = {}

    def path_of(link: Link) -> Path | None:
        """The file the published site serves there (a post's permalink) when the site is
        known, else the file the path names on disk."""
        in_site = sites.site_of(link.file) is not None
        shared = link.url.startswith("/") or not in_site
        key = (link.url, os.path.dirname(link.file) if shared else link.file)
        if key not in found:
            if in_site:
                found[key] = source_of(link.url, link.file, sites)
            else:
                found[key] = resolve_local(link.url, link.file, root_dirs)
        return found[key]

    yield '{\n  "schema": ' + json.dumps(JSON_SCHEMA) + ',\n  "links": '
    if links:
        yield "[\n"
        for index, link in enumerate(links):
            yield (",\n" if index else "") + flat_json(_record(link, path_of))
        yield "\n  ]"
    else:
        yield "[]"
    nested = json.dumps(list(warnings), ensure_ascii=False, indent=2).replace("\n", "\n  ")
    yield ',\n  "warnings": ' + nested + "\n}\n"


def _shown(path: Path) -> str:
    """Relative to the working directory where it is inside it, with forward slashes."""
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        path = path.relative_to(Path.cwd())
    return os.path.normpath(path).replace(os.sep, "/")
