"""`linkcheck report`: the history in .linkcheck/state.db, per post, without the network."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from ..config import Config
from ..engine.checker import assemble
from ..engine.plan import Plan
from ..errors import InputError
from ..models import Status, Verdict
from ..paths import state_database
from .check import CheckOutcome
from .copies import attach_copies, local_snapshots, targets_with
from .loading import load_links
from .pipeline import acknowledge, exit_code_for
from .state import open_history

_NOT_CHECKED = Verdict(Status.UNKNOWN, "not-checked", None, "not checked by any run yet")


def history(
    paths: Sequence[str], config: Config, *, cwd: Path, stdin: BinaryIO | None = None
) -> CheckOutcome:
    """Each link's last recorded verdict, its history, and the copies of the dead ones.
    Raises InputError when there is no history, or it cannot be read."""
    database = state_database(cwd, config.state_dir)
    if not database.is_file():
        raise InputError(f"no history at {database}: run `linkcheck check` first")
    loaded = load_links(paths, config, cwd=cwd, stdin=stdin)
    plan = Plan(config, ignored=loaded.ignored)
    decided = plan.decide_all(loaded.links)
    targets = sorted({target for _, target, _ in decided if target is not None})
    with open_history(config, cwd) as state:
        last = state.last_verdicts(targets)
        verdicts = {url: last[url][0] if url in last else _NOT_CHECKED for url in targets}
        report = assemble(
            decided,
            verdicts,
            state,
            plan,
            offline=False,
            fetched=0,
            cached=len(last),
            min_failures=config.min_failures,
        )
        report = acknowledge(report, loaded.annotated, state)
        dead = targets_with(report, Status.DEAD)
        known = state.wayback(dead, max_age=1e12)
    wayback = {url: capture for url, capture in known.items() if capture}
    report = attach_copies(report, local_snapshots(cwd, config, dead), wayback)
    report = replace(report, warnings=tuple(loaded.warnings))
    return CheckOutcome(report, exit_code_for(report, config))
