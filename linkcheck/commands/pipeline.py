"""The stages every command shares after loading the links (loading.py), in the order of
DESIGN.md §1: plan their targets, check them with the run recorded in the state database,
attach the copies (archive, Wayback), and the exit code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..asyncrun import run as run_coroutine
from ..config import Config
from ..engine.plan import Plan
from ..errors import ExitCode
from ..models import CheckReport, Link, Progress, Status, fails
from ..paths import state_database
from ..state import State, StateError
from .copies import check_with_copies
from .loading import Loaded


def external_targets(loaded: Loaded, config: Config) -> list[str]:
    """The external URLs the links cite, normalised, exclusions applied, each once."""
    return sorted(cited_targets(loaded, config))


def cited_targets(loaded: Loaded, config: Config) -> dict[str, list[tuple[str, int]]]:
    """Each external URL the links cite (normalised, exclusions applied), with the places
    that cite it: (file, line)."""
    decided = Plan(config, ignored=loaded.ignored).decide_all(loaded.links)
    cited: dict[str, list[tuple[str, int]]] = {}
    for link, target, _ in decided:
        if target is not None:
            cited.setdefault(target, []).append((link.file, link.line))
    return cited


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
    return replace(report, warnings=(*warnings, *report.warnings), shard=config.shard)


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
    """Offline, a run could not check: exit 3, except in --changed-only (the pre-commit
    hook), where it is a warning: a laptop on a train may still commit, and the links it
    could judge (local files) still fail the commit if they are dead."""
    failed = any(fails(r, config.fail_on, config.fail_on_acknowledged) for r in report.results)
    if report.offline and not config.changed_only:
        return ExitCode.COULD_NOT_CHECK
    return ExitCode.LINKS_FAILED if failed else ExitCode.OK
