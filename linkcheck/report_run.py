"""`linkcheck report`: the history in .linkcheck/state.db, per post, without the network."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from .checker import CheckReport, Plan, assemble
from .collect import DEFAULT_SUFFIXES, collect
from .config import Config
from .errors import ExitCode, InputError
from .extract.parallel import extract_sources
from .formats import Format
from .models import Status, Verdict
from .report import ReportOptions, reporter_for
from .run import archive_root, attach_copies, exit_code_for, newest_pages, project_root
from .state import State


def report_command(
    paths: Sequence[str],
    config: Config,
    *,
    cwd: Path,
    stdin: BinaryIO | None,
    verbose: bool = False,
    quiet: bool = False,
) -> tuple[str, ExitCode, list[str]]:
    root = project_root(cwd) / config.state_dir
    if not (root / "state.db").is_file():
        raise InputError(f"no history at {root / 'state.db'}: run `linkcheck check` first")
    collected = collect(
        paths,
        suffixes=config.extensions or DEFAULT_SUFFIXES,
        stdin=stdin,
        gitignore=config.gitignore,
    )
    links = extract_sources(collected.sources)
    plan = Plan(config)
    decided = plan.decide_all(links)
    targets = sorted({target for _, target, _ in decided if target is not None})
    state = State(root / "state.db")
    try:
        last = state.last_verdicts(targets)
        verdicts = {
            url: last[url][0]
            if url in last
            else Verdict(Status.UNKNOWN, "not-checked", None, "not checked by any run yet")
            for url in targets
        }
        report = assemble(
            decided,
            verdicts,
            state,
            plan.wrappers,
            offline=False,
            fetched=0,
            cached=len(last),
            min_failures=config.min_failures,
        )
        dead = [
            r.target
            for r in report.results
            if r.target is not None and r.verdict.status is Status.DEAD
        ]
        wayback = {
            url: capture for url, capture in state.wayback(dead, max_age=1e12).items() if capture
        }
    finally:
        state.close()
    snapshots: dict[str, str] = {}
    if dead and archive_root(cwd, config).is_dir():
        from .archive import Archive

        archive = Archive(archive_root(cwd, config))
        try:
            snapshots = newest_pages(archive, dead)
        finally:
            archive.close()
    report = attach_copies(report, snapshots, wayback)
    report = CheckReport(report.results, False, 0, report.cached, tuple(collected.warnings))
    options = ReportOptions(fail_on=config.fail_on, verbose=verbose, quiet=quiet)
    rendered = reporter_for(Format(config.format)).render(report, options)
    return rendered, exit_code_for(report, config), collected.warnings
