"""`linkcheck archive …`: the command's work, for cli.py to print (nothing here prints)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from . import asyncrun
from .archive import Archive, archive_urls
from .archive.store import Outcome
from .checker import Progress
from .config import Config
from .errors import ExitCode, InputError
from .run import archive_root


def _targets(paths: Sequence[str], config: Config, stdin: BinaryIO | None) -> list[str]:
    """The external URLs the sources cite, normalised, exclusions applied."""
    from .checker import Plan
    from .collect import DEFAULT_SUFFIXES, collect
    from .extract.parallel import extract_sources

    collected = collect(
        paths,
        suffixes=config.extensions or DEFAULT_SUFFIXES,
        stdin=stdin,
        gitignore=config.gitignore,
    )
    plan = Plan(config)
    decided = plan.decide_all(extract_sources(collected.sources))
    return sorted({target for _, target, _ in decided if target is not None})


def _outcome_line(outcome: Outcome, archive: Archive) -> str:
    if outcome.snapshot is not None and outcome.result in ("archived", "unchanged", "recent"):
        where = archive.page_path(outcome.snapshot)
        return f"{outcome.result:<10} {outcome.url}\n{'':11}{where}"
    return f"{outcome.result:<10} {outcome.url}\n{'':11}{outcome.detail or ''}".rstrip()


def archive_command(
    args: Sequence[str],
    config: Config,
    *,
    cwd: Path,
    max_age: float | None,
    stdin: BinaryIO | None,
    progress: Progress | None = None,
) -> tuple[str, ExitCode]:
    root = archive_root(cwd, config)
    verb = args[0] if args and args[0] in ("list", "show", "export", "verify") else None
    if verb is not None and not root.exists():
        raise InputError(f"no archive at {root}: run `linkcheck archive PATH...` first")
    archive = Archive(root)
    try:
        if verb == "list":
            rows = archive.snapshots(args[1] if len(args) > 1 else None)
            lines = [
                f"{s.captured_at}  {s.id}  {s.http_status}  {s.url}  {s.title or ''}".rstrip()
                for s in rows
            ]
            return "\n".join(lines) + ("\n" if lines else ""), ExitCode.OK
        if verb == "show":
            if len(args) != 2:
                raise InputError("usage: linkcheck archive show URL")
            snapshot = archive.latest(args[1])
            if snapshot is None:
                partial = archive.snapshots(args[1])
                if partial:  # only cut-short copies: say so rather than "none"
                    newest = max(partial, key=lambda s: s.captured_at)
                    raise InputError(
                        f"no complete snapshot of {args[1]}: the newest, {newest.id}, is "
                        f"{newest.quality} (the page was larger than the size cap): "
                        f"{archive.page_path(newest)}"
                    )
                raise InputError(f"no snapshot of {args[1]}")
            return f"{archive.page_path(snapshot)}\n", ExitCode.OK
        if verb == "export":
            if len(args) != 2:
                raise InputError("usage: linkcheck archive export FILE.warc.gz")
            count = archive.export(Path(args[1]))
            return f"exported {count} snapshots to {args[1]}\n", ExitCode.OK
        if verb == "verify":
            problems = archive.verify()
            count = len(archive.snapshots())
            if problems:
                return "\n".join(problems) + "\n", ExitCode.LINKS_FAILED
            return f"{count} snapshots verified: every file present, every digest matches\n", (
                ExitCode.OK
            )
        urls = _targets(args, config, stdin)
        outcomes = asyncrun.run(
            archive_urls(urls, archive, config, max_age=max_age, progress=progress)
        )
        lines = [_outcome_line(outcome, archive) for outcome in outcomes]
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome.result] = counts.get(outcome.result, 0) + 1
        summary = ", ".join(f"{n} {result}" for result, n in sorted(counts.items()))
        lines.append(f"{len(outcomes)} URLs: {summary or 'nothing to archive'}")
        return "\n".join(lines) + "\n", ExitCode.OK
    finally:
        archive.close()
