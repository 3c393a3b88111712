"""A malformed cookies.txt is a clear error that names the line and never shows it: it may
hold a cookie's value (issue 25, item 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app

SECRET = "z_c0_SECRETVALUE_0123456789"


@pytest.mark.parametrize(
    "line",
    [
        f".zhihu.com\tTRUE\t/\tTRUE\tnot-a-number\tz_c0\t{SECRET}",
        f".zhihu.com\tTRUE\t/\tz_c0\t{SECRET}",
        f"z_c0={SECRET}",
    ],
)
def test_a_malformed_line_is_named_never_echoed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "post.md").write_text("[z](https://zhuanlan.zhihu.com/p/1)\n")
    (tmp_path / "cookies.txt").write_text(f"# Netscape HTTP Cookie File\n\n{line}\n")
    result = CliRunner().invoke(app, ["check", "post.md", "--offline", "--cookies", "cookies.txt"])
    assert result.exit_code == 2
    assert "cookies.txt:3: cannot read a cookies.txt: not a cookies.txt line" in result.stderr
    assert SECRET not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_a_file_without_the_header_is_refused_unechoed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "post.md").write_text("x\n")
    (tmp_path / "cookies.txt").write_text(f".zhihu.com\tTRUE\t/\tTRUE\t0\tz_c0\t{SECRET}\n")
    result = CliRunner().invoke(app, ["check", "post.md", "--offline", "--cookies", "cookies.txt"])
    assert result.exit_code == 2
    assert "not the Netscape format" in result.stderr
    assert SECRET not in result.stderr
