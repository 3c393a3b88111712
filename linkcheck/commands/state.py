"""The history database's own commands: `linkcheck state merge DB...` (the shards'
histories folded into the project's) and `linkcheck ack URL...` (dead links dealt with)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import InputError
from ..paths import state_database
from ..state import State, StateError


@dataclass(frozen=True)
class Merged:
    into: Path
    databases: int
    rows: int  # cache, streak and Wayback rows newer in the shards than here
    runs: int  # runs added to the history
    skipped: int  # rows of the wrong type or size, left out


def merge_states(databases: Sequence[Path], config: Config, *, cwd: Path) -> Merged:
    """Raises InputError for a database that cannot be merged; those before it are."""
    into = state_database(cwd, config.state_dir)
    if not databases:
        raise InputError("state merge needs the shards' state databases")
    for database in databases:
        if database.resolve() == into.resolve():
            raise InputError(f"{database}: is the project's own state database")
    rows = runs = skipped = 0
    with open_history(config, cwd) as state:
        try:
            for database in databases:
                taken, added, left_out = state.merge(database)
                rows, runs, skipped = rows + taken, runs + added, skipped + left_out
        except StateError as error:
            raise InputError(f"cannot merge {error}") from None
    return Merged(into, len(databases), rows, runs, skipped)


def open_history(config: Config, cwd: Path) -> closing[State]:
    """The project's state database, closed when the block ends. Raises InputError."""
    try:
        return closing(State(state_database(cwd, config.state_dir)))
    except StateError as error:
        raise InputError(f"the history cannot be read: {error}") from None


def set_acknowledged(
    urls: Sequence[str], config: Config, *, cwd: Path, remove: bool, note: str | None
) -> int:
    """Acknowledge the URLs (normalised as their links' targets are), or take it back;
    how many changed."""
    from ..extract.normalize import normalize

    targets = [normalize(url).url for url in urls]
    with open_history(config, cwd) as state:
        return state.unacknowledge(targets) if remove else state.acknowledge(targets, note)


def acknowledged(config: Config, *, cwd: Path) -> list[tuple[str, str | None]]:
    """(url, note) of every acknowledged URL, by URL."""
    if not state_database(cwd, config.state_dir).is_file():
        return []
    with open_history(config, cwd) as state:
        return [(url, note) for url, (_, note) in state.acknowledged().items()]
