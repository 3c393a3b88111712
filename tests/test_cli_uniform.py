"""The commands take their options the same way (issue 9): one coercion for file and CLI
values, the same source and network options on every command that needs them, errors of
the history said plainly, and the demo's extra named when it is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.errors import ExitCode
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import REPO, web_cli_args

runner = CliRunner()


def test_an_exclude_regex_keeps_its_commas(project: Path) -> None:
    # x{1,3} was once split at the comma into two invalid patterns.
    (project / "post.md").write_text("[a](https://xxx.invalid/)\n", encoding="utf-8")
    result = runner.invoke(
        app, ["check", "post.md", "--exclude", r"x{1,3}\.invalid", "--no-progress", "-v"]
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "matches --exclude" in result.stdout or "excluded" in result.stdout


def test_a_duration_from_the_cli_is_checked_as_one_from_a_file(project: Path) -> None:
    (project / "post.md").write_text("x\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "post.md", "--timeout", "soon"])
    assert result.exit_code == ExitCode.USAGE
    assert "--timeout: 'soon' is not a duration" in result.stderr
    (project / "linkcheck.toml").write_text('timeout = "soon"\n', encoding="utf-8")
    from_file = runner.invoke(app, ["check", "post.md"])
    assert from_file.exit_code == ExitCode.USAGE
    assert "timeout: 'soon' is not a duration" in from_file.stderr


def test_extract_reads_the_config_file_s_extensions(project: Path) -> None:
    (project / "a.md").write_text("[a](https://a.example/)\n", encoding="utf-8")
    (project / "b.txt").write_text("[b](https://b.example/)\n", encoding="utf-8")
    (project / "linkcheck.toml").write_text('extensions = ["txt"]\n', encoding="utf-8")
    result = runner.invoke(app, ["extract", "."])
    assert result.exit_code == 0, result.stderr
    assert "https://b.example/" in result.stdout
    assert "https://a.example/" not in result.stdout
    both = runner.invoke(app, ["extract", ".", "--extensions", "md,txt"])
    assert "https://a.example/" in both.stdout
    assert "https://b.example/" in both.stdout


def test_a_history_that_cannot_be_read_is_a_usage_error_not_a_crash(project: Path) -> None:
    (project / "post.md").write_text("[a](https://a.example/)\n", encoding="utf-8")
    (project / ".linkcheck").mkdir()
    (project / ".linkcheck" / "state.db").write_bytes(b"this is not an SQLite database" * 100)
    result = runner.invoke(app, ["report", "post.md"])
    assert result.exit_code == ExitCode.USAGE
    assert "the history cannot be read" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_fix_and_archive_write_their_listing_to_output(simweb: SimulatedWeb, project: Path) -> None:
    (project / "post.md").write_text(
        "[moved](https://github.com/matterport/Mask_RCNN)\n", encoding="utf-8"
    )
    fixed = runner.invoke(
        app, ["fix", "post.md", "--dry-run", "--output", "fix.diff", *web_cli_args(simweb)]
    )
    assert fixed.exit_code == 0, fixed.stderr
    assert fixed.stdout == ""
    diff = (project / "fix.diff").read_text(encoding="utf-8")
    assert "+[moved](https://github.com/matterport/Mask-RCNN)" in diff
    assert "Mask_RCNN" in (project / "post.md").read_text(encoding="utf-8")  # dry run
    archived = runner.invoke(
        app, ["archive", "post.md", "--output", "archive.txt", *web_cli_args(simweb)]
    )
    assert archived.exit_code == 0, archived.stderr
    assert archived.stdout == ""
    assert "1 URLs:" in (project / "archive.txt").read_text(encoding="utf-8")


def test_the_demo_names_its_extra_when_trustme_is_missing(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['trustme'] = None; sys.argv = ['linkcheck', 'demo']; "
        "from linkcheck.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
        check=False,
    )
    assert result.returncode == ExitCode.USAGE
    assert "pip install -e '.[demo]'" in result.stderr


def test_the_archiver_follows_max_redirects(simweb: SimulatedWeb, project: Path) -> None:
    # It always allowed 10, whatever --max-redirects said.
    (project / "post.md").write_text(
        "[moved](https://github.com/matterport/Mask_RCNN)\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["archive", "post.md", "--max-redirects", "0", *web_cli_args(simweb)]
    )
    assert result.exit_code == 0, result.stderr
    assert "failed" in result.stdout
    assert "too-many-redirects" in result.stdout
    allowed = runner.invoke(app, ["archive", "post.md", *web_cli_args(simweb)])
    assert "archived" in allowed.stdout or "unchanged" in allowed.stdout
