"""`fix` and `archive` are bounded as `check` is (issue 26, item 9): --max-time, --budget
and --offline, and a plan line that says what the run will do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.testing.simweb import Route, SimulatedWeb

from .conftest import web_cli_args

runner = CliRunner()


def _bounded(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in its own interpreter; the wait is a bound for a hang, not a measurement."""
    return subprocess.run(
        [sys.executable, "-m", "linkcheck", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_fix_ends_at_max_time_against_servers_that_never_answer(
    simweb: SimulatedWeb, project: Path
) -> None:
    urls = [f"https://docs.example.org/never-answers-{i}" for i in range(40)]
    for url in urls:
        simweb.add_route(Route("docs.example.org", url.split(".org")[1], behaviour="hang"))
    (project / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")
    args = ["fix", "post.md", "--dry-run", "--max-time", "1s", "--host-concurrency", "2"]
    done = _bounded([*args, "--no-cache", *web_cli_args(simweb)], project)
    assert done.returncode == 0, done.stderr
    assert "40 unique URLs: 40 to fetch" in done.stderr  # the plan line
    assert "--max-time" in done.stderr
    assert "nothing to fix" in done.stdout


def test_fix_offline_says_nothing_was_checked(project: Path) -> None:
    (project / "post.md").write_text("[a](https://example.org/x)\n", encoding="utf-8")
    result = runner.invoke(app, ["fix", "post.md", "--dry-run", "--offline"])
    assert result.exit_code == 0, result.stderr
    assert "--offline: no external link was checked" in result.stderr


def test_fix_with_no_network_is_exit_3_and_says_so(project: Path) -> None:
    from .test_real_conditions import _can_unshare, unshared

    if not _can_unshare():
        pytest.skip("this machine cannot make a network namespace (unshare -n)")
    (project / "post.md").write_text("[a](https://example.org/x)\n", encoding="utf-8")
    linkcheck = str(Path(sys.executable).with_name("linkcheck"))
    done = unshared(["-n", linkcheck, "fix", "post.md", "--dry-run", "--no-progress"], project)
    assert done.returncode == 3, done.stderr
    assert "offline: no external link could be checked, so none was fixed" in done.stderr


def test_archive_takes_its_budget_stalest_first_and_refuses_offline(
    simweb: SimulatedWeb, project: Path
) -> None:
    urls = ["https://kexue.fm/archives/4765", "https://www.msys2.org/", "https://curl.se/"]
    (project / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")
    first = runner.invoke(app, ["archive", "post.md", "--budget", "1", *web_cli_args(simweb)])
    assert first.exit_code == 0, first.stderr
    assert "3 URLs cited: 1 to archive (--budget 1" in first.stderr
    second = runner.invoke(app, ["archive", "post.md", "--budget", "2", *web_cli_args(simweb)])
    archived_now = [line.split()[1] for line in second.stdout.splitlines() if "https://" in line]
    archived_before = [line.split()[1] for line in first.stdout.splitlines() if "https://" in line]
    assert len(archived_now) == 2
    assert not set(archived_now) & set(archived_before)  # never archived comes first
    offline = runner.invoke(app, ["archive", "post.md", "--offline"])
    assert offline.exit_code == 2
    assert "archive needs the network" in offline.stderr


def test_archive_starts_no_capture_after_max_time(simweb: SimulatedWeb, project: Path) -> None:
    urls = [f"https://docs.example.org/archive-hangs-{i}" for i in range(12)]
    for url in urls:
        simweb.add_route(Route("docs.example.org", url.split(".org")[1], behaviour="hang"))
    (project / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")
    done = _bounded(["archive", "post.md", "--max-time", "1s", *web_cli_args(simweb)], project)
    assert done.returncode == 0, done.stderr
    assert "no capture starts after 1 s (--max-time)" in done.stderr
    assert "skipped" in done.stdout.splitlines()[-1]
    assert json.dumps("skipped")  # the outcome has a name of its own
