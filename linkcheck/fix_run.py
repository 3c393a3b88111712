"""`linkcheck fix`: check, plan the edits, write them back (or print a diff)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .atomic import write_bytes_atomically
from .checker import Progress, Result
from .collect import DEFAULT_SUFFIXES, STDIN, collect
from .config import Config
from .decode import byte_order_mark
from .errors import InputError
from .extract.parallel import extract_sources
from .fix import DeadMode, apply, plan, unified_diff
from .run import check_with_state


def fix(
    paths: Sequence[str],
    config: Config,
    *,
    cwd: Path,
    dead: DeadMode,
    dry_run: bool,
    progress: Progress | None = None,
) -> tuple[str, list[str]]:
    """(output to print, warnings). Writes files unless dry_run."""
    if STDIN in paths:
        raise InputError("fix rewrites files: standard input cannot be fixed")
    collected = collect(
        paths, suffixes=config.extensions or DEFAULT_SUFFIXES, gitignore=config.gitignore
    )
    links = extract_sources(collected.sources)
    report = check_with_state(links, config, cwd, collected.warnings, progress)
    by_file: dict[str, list[Result]] = {}
    for result in report.results:
        by_file.setdefault(result.link.file, []).append(result)
    output: list[str] = []
    changed = 0
    for source in collected.sources:
        edits = plan(source.text, by_file.get(source.path, []), dead)
        if not edits:
            continue
        fixed = apply(source.text, edits)
        if fixed == source.text:
            continue
        changed += 1
        if dry_run:
            output.append(unified_diff(source.path, source.text, fixed))
            continue
        path = Path(source.path)
        bom = byte_order_mark(path.read_bytes())
        write_bytes_atomically(path, bom + fixed.encode(source.encoding), mode=path.stat().st_mode)
        output.append(f"fixed {len(edits)} link{'s' if len(edits) != 1 else ''} in {source.path}\n")
    if not changed:
        output.append("nothing to fix\n")
    return "".join(output), collected.warnings
