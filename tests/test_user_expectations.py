"""What a user of the real blog meets first (issue 26): an honest offline summary, output
files that honour the umask, and a state folder git leaves alone."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app

runner = CliRunner()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "post.md").write_text(
        "![gone](images/missing.png) [x](https://example.org/page)\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_offline_summary_says_what_was_and_was_not_checked(repo: Path) -> None:
    """A laptop with no network (a namespace of its own): the missing image is rightly
    dead, so the summary may not say that nothing was."""
    from .test_real_conditions import _can_unshare, unshared

    if not _can_unshare():
        pytest.skip("this machine cannot make a network namespace (unshare -n)")
    linkcheck = Path(sys.executable).with_name("linkcheck")
    result = unshared(["-n", str(linkcheck), "check", "post.md", "--no-progress"], repo)
    assert result.returncode == 3, result.stderr  # could not check (CI keeps this)
    assert "1 dead" in result.stdout
    assert "nothing was declared dead" not in result.stdout + result.stderr
    assert "external links were not checked" in result.stdout
    assert "local links were judged" in result.stdout


def test_one_link_is_one_link() -> None:
    from linkcheck.models import CheckReport, Link, LinkKind, Result, Scope, Status, Verdict
    from linkcheck.report.base import headline

    link = Link("p.md", 1, 1, LinkKind.INLINE, Scope.LOCAL, "a.png", "a.png")
    report = CheckReport((Result(link, None, Verdict(Status.ALIVE, "file-exists")),))
    assert headline(report).startswith("1 link (0 unique URLs): ")


@pytest.fixture
def umask() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


@pytest.mark.parametrize(
    "command",
    [
        ["extract", "post.md", "-o", "out.txt"],
        ["check", "post.md", "--offline", "--format", "json", "-o", "out.txt"],
        ["check", "post.md", "--offline", "--format", "html", "-o", "out.txt"],
    ],
)
def test_output_files_honour_the_umask(repo: Path, umask: None, command: list[str]) -> None:
    runner.invoke(app, command)
    assert stat.S_IMODE((repo / "out.txt").stat().st_mode) == 0o644
    (repo / "out.txt").chmod(0o640)  # a file that exists keeps its mode
    runner.invoke(app, command)
    assert stat.S_IMODE((repo / "out.txt").stat().st_mode) == 0o640


def test_the_state_folder_is_ignored_by_git(repo: Path) -> None:
    result = runner.invoke(app, ["check", "post.md", "--offline"])
    assert (repo / ".linkcheck" / "state.db").is_file(), result.stderr
    assert (repo / ".linkcheck" / ".gitignore").read_text().splitlines()[-1] == "*"
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ".linkcheck" not in status
    assert "post.md" in status


def _in_a_terminal(command: list[str], cwd: Path) -> bytes:
    """What command writes to a terminal (a pseudo-terminal of its own), as bytes."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: run the command in the folder, the pty as its terminal
        os.chdir(cwd)
        os.execv(command[0], command)
    written = b""
    while select.select([fd], [], [], 60)[0]:  # a bound for a broken run, not a measurement
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        written += data
    os.waitpid(pid, 0)
    os.close(fd)
    return written


def test_the_progress_bar_is_cleared_before_the_plan_line(repo: Path) -> None:
    """In a terminal the plan line once came glued to the bar's first frame
    (`checking ━━━ 0/? 0:00:00  linkcheck: 38 unique URLs: …`)."""
    (repo / "post.md").write_text("[x](http://127.0.0.1:9/a)\n", encoding="utf-8")
    linkcheck = str(Path(sys.executable).with_name("linkcheck"))
    command = [linkcheck, "check", "post.md", "--include-private", "--no-cache"]
    written = _in_a_terminal([*command, "--timeout", "2", "--max-retries", "0"], repo)
    plan = written.index(b"linkcheck: 1 unique URL: 1 to fetch")
    line_start = max(written.rfind(b"\r", 0, plan), written.rfind(b"\n", 0, plan)) + 1
    assert b"checking" not in written[line_start:plan], written[line_start:plan]


def _blog_sized_report() -> object:
    """25,000 links on 1,868 hosts, as the real blog offline: every external link unknown
    with the same sentence, and a few hundred missing images."""
    from linkcheck.models import CheckReport, Link, LinkKind, Result, Scope, Status, Verdict

    results = []
    for i in range(25_000):
        host = "mp.weixin.qq.com" if i % 2 else f"host{i % 1_867}.example"
        url = f"https://{host}/p/{i}"
        link = Link(f"_posts/{i % 817}.md", 1 + i % 90, 1, LinkKind.BARE, Scope.EXTERNAL, url, url)
        verdict = Verdict(Status.UNKNOWN, "offline", detail="the network is unreachable")
        results.append(Result(link, url, verdict))
    for i in range(300):
        raw = f"/images/{i}.png"
        link = Link(f"_posts/{i}.md", 2, 1, LinkKind.IMAGE, Scope.LOCAL, raw, raw)
        verdict = Verdict(Status.DEAD, "file-missing", detail=f"no file at images/{i}.png")
        results.append(Result(link, None, verdict))
    results.sort(key=lambda r: r.link.sort_key)
    return CheckReport(tuple(results), offline=True)


def test_the_terminal_report_reads_at_the_real_blog_s_size() -> None:
    from linkcheck.formats import Format
    from linkcheck.models import Status
    from linkcheck.report import reporter_for
    from linkcheck.report.base import ReportOptions

    report = _blog_sized_report()
    options = ReportOptions(fail_on=(Status.DEAD,), fail_on_acknowledged=False)
    text = reporter_for(Format.TERMINAL).render(report, options)  # type: ignore[arg-type]
    lines = text.splitlines()
    assert len(lines) < 2_000
    assert text.count("the network is unreachable") < 20  # a sentence per group, not per link
    assert "mp.weixin.qq.com · 12,500 links" in text  # the biggest group first, counted
    assert "… and 12,495 more (--verbose lists them)" in text
    assert "_posts/0.md:2:1  /images/0.png" in text  # dead local links are named
    table = text[text.index("Hosts with problems") :]
    assert table.index("mp.weixin.qq.com") < table.index("(local)")  # by problems, not A-Z
    assert "--verbose lists all" in table
    verbose = reporter_for(Format.TERMINAL).render(
        report, ReportOptions((Status.DEAD,), False, True)
    )  # type: ignore[arg-type]
    assert verbose.count("https://mp.weixin.qq.com/p/") == 12_500


COMMANDS = ["check", "extract", "archive", "fix", "report", "ack", "state merge"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_says_what_it_means(command: str) -> None:
    """Issue 26, item 13: markup ate `[tool.linkcheck]`, several PATHs read as one, and
    defaults were shown two ways."""
    result = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = result.stdout
    assert "[default:" not in text  # every default as (value), in the help text
    if "--config" in text:
        assert "[tool.linkcheck] in pyproject.toml" in text
    assert "..." in text.split("Usage:", 1)[1].splitlines()[0]  # several accepted


def test_the_top_help_says_that_a_path_means_check() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "`linkcheck PATH...` is `linkcheck check PATH...`" in result.stdout


def test_defaults_of_cache_age_and_user_agent_are_shown() -> None:
    from linkcheck.version import DEFAULT_USER_AGENT

    text = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "400"}).stdout
    assert "alive and redirected 7 days" in text
    assert DEFAULT_USER_AGENT.split()[-1] in text


def test_json_counts_only_the_fetches_a_server_answered(repo: Path) -> None:
    from .test_real_conditions import _can_unshare, unshared

    if not _can_unshare():
        pytest.skip("this machine cannot make a network namespace (unshare -n)")
    linkcheck = str(Path(sys.executable).with_name("linkcheck"))
    done = unshared(["-n", linkcheck, "check", "post.md", "--format", "json"], repo)
    assert done.returncode == 3, done.stderr
    summary = json.loads(done.stdout)["summary"]
    assert summary["offline"] is True
    assert summary["fetched"] == 0  # once 1: the URL was asked, but nothing answered
