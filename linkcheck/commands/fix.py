"""`linkcheck fix`: check, plan the edits, write them back (or give a diff)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import write_bytes_atomically
from ..collect import STDIN
from ..config import Config
from ..decode import byte_order_mark
from ..errors import InputError
from ..fix import DeadMode, apply, review, unified_diff
from ..models import Progress, Result, Status
from ..paths import archive_folder, project_root
from .loading import load_links
from .pipeline import recorded_check

if TYPE_CHECKING:
    from ..site import Sites


@dataclass(frozen=True)
class FileFix:
    path: str
    edits: int
    diff: str | None  # with dry_run: the unified diff, and the file is left as it was


@dataclass(frozen=True)
class FixOutcome:
    files: tuple[FileFix, ...]  # the files changed (or, dry, that would change)
    warnings: tuple[str, ...]
    offline: bool = False  # no external link could be checked: nothing new was learned


def fix(
    paths: Sequence[str],
    config: Config,
    *,
    cwd: Path,
    dead: DeadMode,
    dry_run: bool,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
) -> FixOutcome:
    """Writes the files back (atomically, keeping encoding, BOM and mode) unless dry_run."""
    if STDIN in paths:
        raise InputError("fix rewrites files: standard input cannot be fixed")
    loaded = load_links(paths, config, cwd=cwd)
    report = recorded_check(loaded, config, cwd=cwd, progress=progress, notice=notice)
    by_file: dict[str, list[Result]] = {}
    for result in report.results:
        by_file.setdefault(result.link.file, []).append(result)
    files = []
    warnings = list(report.warnings)
    tree = project_root(cwd).resolve()
    published = _published(report.results, config, cwd, dead, warnings, dry_run=dry_run)
    for source in loaded.sources:
        planned = review(source.text, by_file.get(source.path, []), dead, published)
        warnings += (f"fix: left alone: {why}" for why in planned.refused)
        edits = planned.edits
        fixed = apply(source.text, edits) if edits else source.text
        if fixed == source.text:
            continue
        target = _writable(Path(source.path), tree)
        if target is None:
            warnings.append(
                f"fix: {source.path}: not written: a symbolic link to a file outside {tree}"
            )
            continue
        if dry_run:
            files.append(
                FileFix(source.path, len(edits), unified_diff(source.path, source.text, fixed))
            )
            continue
        data = byte_order_mark(target.read_bytes()) + fixed.encode(source.encoding)
        write_bytes_atomically(target, data, mode=target.stat().st_mode)
        files.append(FileFix(source.path, len(edits), None))
    return FixOutcome(tuple(files), tuple(warnings), report.offline)


def _published(
    results: Sequence[Result],
    config: Config,
    cwd: Path,
    dead: DeadMode,
    warnings: list[str],
    *,
    dry_run: bool = False,
) -> dict[tuple[str, str], str]:
    """For each dead link's URL with no Wayback capture: its newest local snapshot, copied
    into --publish-dir (not when dry_run), and the link a reader of each citing post
    opens it by ((target, post) → link). Where there is none, the run says so and nothing
    is written."""
    if dead is DeadMode.KEEP:
        return {}
    wanted: dict[str, list[str]] = {}  # target → the posts citing it
    for r in results:
        if r.verdict.status is Status.DEAD and r.target and not r.wayback:
            wanted.setdefault(r.target, []).append(r.link.file)
    if not wanted:
        return {}
    found: dict[tuple[str, str], str] = {}
    archive_root = archive_folder(cwd, config.state_dir)
    if config.publish_dir and archive_root.is_dir():
        from contextlib import closing

        from ..archive import Archive
        from ..archive.publish import publish_copy
        from ..site import Sites

        publish_dir = cwd / config.publish_dir
        sites = Sites(tuple(Path(r) for r in config.root_dir), config.slug_dialect, config.base_url)
        with closing(Archive(archive_root)) as archive:
            for target, posts in wanted.items():
                snapshot = archive.latest(target)
                if snapshot is None:
                    continue
                page = publish_dir / snapshot.id / snapshot.html_file
                if not dry_run:
                    page = publish_copy(archive.page_path(snapshot).parent, snapshot, publish_dir)
                for post in posts:
                    found[target, post] = _reader_link(page, post, sites)
    for target in sorted(set(wanted) - {target for target, _ in found}):
        hint = "" if config.publish_dir else "; --publish-dir publishes the local snapshot"
        warnings.append(
            f"fix: {target}: dead, and no copy its readers can open (no Wayback capture, "
            f"no published snapshot{hint}): left as it is"
        )
    return found


def _reader_link(page: Path, post: str, sites: Sites) -> str:
    """Where a reader of post opens page: its URL on the site (the site's base path and the
    page's place in it) when the post belongs to a site a generator publishes; else the
    path from the post's own folder, as GitHub and a folder of files serve it."""
    site = sites.site_of(post)
    page = page.resolve()
    if site is not None and not site.relative_to_source:
        root = site.root.resolve()
        if page.is_relative_to(root):
            return f"{site.base_path}/{page.relative_to(root).as_posix()}"
    return os.path.relpath(page, Path(post).resolve().parent).replace(os.sep, "/")


def _writable(path: Path, tree: Path) -> Path | None:
    """The file to write for path: itself, or the file a symbolic link on its way names
    when that stays inside the tree (the link is kept); None for one that leaves it."""
    target = path.resolve()
    if target == path.absolute():
        return path  # no link on the way
    return target if target.is_relative_to(tree) else None
