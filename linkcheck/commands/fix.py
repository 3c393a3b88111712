"""`linkcheck fix`: check, plan the edits, write them back (or give a diff)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_bytes_atomically
from ..collect import STDIN
from ..config import Config
from ..decode import byte_order_mark
from ..errors import InputError
from ..fix import DeadMode, apply, plan, unified_diff
from ..models import Progress, Result
from .loading import load_links
from .pipeline import recorded_check


@dataclass(frozen=True)
class FileFix:
    path: str
    edits: int
    diff: str | None  # with dry_run: the unified diff, and the file is left as it was


@dataclass(frozen=True)
class FixOutcome:
    files: tuple[FileFix, ...]  # the files changed (or, dry, that would change)
    warnings: tuple[str, ...]


def fix(
    paths: Sequence[str],
    config: Config,
    *,
    cwd: Path,
    dead: DeadMode,
    dry_run: bool,
    progress: Progress | None = None,
) -> FixOutcome:
    """Writes the files back (atomically, keeping encoding, BOM and mode) unless dry_run."""
    if STDIN in paths:
        raise InputError("fix rewrites files: standard input cannot be fixed")
    loaded = load_links(paths, config, cwd=cwd)
    report = recorded_check(loaded, config, cwd=cwd, progress=progress)
    by_file: dict[str, list[Result]] = {}
    for result in report.results:
        by_file.setdefault(result.link.file, []).append(result)
    files = []
    for source in loaded.sources:
        edits = plan(source.text, by_file.get(source.path, []), dead)
        fixed = apply(source.text, edits) if edits else source.text
        if fixed == source.text:
            continue
        if dry_run:
            files.append(
                FileFix(source.path, len(edits), unified_diff(source.path, source.text, fixed))
            )
            continue
        path = Path(source.path)
        data = byte_order_mark(path.read_bytes()) + fixed.encode(source.encoding)
        write_bytes_atomically(path, data, mode=path.stat().st_mode)
        files.append(FileFix(source.path, len(edits), None))
    return FixOutcome(tuple(files), report.warnings)
