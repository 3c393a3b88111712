"""`linkcheck archive …`: snapshot the pages the sources cite, or use the archive."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..archive import Archive, archive_urls
from ..archive.store import Snapshot
from ..asyncrun import run as run_coroutine
from ..config import Config
from ..errors import InputError
from ..models import Progress
from ..paths import archive_folder
from .loading import load_links
from .pipeline import external_targets

KEPT = ("archived", "unchanged", "recent")  # the results that leave a snapshot to open


@dataclass(frozen=True)
class Archived:
    """One URL's outcome: archived, unchanged, recent, failed or refused."""

    url: str
    result: str
    page: Path | None  # the readable copy, for the results in KEPT
    detail: str | None


def _open(cwd: Path, config: Config, *, existing: bool) -> closing[Archive]:
    """The project's archive, closed when the block ends; existing: it must be there."""
    root = archive_folder(cwd, config.state_dir)
    if existing and not root.exists():
        raise InputError(f"no archive at {root}: run `linkcheck archive PATH...` first")
    return closing(Archive(root))


def archive_sources(
    paths: Sequence[str],
    config: Config,
    *,
    cwd: Path,
    max_age: float | None,
    stdin: BinaryIO | None = None,
    progress: Progress | None = None,
) -> list[Archived]:
    """Snapshot every external URL the sources cite (skipping those archived within
    max_age seconds)."""
    urls = external_targets(load_links(paths, config, cwd=cwd, stdin=stdin), config)
    with _open(cwd, config, existing=False) as archive:
        outcomes = run_coroutine(
            archive_urls(urls, archive, config, max_age=max_age, progress=progress)
        )
        return [
            Archived(
                o.url,
                o.result,
                archive.page_path(o.snapshot)
                if o.snapshot is not None and o.result in KEPT
                else None,
                o.detail,
            )
            for o in outcomes
        ]


def snapshots(cwd: Path, config: Config, url: str | None) -> list[Snapshot]:
    """Every snapshot, or those of one URL."""
    with _open(cwd, config, existing=True) as archive:
        return archive.snapshots(url)


def newest_page(cwd: Path, config: Config, url: str) -> Path:
    """The readable copy of url's newest complete snapshot. Raises InputError."""
    with _open(cwd, config, existing=True) as archive:
        snapshot = archive.latest(url)
        if snapshot is not None:
            return archive.page_path(snapshot)
        partial = archive.snapshots(url)
        if partial:  # only cut-short copies: say so rather than "none"
            newest = max(partial, key=lambda s: s.captured_at)
            raise InputError(
                f"no complete snapshot of {url}: the newest, {newest.id}, is "
                f"{newest.quality} (the page was larger than the size cap): "
                f"{archive.page_path(newest)}"
            )
        raise InputError(f"no snapshot of {url}")


def export(cwd: Path, config: Config, output: Path) -> int:
    """Every snapshot into one WARC; the count."""
    with _open(cwd, config, existing=True) as archive:
        return archive.export(output)


def verify(cwd: Path, config: Config) -> tuple[int, list[str]]:
    """(snapshots, problems found)."""
    with _open(cwd, config, existing=True) as archive:
        return len(archive.snapshots()), archive.verify()
