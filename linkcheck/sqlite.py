"""Opening an SQLite database in WAL mode, when another process may be doing the same."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def open_wal(
    path: Path, *, schema: str, synchronous: str, busy_timeout: float = 30.0
) -> sqlite3.Connection:
    """A connection in autocommit mode with WAL on and the schema created. Switching a new
    database to WAL takes a lock SQLite does not wait for, so two runs that create it at
    once would fail: we wait for it ourselves, up to busy_timeout."""
    deadline = time.monotonic() + busy_timeout
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={synchronous}")
            db.executescript(schema)  # idempotent; executescript commits by itself
            return db
        except sqlite3.OperationalError as error:
            db.close()
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction on an autocommit connection, taken at once (BEGIN IMMEDIATE:
    a writer waits for the lock up front rather than failing half-way), undone on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
