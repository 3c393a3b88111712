"""`linkcheck fix`: check, plan the edits, write them back (or give a diff)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_bytes_atomically
from ..collect import STDIN
from ..config import Config
from ..decode import byte_order_mark
from ..errors import InputError
from ..fix import DeadMode, apply, review, unified_diff
from ..models import Progress, Result
from ..paths import project_root
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
    for source in loaded.sources:
        planned = review(source.text, by_file.get(source.path, []), dead)
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


def _writable(path: Path, tree: Path) -> Path | None:
    """The file to write for path: itself, or the file a symbolic link on its way names
    when that stays inside the tree (the link is kept); None for one that leaves it."""
    target = path.resolve()
    if target == path.absolute():
        return path  # no link on the way
    return target if target.is_relative_to(tree) else None
