"""`linkcheck check` end to end: report formats (golden files), exit codes, cache, state."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app, run_main
from linkcheck.errors import ExitCode
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import REPO, check_golden, wait_for_rows, web_cli_args

runner = CliRunner()
BLOG = REPO / "tests" / "data" / "report-blog"


@pytest.fixture
def blog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the report blog as the working directory (state goes to its .linkcheck/)."""
    shutil.copytree(BLOG, tmp_path / "blog")
    (tmp_path / "blog" / ".git").mkdir()  # the project root, where .linkcheck/ is made
    monkeypatch.chdir(tmp_path / "blog")
    return tmp_path / "blog"


def invoke(web: SimulatedWeb, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", *args, *web_cli_args(web)])
    return result.exit_code, result.stdout, result.stderr


_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


@pytest.mark.parametrize(
    ("fmt", "golden"),
    [
        ("terminal", "report.terminal.txt"),
        ("json", "report.json"),
        ("markdown", "report.md"),
        ("junit", "report.junit.xml"),
        ("sarif", "report.sarif.json"),
        ("github", "report.github.txt"),
    ],
)
def test_report_formats(simweb: SimulatedWeb, blog: Path, fmt: str, golden: str) -> None:
    code, out, _ = invoke(simweb, ".", "--format", fmt, "--no-cache")
    assert code == ExitCode.LINKS_FAILED
    check_golden(golden, _TIME.sub("<time>", out))


def test_json_report_is_parseable_and_complete(simweb: SimulatedWeb, blog: Path) -> None:
    _, out, _ = invoke(simweb, ".", "--format", "json", "--no-cache")
    document = json.loads(out)
    assert document["schema"] == "linkcheck.report/1"
    assert document["summary"]["links"] == len(document["results"]) == 9
    keys = [(r["file"], r["line"], r["column"]) for r in document["results"]]
    assert keys == sorted(keys)
    by_url = {r["url"]: r for r in document["results"]}
    assert by_url["https://github.com/matterport/Mask_RCNN"]["final_url"] == (
        "https://github.com/matterport/Mask-RCNN"
    )


def test_output_file(simweb: SimulatedWeb, blog: Path) -> None:
    code, out, _ = invoke(simweb, ".", "--format", "sarif", "--output", "out/links.sarif")
    assert code == ExitCode.LINKS_FAILED
    assert out == ""
    sarif = json.loads((blog / "out" / "links.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"


def test_exit_0_when_nothing_fails(simweb: SimulatedWeb, blog: Path) -> None:
    assert invoke(simweb, "post.md", "--exclude", "no-such|missing")[0] == ExitCode.OK


def test_exit_1_and_fail_on(simweb: SimulatedWeb, blog: Path) -> None:
    assert invoke(simweb, "other.md", "--exclude", "sohu")[0] == ExitCode.OK
    code, _, _ = invoke(simweb, "other.md", "--exclude", "sohu", "--fail-on", "dead,redirected")
    assert code == ExitCode.LINKS_FAILED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.md"], "missing.md: no such file or directory"),
        (["post.md", "--fail-on", "broken"], "'broken' is not one of"),
        (["post.md", "--exclude", "("], "is not a valid regex"),
        (["post.md", "--connect-to", "nonsense"], "expected HOST1:PORT1:HOST2:PORT2"),
        (["post.md", "--timeout", "soon"], "--timeout: 'soon' is not a duration"),
    ],
)
def test_exit_2_for_usage_and_input_errors(blog: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["check", *args, "--no-progress"])
    assert result.exit_code == ExitCode.USAGE
    assert message in result.stderr


def test_exit_2_for_a_bad_config_file(blog: Path) -> None:
    (blog / "linkcheck.toml").write_text("max-concurency = 3\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "post.md", "--no-progress"])
    assert result.exit_code == ExitCode.USAGE
    assert "unknown key 'max-concurency'" in result.stderr


def test_exit_3_when_offline(blog: Path) -> None:
    # No --connect-to and no DNS for these names: nothing can be reached from here.
    (blog / "offline.md").write_text(
        "https://a.invalid/\n\nhttps://b.invalid/x\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["check", "offline.md", "--no-progress", "--max-retries", "0"])
    assert result.exit_code == ExitCode.COULD_NOT_CHECK
    assert "offline" in result.stderr
    assert "0 dead" in result.stdout


def test_exit_4_for_internal_errors(capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> None:
        raise RuntimeError("a bug")

    assert run_main(broken) == ExitCode.INTERNAL
    assert "internal error: RuntimeError: a bug" in capsys.readouterr().err


def test_a_warm_cache_fetches_nothing(simweb: SimulatedWeb, blog: Path) -> None:
    invoke(simweb, ".")
    before = len(simweb.requests)
    code, out, _ = invoke(simweb, ".", "--format", "json")
    assert code == ExitCode.LINKS_FAILED
    cached = [r for r in json.loads(out)["results"] if r["from_cache"]]
    # Everything but the unknown (never cached) Zhihu page came from the cache.
    assert len(simweb.requests) - before == 1
    assert len(cached) == 5
    invoke(simweb, ".", "--no-cache")
    assert len(simweb.requests) - before > 1


def test_history_counts_failing_runs(simweb: SimulatedWeb, blog: Path) -> None:
    for _ in range(3):
        invoke(simweb, "other.md", "--no-cache")
    _, out, _ = invoke(simweb, "other.md", "--no-cache", "--format", "json")
    sohu = next(r for r in json.loads(out)["results"] if "sohu" in r["url"])
    assert sohu["consecutive_failures"] == 4
    assert sohu["failing_since"] is not None
    db = sqlite3.connect(blog / ".linkcheck" / "state.db")
    assert db.execute("SELECT COUNT(*) FROM runs WHERE finished_at IS NOT NULL").fetchone()[0] == 4


def _cli(web: SimulatedWeb, *args: str) -> list[str]:
    import sys

    return [sys.executable, "-m", "linkcheck", "check", *args, *web_cli_args(web)]


def test_two_runs_on_the_same_state_at_once(simweb: SimulatedWeb, blog: Path) -> None:
    import subprocess

    runs = [
        subprocess.Popen(
            _cli(simweb, ".", "--format", "json", "--no-cache"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == ExitCode.LINKS_FAILED, err
        assert "state not used" not in err
        assert json.loads(out)["summary"]["links"] == 9
    db = sqlite3.connect(blog / ".linkcheck" / "state.db")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM runs WHERE finished_at IS NOT NULL").fetchone()[0] == 2


def test_a_killed_run_leaves_the_state_usable(simweb: SimulatedWeb, blog: Path) -> None:
    import signal
    import subprocess

    fast = [f"https://github.com/facebookresearch/Detectron?n={i}" for i in range(5)]
    slow = [f"https://hostile.test/hang?n={i}" for i in range(20)]
    (blog / "many.md").write_text("\n\n".join(fast + slow) + "\n", encoding="utf-8")
    run = subprocess.Popen(
        _cli(simweb, "many.md", "--max-concurrency", "2", "--timeout", "20"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    database = blog / ".linkcheck" / "state.db"
    recorded = wait_for_rows(database, "history", 3)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    assert recorded >= 3
    db = sqlite3.connect(database)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM runs WHERE finished_at IS NULL").fetchone()[0] == 1
    code, out, _ = invoke(simweb, "other.md", "--format", "json")
    assert code == ExitCode.LINKS_FAILED
    assert json.loads(out)["summary"]["links"] == 2


def test_demo_shows_every_kind_of_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the demo keeps its state in a temporary folder anyway
    result = runner.invoke(app, ["demo", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    statuses = {r["status"] for r in json.loads(result.stdout)["results"]}
    assert statuses == {"alive", "redirected", "dead", "unknown", "excluded"}
    assert not (tmp_path / ".linkcheck").exists()
    # Whether Chromium took part changes the Zhihu verdicts: the demo says which it was.
    assert "Chromium was found" in result.stderr or "no Chromium was found" in result.stderr


def test_ctrl_c_mid_run_keeps_the_state_usable(simweb: SimulatedWeb, blog: Path) -> None:
    import signal
    import subprocess

    fast = [f"https://github.com/facebookresearch/Detectron?c={i}" for i in range(4)]
    slow = [f"https://hostile.test/hang?c={i}" for i in range(8)]
    (blog / "many.md").write_text("\n\n".join(fast + slow) + "\n", encoding="utf-8")
    run = subprocess.Popen(
        _cli(simweb, "many.md", "--max-concurrency", "2", "--timeout", "20"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    database = blog / ".linkcheck" / "state.db"
    recorded = wait_for_rows(database, "history", 3)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=30)
    assert run.returncode == 130
    assert "interrupted" in err
    db = sqlite3.connect(database)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT COUNT(*) FROM history").fetchone()[0] >= recorded >= 3
    assert invoke(simweb, "other.md")[0] == ExitCode.LINKS_FAILED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "0"], "--timeout: must be more than 0"),
        (["--timeout", "-5"], "--timeout"),
        (["--quiet", "--verbose"], "contradict"),
        (["--offline", "--save-to-wayback"], "contradict"),
    ],
)
def test_contradictions_and_impossible_values_are_usage_errors(
    blog: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["check", ".", *args])
    assert result.exit_code == ExitCode.USAGE
    assert message in result.stderr
