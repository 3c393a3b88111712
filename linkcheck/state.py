"""`.linkcheck/state.db`: the result cache and the history of verdicts (DESIGN.md §1 "record").

SQLite in WAL mode: readers never block the writer, two runs on the same state both finish
(each write is a short IMMEDIATE transaction with a generous busy timeout), and a run
killed at any moment leaves every committed result intact and the database usable.

Cache: one row per URL with its last verdict; a verdict is reused while younger than its
status's TTL (alive and redirected 7 days, dead 1 day, unknown never), capped by
--max-cache-age. An unknown the server's silence caused (UNREACHABLE_REASONS: refused,
timed out, a redirect loop, not HTTP) is reused for an hour: a run minutes later (a
pre-commit hook after a full check) would only pay the whole retry sequence to meet it
again, while a block, a challenge or a lost network is asked again at once.

History: one row per URL per run, kept for the last HISTORY_RUNS runs, and per URL the
first failure of its current failing streak, the last success and how many runs in a row
it failed.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager, closing
from pathlib import Path
from typing import Any

from .models import Status, UrlHistory, Verdict
from .paths import make_state_folder
from .sqlite import open_wal, transaction

SCHEMA_VERSION = 1
HISTORY_RUNS = 100
# Verdicts are committed in batches: at most this many, or this many seconds after the last.
FLUSH_ROWS = 500
FLUSH_SECONDS = 0.5
DEFAULT_TTLS: Mapping[Status, float] = {
    Status.ALIVE: 7 * 86400,
    Status.REDIRECTED: 7 * 86400,
    Status.DEAD: 86400,
    Status.UNKNOWN: 0,
    Status.EXCLUDED: 0,
}
UNREACHABLE_TTL = 3600.0
UNREACHABLE_REASONS = frozenset(
    {"connection-refused", "timeout", "redirect-loop", "too-many-redirects", "invalid-http"}
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cache (
    url TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT NOT NULL,
    final_url TEXT, detail TEXT, checked_at REAL NOT NULL, rule TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started_at REAL NOT NULL, finished_at REAL
);
CREATE TABLE IF NOT EXISTS history (
    run_id INTEGER NOT NULL, url TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,
    checked_at REAL NOT NULL, PRIMARY KEY (run_id, url)
);
CREATE INDEX IF NOT EXISTS history_by_url ON history (url, run_id);
CREATE TABLE IF NOT EXISTS wayback (
    url TEXT PRIMARY KEY, capture TEXT, looked_up_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS acknowledged (
    url TEXT PRIMARY KEY, since REAL NOT NULL, note TEXT
);
CREATE TABLE IF NOT EXISTS url_state (
    url TEXT PRIMARY KEY, last_status TEXT NOT NULL, last_checked REAL NOT NULL,
    last_success REAL, first_failure REAL, consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_reason TEXT, last_final_url TEXT, last_detail TEXT, last_rule TEXT
);
"""


_MERGED_TABLES = ("meta", "cache", "url_state", "wayback", "acknowledged", "runs", "history")


def _check_mergeable(path: Path) -> None:
    """path is a linkcheck state database of this schema, made of plain tables: no view
    (a recursive one never ends), no trigger, nothing that runs when read. Read-only, so a
    wrong file given by mistake is left exactly as it was."""
    if not path.is_file():
        raise StateError(f"{path}: no such file")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            db.execute("PRAGMA trusted_schema = OFF")
            kinds = dict(db.execute("SELECT name, type FROM sqlite_master").fetchall())
            code = [n for n, kind in kinds.items() if kind in ("view", "trigger")]
            if code:
                raise StateError(
                    f"{path}: not a linkcheck state database (it has views or triggers: "
                    f"{', '.join(sorted(code))[:200]})"
                )
            for table in _MERGED_TABLES:
                if kinds.get(table, "table") != "table":
                    raise StateError(f"{path}: not a linkcheck state database ({table})")
            row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    except sqlite3.DatabaseError as error:
        raise StateError(f"{path}: not a linkcheck state database ({error})") from None
    if row is None:
        raise StateError(f"{path}: not a linkcheck state database (no schema)")
    if str(row[0]) != str(SCHEMA_VERSION):
        raise StateError(
            f"{path}: schema {row[0]}, but this linkcheck writes {SCHEMA_VERSION}: "
            "merge databases written by the same version"
        )


# What a shard's row must be to be merged (a CI artifact is a file anyone could have
# written): statuses of the closed set, text of bounded length, times that are numbers.
# Times later than the merge are taken as the merge's time (:now), so a date in the future
# cannot make a cached verdict last for ever.
MAX_TEXT = 8192
_STATUSES = ", ".join(f"'{status.value}'" for status in Status)


def _text(column: str, *, null: bool = True) -> str:
    valid = f"(typeof({column}) = 'text' AND length({column}) <= {MAX_TEXT})"
    return f"({column} IS NULL OR {valid})" if null else valid


def _time(column: str, *, null: bool = False) -> str:
    valid = f"typeof({column}) IN ('integer', 'real')"
    return f"({column} IS NULL OR {valid})" if null else valid


def _status(column: str) -> str:
    return f"{column} IN ({_STATUSES})"


_VALID_ROWS = {
    "cache": " AND ".join(
        (
            _text("url", null=False),
            _status("status"),
            _text("reason", null=False),
            _text("final_url"),
            _text("detail"),
            _text("rule"),
            _time("checked_at"),
        )
    ),
    "url_state": " AND ".join(
        (
            _text("url", null=False),
            _status("last_status"),
            _time("last_checked"),
            _time("last_success", null=True),
            _time("first_failure", null=True),
            "typeof(consecutive_failures) = 'integer'",
            f"consecutive_failures BETWEEN 0 AND {HISTORY_RUNS * 1000}",
            _text("last_reason"),
            _text("last_final_url"),
            _text("last_detail"),
            _text("last_rule"),
        )
    ),
    "wayback": " AND ".join(
        (
            _text("url", null=False),
            _text("capture"),
            "(capture IS NULL OR lower(substr(capture, 1, 4)) = 'http')",
            _time("looked_up_at"),
        )
    ),
    "acknowledged": " AND ".join((_text("url", null=False), _time("since"), _text("note"))),
    "runs": " AND ".join((_time("started_at"), _time("finished_at", null=True))),
    "history": " AND ".join(
        (
            "typeof(run_id) = 'integer'",
            _text("url", null=False),
            _status("status"),
            _text("reason", null=False),
            _time("checked_at"),
        )
    ),
}
_CLOCKS = {
    "cache": ("checked_at",),
    "url_state": ("last_checked", "last_success", "first_failure"),
    "wayback": ("looked_up_at",),
    "acknowledged": ("since",),
    "runs": ("started_at", "finished_at"),
    "history": ("checked_at",),
}


def _clamped(table: str, column: str) -> str:
    """The column as merged: a time no later than :now."""
    return f"min({column}, :now)" if column in _CLOCKS[table] else column


def _newer_wins(table: str, key: str, columns: tuple[str, ...], clock: str) -> str:
    """Copy shard.table's valid rows in, replacing ours where the shard's clock is later."""
    names = (key, *columns, clock)
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*columns, clock))
    return (
        f"INSERT INTO {table} ({', '.join(names)}) "
        f"SELECT {', '.join(_clamped(table, n) for n in names)} FROM shard.{table} "
        f"WHERE {_VALID_ROWS[table]} "
        f"ON CONFLICT({key}) DO UPDATE SET {updates} WHERE excluded.{clock} > {table}.{clock}"
    )


_NEWER_ROW_WINS = (
    _newer_wins("cache", "url", ("status", "reason", "final_url", "detail", "rule"), "checked_at"),
    _newer_wins(
        "url_state",
        "url",
        (
            "last_status",
            "last_success",
            "first_failure",
            "consecutive_failures",
            "last_reason",
            "last_final_url",
            "last_detail",
            "last_rule",
        ),
        "last_checked",
    ),
    _newer_wins("wayback", "url", ("capture",), "looked_up_at"),
)


_STATUS_VALUES = {status.value: status for status in Status}


def _status_of(value: object) -> Status | None:
    """A row's status, None for one no linkcheck wrote (a database merged before merging
    checked its rows): such a row is passed over, never a crash."""
    return _STATUS_VALUES.get(value) if isinstance(value, str) else None


def _now(now: float | None) -> float:
    return time.time() if now is None else now


class StateError(Exception):
    """The state database cannot be used (corrupt, locked for too long, unwritable)."""


class State:
    def __init__(self, path: Path, *, busy_timeout: float = 30.0) -> None:
        self.path = path
        try:
            make_state_folder(path.parent)
            self._db = open_wal(
                path, schema=_SCHEMA, synchronous="NORMAL", busy_timeout=busy_timeout
            )
            with self._transaction():
                row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
                if row is None:
                    self._db.execute(
                        "INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                    )
                elif int(row[0]) > SCHEMA_VERSION:
                    raise StateError(f"{path}: written by a newer linkcheck (schema {row[0]})")
        except (OSError, sqlite3.DatabaseError) as error:
            raise StateError(f"{path}: {error}") from None
        self.run_id: int | None = None
        self._pending: list[tuple[str, Verdict, bool, float]] = []
        self._flushed_at = time.monotonic()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._db.close()

    def _transaction(self) -> AbstractContextManager[None]:
        return transaction(self._db)

    def _select_urls(
        self,
        columns: str,
        table: str,
        urls: Iterable[str],
        extra: str = "",
        params: tuple[object, ...] = (),
    ) -> list[tuple[Any, ...]]:
        """Rows of table for the given URLs, asked in chunks (SQLite caps the parameters)."""
        self.flush()  # returns at once inside a flush: its batch was taken already
        wanted = list(urls)
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT {columns} FROM {table} WHERE url IN ({marks}) {extra}"
            rows.extend(self._db.execute(query, (*chunk, *params)).fetchall())
        return rows

    # --- runs --------------------------------------------------------------------------

    def begin_run(self, now: float | None = None) -> int:
        with self._transaction():
            cursor = self._db.execute("INSERT INTO runs (started_at) VALUES (?)", (_now(now),))
        self.run_id = int(cursor.lastrowid or 0)
        return self.run_id

    def finish_run(self, now: float | None = None) -> None:
        self.flush()
        if self.run_id is None:
            return
        with self._transaction():
            self._db.execute(
                "UPDATE runs SET finished_at = ? WHERE id = ?", (_now(now), self.run_id)
            )
            self._trim_history()

    # --- acknowledged links (`linkcheck ack`) ------------------------------------------

    def acknowledge(self, urls: Iterable[str], note: str | None, now: float | None = None) -> int:
        """Mark dead URLs as dealt with; returns how many were new."""
        with self._transaction():
            return sum(
                self._db.execute(
                    "INSERT OR IGNORE INTO acknowledged VALUES (?, ?, ?)", (url, _now(now), note)
                ).rowcount
                for url in urls
            )

    def unacknowledge(self, urls: Iterable[str]) -> int:
        with self._transaction():
            return sum(
                self._db.execute("DELETE FROM acknowledged WHERE url = ?", (url,)).rowcount
                for url in urls
            )

    def acknowledged(
        self, urls: Iterable[str] | None = None
    ) -> dict[str, tuple[float, str | None]]:
        """{url: (since, note)} of the acknowledged URLs (among urls, if given)."""
        if urls is None:
            rows = self._db.execute("SELECT url, since, note FROM acknowledged ORDER BY url")
            return {url: (since, note) for url, since, note in rows.fetchall()}
        return {
            url: (since, note)
            for url, since, note in self._select_urls("url, since, note", "acknowledged", urls)
        }

    # --- merging the shards' databases ------------------------------------------------

    def merge(self, other: Path, now: float | None = None) -> tuple[int, int, int]:
        """Fold another state database (a shard's) into this one, in one transaction:
        for each URL the newer row wins (cache, url_state, Wayback lookups: the shard that
        checked a URL last holds its streak), and the other's runs are added with their
        history rows (runs both share, the shards' common past, are matched by their start
        time). Only rows of the right types and bounds are taken, their times no later than
        now. Returns (rows taken, runs added, rows left out). Raises StateError."""
        _check_mergeable(other)
        self.flush()
        clock = {"now": _now(now)}
        try:
            self._db.execute("PRAGMA trusted_schema = OFF")
            self._db.execute("ATTACH DATABASE ? AS shard", (str(other),))
        except sqlite3.DatabaseError as error:
            raise StateError(f"{other}: {error}") from None
        try:
            with self._transaction():
                skipped = sum(
                    self._db.execute(
                        f"SELECT count(*) FROM shard.{table} WHERE ({valid}) IS NOT 1"
                    ).fetchone()[0]
                    for table, valid in _VALID_ROWS.items()
                    if self._shard_has(table)
                )
                taken = sum(self._db.execute(sql, clock).rowcount for sql in _NEWER_ROW_WINS)
                if self._shard_has("acknowledged"):
                    self._db.execute(
                        "INSERT OR IGNORE INTO acknowledged SELECT url, min(since, :now), note "
                        f"FROM shard.acknowledged WHERE {_VALID_ROWS['acknowledged']}",
                        clock,
                    )
                added = self._merge_runs(clock)
                self._trim_history()
        except sqlite3.DatabaseError as error:
            raise StateError(f"{other}: {error}") from None
        finally:
            self._db.execute("DETACH DATABASE shard")
        return taken, added, skipped

    def _shard_has(self, table: str) -> bool:
        query = "SELECT 1 FROM shard.sqlite_master WHERE type = 'table' AND name = ?"
        return self._db.execute(query, (table,)).fetchone() is not None

    def _merge_runs(self, clock: Mapping[str, float]) -> int:
        self._db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS run_map (src INTEGER PRIMARY KEY, dst INTEGER)"
        )
        self._db.execute("DELETE FROM run_map")
        ours = dict(self._db.execute("SELECT started_at, id FROM runs").fetchall())
        added = 0
        # Only the runs the history keeps can matter: the shard's newest HISTORY_RUNS.
        newest = self._db.execute(
            "SELECT id, min(started_at, :now), min(finished_at, :now) FROM shard.runs "
            f"WHERE {_VALID_ROWS['runs']} ORDER BY id DESC LIMIT {HISTORY_RUNS}",
            clock,
        ).fetchall()
        for run_id, started_at, finished_at in reversed(newest):
            if started_at not in ours:
                cursor = self._db.execute(
                    "INSERT INTO runs (started_at, finished_at) VALUES (?, ?)",
                    (started_at, finished_at),
                )
                ours[started_at] = cursor.lastrowid
                added += 1
            self._db.execute("INSERT INTO run_map VALUES (?, ?)", (run_id, ours[started_at]))
        valid = _VALID_ROWS["history"].replace("run_id", "h.run_id")
        self._db.execute(
            "INSERT OR IGNORE INTO history SELECT m.dst, h.url, h.status, h.reason, "
            "min(h.checked_at, :now) FROM shard.history h JOIN run_map m ON m.src = h.run_id "
            f"WHERE {valid}",
            clock,
        )
        return added

    def _trim_history(self) -> None:
        """Bounded history: drop the runs (and their rows) beyond the newest HISTORY_RUNS."""
        old = "SELECT id FROM runs ORDER BY id DESC LIMIT -1 OFFSET ?"
        self._db.execute(f"DELETE FROM history WHERE run_id IN ({old})", (HISTORY_RUNS,))
        self._db.execute(f"DELETE FROM runs WHERE id IN ({old})", (HISTORY_RUNS,))

    # --- cache -------------------------------------------------------------------------

    def cached(
        self,
        urls: Iterable[str],
        *,
        now: float | None = None,
        ttls: Mapping[Status, float] = DEFAULT_TTLS,
        max_age: float | None = None,
    ) -> dict[str, Verdict]:
        now = _now(now)
        found: dict[str, Verdict] = {}
        columns = "url, status, reason, final_url, detail, checked_at, rule"
        for url, status, reason, final_url, detail, checked_at, rule in self._select_urls(
            columns, "cache", urls
        ):
            verdict_status = _status_of(status)
            if verdict_status is None or not isinstance(checked_at, int | float):
                continue
            ttl = ttls.get(verdict_status, 0)
            if verdict_status is Status.UNKNOWN and reason in UNREACHABLE_REASONS and not rule:
                ttl = UNREACHABLE_TTL
            if max_age is not None:
                ttl = min(ttl, max_age)
            if now - min(checked_at, now) < ttl:  # a time in the future counts as now
                found[url] = Verdict(
                    verdict_status, reason, final_url, detail, from_cache=True, rule=rule
                )
        return found

    def record(
        self, url: str, verdict: Verdict, *, cache: bool = True, now: float | None = None
    ) -> None:
        """Store one fresh verdict: cache row, history row, failure streak. Written in
        batches, one transaction each, so a run of 25,000 URLs does not wait on 25,000
        commits; a batch is committed at most FLUSH_SECONDS after its first verdict (a
        killed run loses no more than that), and before anything is read back."""
        self._pending.append((url, verdict, cache, _now(now)))
        moment = time.monotonic()
        if len(self._pending) >= FLUSH_ROWS or moment - self._flushed_at >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Commit the verdicts recorded so far."""
        self._flushed_at = time.monotonic()
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        with self._transaction():
            self._write(pending)

    def _write(self, pending: list[tuple[str, Verdict, bool, float]]) -> None:
        """One batch: a statement per table for all of it (per row, the statements'
        overhead was most of the cost), the failure streaks carried through in order."""
        self._db.executemany(
            "INSERT OR REPLACE INTO cache VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (url, v.status.value, v.reason, v.final_url, v.detail, now, v.rule)
                for url, v, cache, now in pending
                if cache
            ],
        )
        if self.run_id is not None:
            run = self.run_id
            self._db.executemany(
                "INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?, ?)",
                [(run, url, v.status.value, v.reason, now) for url, v, _, now in pending],
            )
        columns = "url, last_success, first_failure, consecutive_failures"
        streaks: dict[str, tuple[float | None, float | None, int]] = {
            url: (last_success, first_failure, streak)
            for url, last_success, first_failure, streak in self._select_urls(
                columns, "url_state", {url for url, *_ in pending}
            )
        }
        rows = {}
        for url, verdict, _, now in pending:
            last_success, first_failure, streak = streaks.get(url, (None, None, 0))
            if verdict.status is Status.DEAD:
                first_failure = first_failure or now
                streak += 1
            elif verdict.status in (Status.ALIVE, Status.REDIRECTED):
                last_success, first_failure, streak = now, None, 0
            # unknown: we could not see, so the streak neither grows nor breaks
            streaks[url] = (last_success, first_failure, streak)
            rows[url] = (
                url,
                verdict.status.value,
                now,
                last_success,
                first_failure,
                streak,
                verdict.reason,
                verdict.final_url,
                verdict.detail,
                verdict.rule,
            )
        self._db.executemany(
            "INSERT OR REPLACE INTO url_state VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows.values(),
        )

    def histories(self, urls: Iterable[str]) -> dict[str, UrlHistory]:
        columns = (
            "url, last_status, last_checked, last_success, first_failure, consecutive_failures"
        )
        return {
            row[0]: UrlHistory(row[0], status, row[2], row[3], row[4], row[5])
            for row in self._select_urls(columns, "url_state", urls)
            if (status := _status_of(row[1])) is not None
        }

    def wayback(
        self, urls: Iterable[str], *, max_age: float = 7 * 86400, now: float | None = None
    ) -> dict[str, str | None]:
        """Recent Wayback lookups: URL → newest capture, or None for "none found"."""
        limit = _now(now) - max_age
        rows = self._select_urls("url, capture", "wayback", urls, "AND looked_up_at >= ?", (limit,))
        return {url: capture for url, capture in rows}

    def record_wayback(self, url: str, capture: str | None, now: float | None = None) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO wayback VALUES (?, ?, ?)", (url, capture, _now(now))
            )

    def last_verdicts(self, urls: Iterable[str]) -> dict[str, tuple[Verdict, float]]:
        """The newest verdict recorded for each URL, however old, and when it was made."""
        found: dict[str, tuple[Verdict, float]] = {}
        columns = (
            "url, last_status, last_reason, last_final_url, last_detail, last_rule, last_checked"
        )
        for url, status, reason, final_url, detail, rule, checked in self._select_urls(
            columns, "url_state", urls
        ):
            known = _status_of(status)
            if known is None:
                continue
            verdict = Verdict(
                known, reason or status, final_url, detail, from_cache=True, rule=rule
            )
            found[url] = (verdict, checked)
        return found

    def history(self, url: str) -> UrlHistory | None:
        self.flush()
        row = self._db.execute(
            "SELECT url, last_status, last_checked, last_success, first_failure, "
            "consecutive_failures FROM url_state WHERE url = ?",
            (url,),
        ).fetchone()
        status = _status_of(row[1]) if row is not None else None
        if row is None or status is None:
            return None
        return UrlHistory(row[0], status, row[2], row[3], row[4], row[5])

    def integrity_ok(self) -> bool:
        return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
