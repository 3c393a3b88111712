"""The first stage every command shares (DESIGN.md §1): the links of the sources named,
loaded once (collect → extract → changed-lines filter, disable comments, annotations).
Nothing here touches the network, so `linkcheck extract` imports no HTTP stack."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..collect import DEFAULT_SUFFIXES, Source, collect
from ..config import Config
from ..directives import disabled_spans, is_disabled
from ..extract.parallel import extract_and_render
from ..fix import annotated
from ..models import Link
from ..patterns import compile_pattern


@dataclass(frozen=True)
class Loaded:
    """The links of the sources named, where they came from, and what was skipped."""

    links: list[Link]
    sources: list[Source]
    warnings: list[str]
    ignored: frozenset[Link] = frozenset()  # inside a linkcheck-disable comment's reach
    annotated: frozenset[Link] = frozenset()  # followed by the archive link fix writes
    rendered: list[str] = field(default_factory=list)  # render(link) of each link, if asked


def load_links(
    paths: Sequence[str],
    config: Config,
    *,
    cwd: Path,
    stdin: BinaryIO | None = None,
    changed_only: bool = False,
    render: Callable[[Link], str] | None = None,
) -> Loaded:
    """Raises InputError for a path that cannot be read at all; a file that cannot be
    decoded is a warning and the others are read. With render, each link's rendering too,
    made where it is extracted (extract/parallel.py)."""
    collected = collect(
        paths,
        suffixes=config.extensions or DEFAULT_SUFFIXES,
        stdin=stdin,
        gitignore=config.gitignore,
        excluded=[compile_pattern(p, where="exclude-path") for p in config.exclude_path],
    )
    links, rendered = extract_and_render(collected.sources, render)
    if changed_only:
        kept = _on_changed_lines(links, cwd)
        links = [link for link, keep in zip(links, kept, strict=True) if keep]
        rendered = [text for text, keep in zip(rendered, kept, strict=False) if keep]
    sources = collected.sources
    ignored, annotated = _ignored(sources, links), _annotated(sources, links)
    return Loaded(links, sources, collected.warnings, ignored, annotated, rendered)


def _annotated(sources: Sequence[Source], links: Sequence[Link]) -> frozenset[Link]:
    by_file: dict[str, list[Link]] = {}
    for link in links:
        by_file.setdefault(link.file, []).append(link)
    found: set[Link] = set()
    for source in sources:
        found |= annotated(source.text, by_file.get(source.path, ()))
    return frozenset(found)


def _ignored(sources: Sequence[Source], links: Sequence[Link]) -> frozenset[Link]:
    """The links the sources' disable comments turn off."""
    spans = {
        source.path: found
        for source in sources
        if "-disable" in source.text and (found := disabled_spans(source.text))
    }
    if not spans:
        return frozenset()
    return frozenset(
        link
        for link in links
        if link.file in spans and is_disabled(link.line, link.column, spans[link.file])
    )


def _on_changed_lines(links: list[Link], cwd: Path) -> list[bool]:
    """For each link, whether it is on a line git says changed."""
    from ..changed import ALL_LINES, changed_lines

    files = sorted({link.file for link in links if link.file != "-"})
    changed = changed_lines(files, cwd) if files else {}
    kept = []
    for link in links:
        lines = changed.get((cwd / link.file).resolve(), set())
        kept.append(lines is ALL_LINES or (lines is not None and link.line in lines))
    return kept
