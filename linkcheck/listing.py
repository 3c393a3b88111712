"""Output of `linkcheck extract`: a listing of links, as aligned text or versioned JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from .extract.normalize import normalize
from .local import resolve_local
from .models import Link, Scope, link_record

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
    # The site model (YAML and TOML readers) is imported for the JSON listing only.
    from .site import Sites
    from .site.decide import source_of

    sites = Sites(tuple(root_dirs))

    def path_of(link: Link) -> Path | None:
        """The file the published site serves there (a post's permalink) when the site is
        known, else the file the path names on disk."""
        if sites.site_of(link.file) is not None:
            return source_of(link.url, link.file, sites)
        return resolve_local(link.url, link.file, root_dirs)

    document = {
        "schema": JSON_SCHEMA,
        "links": [_record(link, path_of) for link in links],
        "warnings": list(warnings),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _shown(path: Path) -> str:
    """Relative to the working directory where it is inside it, with forward slashes."""
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        path = path.relative_to(Path.cwd())
    return os.path.normpath(path).replace(os.sep, "/")
