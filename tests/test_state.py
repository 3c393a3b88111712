"""The state database: cache TTLs, history streaks, bounded history, concurrent and killed runs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from linkcheck.models import Status, Verdict
from linkcheck.state import HISTORY_RUNS, State, StateError

ALIVE = Verdict(Status.ALIVE, "http-200")
DEAD = Verdict(Status.DEAD, "http-404")
UNKNOWN = Verdict(Status.UNKNOWN, "timeout")
DAY = 86400.0


def test_cache_ttls_per_status(tmp_path: Path) -> None:
    state = State(tmp_path / "state.db")
    state.record("https://a.org/", ALIVE, now=0)
    state.record("https://d.org/", DEAD, now=0)
    state.record("https://u.org/", UNKNOWN, now=0)
    urls = ["https://a.org/", "https://d.org/", "https://u.org/"]
    assert set(state.cached(urls, now=DAY / 2)) == {"https://a.org/", "https://d.org/"}
    assert set(state.cached(urls, now=2 * DAY)) == {"https://a.org/"}
    assert set(state.cached(urls, now=8 * DAY)) == set()
    assert set(state.cached(urls, now=DAY / 2, max_age=3600)) == set()
    assert state.cached(["https://a.org/"], now=1)["https://a.org/"].from_cache


def test_an_unknown_the_server_s_silence_caused_is_reused_for_an_hour(tmp_path: Path) -> None:
    state = State(tmp_path / "state.db")
    refused = Verdict(Status.UNKNOWN, "connection-refused")
    blocked = Verdict(Status.UNKNOWN, "http-403")
    challenged = Verdict(Status.UNKNOWN, "connection-refused", rule="zhihu")  # a rule's say
    state.record("https://r.org/", refused, now=0)
    state.record("https://b.org/", blocked, now=0)
    state.record("https://c.org/", challenged, now=0)
    state.record("https://t.org/", UNKNOWN, now=0)  # a timeout
    urls = ["https://r.org/", "https://b.org/", "https://c.org/", "https://t.org/"]
    assert set(state.cached(urls, now=600)) == {"https://r.org/", "https://t.org/"}
    assert set(state.cached(urls, now=600, max_age=300)) == set()
    assert set(state.cached(urls, now=3601)) == set()


def test_failure_streaks(tmp_path: Path) -> None:
    state = State(tmp_path / "state.db")
    url = "https://x.org/"
    for day, verdict in enumerate([ALIVE, DEAD, UNKNOWN, DEAD, DEAD]):
        state.begin_run(now=day * DAY)
        state.record(url, verdict, now=day * DAY)
        state.finish_run(now=day * DAY)
    history = state.history(url)
    assert history is not None
    # unknown neither breaks nor extends the streak: we could not see
    assert (history.consecutive_failures, history.first_failure, history.last_success) == (
        3,
        1 * DAY,
        0.0,
    )
    state.record(url, ALIVE, now=9 * DAY)
    history = state.history(url)
    assert history is not None
    assert (history.consecutive_failures, history.first_failure) == (0, None)


def test_a_streak_carries_through_one_batch(tmp_path: Path) -> None:
    """Verdicts of one URL recorded before a commit count one after the other, as if
    each had been committed alone; other URLs' rows in the batch stay their own."""
    state = State(tmp_path / "state.db")
    url, other = "https://x.org/", "https://y.org/"
    state.record(url, ALIVE, now=0)
    state.flush()
    for now, verdict in enumerate([DEAD, UNKNOWN, DEAD, DEAD], start=1):
        state.record(url, verdict, now=now)
        state.record(other, ALIVE, now=now)
    history, others = state.history(url), state.history(other)
    assert history is not None
    assert others is not None
    assert (history.consecutive_failures, history.first_failure, history.last_success) == (
        3,
        1,
        0.0,
    )
    assert (others.consecutive_failures, others.last_success) == (0, 4)
    state.record(url, ALIVE, now=5)
    state.record(url, DEAD, now=6)
    history = state.history(url)
    assert history is not None
    assert (history.consecutive_failures, history.first_failure, history.last_success) == (
        1,
        6,
        5,
    )


def test_history_is_bounded(tmp_path: Path) -> None:
    state = State(tmp_path / "state.db")
    for run in range(HISTORY_RUNS + 20):
        state.begin_run(now=run)
        state.record("https://x.org/", ALIVE, now=run)
        state.finish_run(now=run)
    db = sqlite3.connect(tmp_path / "state.db")
    assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == HISTORY_RUNS
    assert db.execute("SELECT COUNT(*) FROM history").fetchone()[0] == HISTORY_RUNS


def test_a_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match=r"state\.db"):
        State(path)


def test_two_connections_write_at_once(tmp_path: Path) -> None:
    first, second = State(tmp_path / "state.db"), State(tmp_path / "state.db")
    first.begin_run()
    second.begin_run()
    for i in range(50):
        first.record(f"https://a.org/{i}", ALIVE)
        second.record(f"https://b.org/{i}", DEAD)
    first.finish_run()
    second.finish_run()
    urls = [f"https://{h}.org/{i}" for h in "ab" for i in range(50)]
    assert len(first.cached(urls)) == 100
    assert first.integrity_ok()
