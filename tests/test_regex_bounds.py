"""Regexes from files run in linear time (issue 25, item 6): `(a+)+$` in `exclude`,
`.linkcheckignore`, `remap` or a rule's `url-matches` cannot hang a run, and a pattern RE2
does not take is a clear error naming its place."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app

EVIL = "(a+)+$"
# Python's backtracking engine needs about 2**40 steps to fail this URL against EVIL.
URL = "https://x.example/" + "a" * 40 + "b"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "post.md").write_text(f"see {URL}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (".linkcheckignore", f"{EVIL}\n"),
        ("linkcheck.toml", f"exclude = ['{EVIL}']\n"),
        ("linkcheck.toml", f"remap = ['{EVIL} https://y.example/']\n"),
        (
            "linkcheck.toml",
            f'[[rules]]\nhosts = ["x.example"]\nurl-matches = \'{EVIL}\'\nstatus = "dead"\n',
        ),
    ],
)
def test_a_catastrophic_pattern_from_a_file_does_not_hang_the_run(
    repo: Path, name: str, text: str
) -> None:
    (repo / name).write_text(text, encoding="utf-8")
    # A bounded wait, not a timing assertion: the old engine does not end within it.
    done = subprocess.run(
        [sys.executable, "-m", "linkcheck", "check", "post.md", "--offline", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 3), done.stderr
    assert URL in done.stdout


def test_a_pattern_re2_does_not_take_is_refused_naming_file_and_line(repo: Path) -> None:
    (repo / ".linkcheckignore").write_text("# comment\n^https://ok\\.example/\n(?=look)ahead\n")
    result = CliRunner().invoke(app, ["check", "post.md", "--offline"])
    assert result.exit_code == 2
    assert ".linkcheckignore:3: '(?=look)ahead' is not a valid regex" in result.stderr
    assert "RE2" in result.stderr
    assert "re2.cc" not in result.stderr  # RE2's own log line stays out of the output


def test_remap_groups_work_as_before(repo: Path) -> None:
    (repo / "post.md").write_text("see https://old.example/a/b\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "check",
            "post.md",
            "--offline",
            "--format",
            "json",
            "--remap",
            r"^https://old\.example/(?P<rest>.*) https://new.example/${rest}/$1",
        ],
    )
    assert result.exit_code in (0, 3), result.stderr
    assert "https://new.example/a/b/a/b" in result.stdout
