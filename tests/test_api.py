"""The Python API (issue 9): `linkcheck.check` does what `linkcheck check` does and returns
the report; the commands underneath return data and print nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import linkcheck
from linkcheck import CheckReport, Config, LinkcheckError, Status
from linkcheck.errors import ExitCode
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import web_config

POST = (
    "# Notes\n\n"
    "[deleted](https://mp.weixin.qq.com/s/deleted)\n"
    "[alive](https://mp.weixin.qq.com/s/alive-text-share)\n"
    "[mail](mailto:someone@example.org)\n"
)


def test_check_returns_the_report_and_prints_nothing(
    simweb: SimulatedWeb, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "post.md").write_text(POST, encoding="utf-8")
    config = web_config(simweb, wayback=False)
    report = linkcheck.check([tmp_path / "post.md"], config, cwd=tmp_path)
    assert isinstance(report, CheckReport)
    by_url = {r.link.url: r.verdict for r in report.results}
    assert by_url["https://mp.weixin.qq.com/s/deleted"].status is Status.DEAD
    assert by_url["https://mp.weixin.qq.com/s/deleted"].reason == "wechat-deleted"
    assert by_url["https://mp.weixin.qq.com/s/alive-text-share"].status is Status.ALIVE
    assert by_url["mailto:someone@example.org"].status is Status.EXCLUDED
    assert report.fetched == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""
    # The run is recorded in the history, as the CLI's is.
    with sqlite3.connect(tmp_path / ".linkcheck" / "state.db") as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_check_raises_the_cli_s_errors_as_exceptions(tmp_path: Path) -> None:
    with pytest.raises(LinkcheckError) as raised:
        linkcheck.check([tmp_path / "missing.md"], Config(), cwd=tmp_path)
    assert raised.value.exit_code is ExitCode.USAGE
    assert "missing.md" in str(raised.value)
