"""The stages every command shares, in the order of DESIGN.md §1: load the links once
(collect → extract → changed-lines filter), plan their targets, check them with the run
recorded in the state database, attach the copies (archive, Wayback), and the exit code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from ..asyncrun import run as run_coroutine
from ..collect import DEFAULT_SUFFIXES, Source, collect
from ..config import Config
from ..directives import disabled_spans, is_disabled
from ..errors import ExitCode
from ..extract.parallel import extract_sources
from ..fix import annotated
from ..models import CheckReport, Link, Progress, Status, fails
from ..paths import state_database
from ..plan import Plan
from ..state import State, StateError
from .copies import check_with_copies


@dataclass(frozen=True)
class Loaded:
    """The links of the sources named, where they came from, and what was skipped."""

    links: list[Link]
    sources: list[Source]
    warnings: list[str]
    ignored: frozenset[Link] = frozenset()  # inside a linkcheck-disable comment's reach
    annotated: frozenset[Link] = frozenset()  # followed by the archive link fix writes


def load_links(
    paths: Sequence[str],
    config: Config,
    *,
    cwd: Path,
    stdin: BinaryIO | None = None,
    changed_only: bool = False,
) -> Loaded:
    """Raises InputError for a path that cannot be read at all; a file that cannot be
    decoded is a warning and the others are read."""
    collected = collect(
        paths,
        suffixes=config.extensions or DEFAULT_SUFFIXES,
        stdin=stdin,
        gitignore=config.gitignore,
    )
    links = extract_sources(collected.sources)
    if changed_only:
        links = _on_changed_lines(links, cwd)
    sources = collected.sources
    return Loaded(
        links, sources, collected.warnings, _ignored(sources, links), _annotated(sources, links)
    )


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


def _on_changed_lines(links: list[Link], cwd: Path) -> list[Link]:
    from ..changed import ALL_LINES, changed_lines

    files = sorted({link.file for link in links if link.file != "-"})
    changed = changed_lines(files, cwd) if files else {}
    kept = []
    for link in links:
        lines = changed.get((cwd / link.file).resolve(), set())
        if lines is ALL_LINES or (lines is not None and link.line in lines):
            kept.append(link)
    return kept


def external_targets(loaded: Loaded, config: Config) -> list[str]:
    """The external URLs the links cite, normalised, exclusions applied, each once."""
    decided = Plan(config, ignored=loaded.ignored).decide_all(loaded.links)
    return sorted({target for _, target, _ in decided if target is not None})


def recorded_check(
    loaded: Loaded,
    config: Config,
    *,
    cwd: Path,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
) -> CheckReport:
    """One recorded run: the state database opened, the run begun and finished around the
    check (a run that dies stays unfinished in the history), the database closed. The
    report carries every warning of the run, the sources' first."""
    warnings = list(loaded.warnings)
    try:
        state: State | None = State(state_database(cwd, config.state_dir))
    except StateError as error:
        warnings.append(f"state not used: {error}")
        state = None
    try:
        if state is not None:
            state.begin_run()
        report = run_coroutine(
            check_with_copies(
                loaded.links, loaded.ignored, config, state, cwd, warnings, progress, notice
            )
        )
        if state is not None:
            state.finish_run()
        report = acknowledge(report, loaded.annotated, state)
    finally:
        if state is not None:
            state.close()
    return replace(report, warnings=tuple(warnings), shard=config.shard)


def acknowledge(
    report: CheckReport, annotated: frozenset[Link], state: State | None
) -> CheckReport:
    """Mark the dead links the author has dealt with: annotated with an archived copy in
    the post, or acknowledged with `linkcheck ack` (in the state)."""
    dead = {r.target for r in report.results if r.target and r.verdict.status is Status.DEAD}
    acked = state.acknowledged(dead) if state is not None and dead else {}
    if not acked and not annotated:
        return report
    results = tuple(
        replace(result, acknowledged=True)
        if result.verdict.status is Status.DEAD
        and (result.link in annotated or (result.target or "") in acked)
        else result
        for result in report.results
    )
    return replace(report, results=results)


def exit_code_for(report: CheckReport, config: Config) -> ExitCode:
    if report.offline:
        return ExitCode.COULD_NOT_CHECK
    if any(fails(result, config.fail_on, config.fail_on_acknowledged) for result in report.results):
        return ExitCode.LINKS_FAILED
    return ExitCode.OK
