"""`linkcheck archive …`: snapshot the pages the sources cite, or use the archive."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..archive import Archive, archive_urls
from ..archive.store import Hit as Hit
from ..archive.store import Snapshot
from ..asyncrun import run as run_coroutine
from ..config import Config
from ..engine.schedule import duration_text
from ..errors import InputError
from ..models import Progress, Verdict
from ..paths import archive_folder, state_database
from ..state import State, StateError
from .loading import load_links
from .pipeline import cited_targets

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
    notice: Callable[[str], None] | None = None,
) -> list[Archived]:
    """Snapshot every external URL the sources cite (skipping those archived within
    max_age seconds), bounded as a check is: --budget pages at most, the stalest first
    (never archived, then archived longest ago); no capture starts after --max-time."""
    if config.offline:
        raise InputError("archive needs the network: --offline cannot archive anything")
    cited = cited_targets(load_links(paths, config, cwd=cwd, stdin=stdin), config)
    urls = sorted(cited)
    with _open(cwd, config, existing=False) as archive:
        archive.cite(cited)
        chosen = archive.stalest_first(urls)[: config.budget] if config.budget else urls
        if notice is not None:
            notice(_plan(len(urls), len(chosen), config))
        deadline = time.monotonic() + config.max_time if config.max_time else None
        outcomes = run_coroutine(
            archive_urls(
                chosen, archive, config, max_age=max_age, progress=progress, deadline=deadline
            )
        )
        verdicts = _verdicts_now(cwd, config, urls)
        index = archive.write_index(verdicts)
        if notice is not None:
            notice(f"the archive's index: {index}")
        if config.publish_dir:
            published = _publish(archive, urls, cwd / config.publish_dir, verdicts)
            if notice is not None:
                notice(f"published with the site: {published}")
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


def _publish(
    archive: Archive, urls: Sequence[str], folder: Path, verdicts: dict[str, Verdict]
) -> Path:
    """Each URL's newest good snapshot copied into the --publish-dir, and their index."""
    from ..archive.publish import publish_copy

    for url in urls:
        snapshot = archive.latest(url)
        if snapshot is not None:
            publish_copy(archive.page_path(snapshot).parent, snapshot, folder)
    return archive.write_index(verdicts, folder)


def _verdicts_now(cwd: Path, config: Config, urls: Sequence[str]) -> dict[str, Verdict]:
    """The last verdict the history holds for each URL (none before a first check)."""
    database = state_database(cwd, config.state_dir)
    if not database.is_file():
        return {}
    try:
        with closing(State(database)) as state:
            return {url: verdict for url, (verdict, _) in state.last_verdicts(urls).items()}
    except StateError:  # an unreadable history: the index says "not checked"
        return {}


def _plan(cited: int, chosen: int, config: Config) -> str:
    line = f"{cited:,} URL{'' if cited == 1 else 's'} cited: {chosen:,} to archive"
    if chosen < cited:
        line += f" (--budget {config.budget}: the stalest first; the rest on a later run)"
    if config.max_time is not None:
        line += f"; no capture starts after {duration_text(config.max_time)} (--max-time)"
    return line


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


def search(cwd: Path, config: Config, query: str) -> list[Hit]:
    """The snapshots whose readable text holds query, newest first. Raises InputError."""
    if not query.strip():
        raise InputError("usage: linkcheck archive search QUERY (a word or a phrase)")
    with _open(cwd, config, existing=True) as archive:
        return archive.search(query.strip())


def export(cwd: Path, config: Config, output: Path) -> int:
    """Every snapshot into one WARC, or a WACZ for a name ending in .wacz; the count."""
    with _open(cwd, config, existing=True) as archive:
        if output.suffix.lower() == ".wacz":
            from ..archive.wacz import write_wacz

            chosen = [(s, archive.warc_path(s)) for s in archive.snapshots()]
            return write_wacz(output, chosen)
        return archive.export(output)


def verify(cwd: Path, config: Config) -> tuple[int, list[str]]:
    """(snapshots, problems found)."""
    with _open(cwd, config, existing=True) as archive:
        return len(archive.snapshots()), archive.verify()
