"""Output of `linkcheck extract`: a listing of links, as aligned text or versioned JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from .engine.local import resolve_local
from .extract.normalize import normalize
from .models import Link, LinkKind, Scope

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


# A record written by template rather than built as a dict and encoded: a third of the
# listing's time at 27,000 links (issue 26). Laid out exactly as json.dumps(indent=2) lays
# out a record of a list at depth 1; strings through the C encoder's own string form
# (ensure_ascii=False), so every escape is json's.
_string = json.encoder.encode_basestring
_NEXT = ',\n      "'
# Records are written this many at a time: few writes, and little held at once.
_BATCH = 2_000
# The fields between a link's column and its URL, the same for every link of a kind and scope.
_KIND_AND_SCOPE = {
    (kind, scope): f'{_NEXT}kind": {_string(kind.value)}{_NEXT}scope": {_string(scope.value)}'
    f'{_NEXT}url": '
    for kind in LinkKind
    for scope in Scope
}


def _optional(value: str | None) -> str:
    return "null" if value is None else _string(value)


def json_details(root_dirs: Sequence[Path]) -> Callable[[Link], str]:
    """The fields the JSON listing writes after a link's place, form and text: what it
    becomes (an external link's target, a local link's file, found through the site model),
    or nothing. The costly part of a record (normalising, looking on disk): `extract` makes
    it in the extraction's workers (extract/parallel.py), the rest as it writes."""
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

    def details(link: Link) -> str:
        if link.scope is Scope.EXTERNAL:
            target = normalize(link.url)
            return (
                f'{_NEXT}target": {_string(target.url)}{_NEXT}fragment": '
                f'{_optional(target.fragment)}{_NEXT}unwrapped_from": '
                f"{_optional(target.wrapped_in)}"
            )
        if link.scope is Scope.LOCAL and link.file != "-":
            path = path_of(link)
            return f'{_NEXT}path": {_optional(None if path is None else _shown(path))}'
        return ""

    return details


def json_pieces(links: Iterable[tuple[Link, str]], warnings: Sequence[str]) -> Iterator[str]:
    """The JSON listing of links, each with its json_details, a batch of records at a time,
    as json.dumps(indent=2) would write it whole: at 27,000 links, the document and its text
    are never held at once. A record holds the link's place and form (models.link_record),
    its text, then its details."""
    yield '{\n  "schema": ' + json.dumps(JSON_SCHEMA) + ',\n  "links": '
    openings: dict[str, str] = {}  # a file's opening, made once per file
    batch: list[str] = []
    opened = False
    for link, details in links:
        opening = openings.get(link.file)
        if opening is None:
            opening = f'    {{\n      "file": {_string(link.file)}{_NEXT}line": '
            openings[link.file] = opening
        batch.append(
            f'{opening}{link.line}{_NEXT}column": {link.column}'
            f"{_KIND_AND_SCOPE[link.kind, link.scope]}{_string(link.raw)}"
            f'{_NEXT}text": {_optional(link.text)}{details}\n    }}'
        )
        if len(batch) == _BATCH:
            yield (",\n" if opened else "[\n") + ",\n".join(batch)
            batch, opened = [], True
    if batch:
        yield (",\n" if opened else "[\n") + ",\n".join(batch)
        opened = True
    yield "\n  ]" if opened else "[]"
    nested = json.dumps(list(warnings), ensure_ascii=False, indent=2).replace("\n", "\n  ")
    yield ',\n  "warnings": ' + nested + "\n}\n"


def _shown(path: Path) -> str:
    """Relative to the working directory where it is inside it, with forward slashes."""
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        path = path.relative_to(Path.cwd())
    return os.path.normpath(path).replace(os.sep, "/")
