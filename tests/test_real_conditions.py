"""Runs end, predictably (issue 10): offline in seconds, an unreachable Wayback Machine
behind its breaker, --max-time, the up-front plan. Real servers on 127.0.0.1, and a network
namespace of the test's own for "no network at all"."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.engine.schedule import FetchStage, Pace, duration_text, plan_line
from linkcheck.errors import ExitCode
from linkcheck.models import Exchange, Hop
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import REPO, web_cli_args

runner = CliRunner()
HOSTS = [
    "mp.weixin.qq.com", "zhuanlan.zhihu.com", "www.zhihu.com", "github.com", "blog.csdn.net",
    "www.jianshu.com", "juejin.cn", "www.cnblogs.com", "www.sohu.com", "arxiv.org",
    "en.wikipedia.org", "kexue.fm",
]  # fmt: skip


def _can_unshare() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    return subprocess.run([unshare, "-n", "true"], check=False).returncode == 0


def unshared(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`unshare ARGUMENTS` in cwd: a command in namespaces of its own, output captured."""
    return subprocess.run(
        ["unshare", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,  # a bound for a broken run, not a measurement
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_offline_with_hundreds_of_urls_ends_at_once_with_nothing_dead(tmp_path: Path) -> None:
    """In a network namespace with no network, 600 URLs on real host names under the
    default politeness (WeChat: 2 at a time, 0.5 s apart): before, every URL was tried."""
    if not _can_unshare():
        pytest.skip("this machine cannot make a network namespace (unshare -n)")
    (tmp_path / ".git").mkdir()
    lines = [f"https://mp.weixin.qq.com/s/article-{i}" for i in range(200)]
    lines += [f"https://{HOSTS[i % len(HOSTS)]}/p/{i}" for i in range(400)]
    (tmp_path / "post.md").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    linkcheck = Path(sys.executable).with_name("linkcheck")
    result = unshared(["-n", str(linkcheck), "check", "post.md", "--format", "json"], tmp_path)
    assert result.returncode == ExitCode.COULD_NOT_CHECK, result.stderr
    document = json.loads(result.stdout)
    assert document["summary"]["offline"] is True
    assert document["summary"]["dead"] == 0
    assert {r["reason"] for r in document["results"]} == {"offline"}
    assert "600 unique URLs: 600 to fetch" in result.stderr
    assert "mp.weixin.qq.com" in result.stderr  # the slowest host, named in the plan


async def _stage_run(
    urls: list[str], answers: dict[str, Exchange], online: list[bool]
) -> tuple[FetchStage, list[str]]:
    asked: list[str] = []

    async def fetch(url: str, need: int) -> Exchange:
        asked.append(url)
        await asyncio.sleep(0)
        exchange = answers[url.split("/")[2]]
        if exchange.hops:
            online[0] = True
        return exchange

    stage = FetchStage(urls, lambda host: Pace(2, 0.0), online=lambda: online[0])
    await stage.run(fetch)
    return stage, asked


def test_the_stage_stops_after_eight_hosts_fail_for_want_of_a_network() -> None:
    urls = [f"https://h{i}.example/{n}" for i in range(20) for n in range(10)]
    failed = Exchange("x", error="dns-failure")
    answers = {f"h{i}.example": failed for i in range(20)}
    stage, asked = asyncio.run(_stage_run(urls, answers, [False]))
    assert stage.stopped == "offline"
    assert len(asked) < len(urls) // 2  # about one round of the 40 workers, not 200
    assert len(stage.unfetched()) == len(urls) - stage.done  # cut off in flight included


def test_one_missing_domain_among_answering_hosts_does_not_stop_the_stage() -> None:
    urls = [f"https://h{i}.example/{n}" for i in range(20) for n in range(3)]
    answered = Exchange("x", (Hop("x", 200),))
    answers = {f"h{i}.example": answered for i in range(20)}
    answers["h0.example"] = Exchange("x", error="dns-nxdomain")
    stage, asked = asyncio.run(_stage_run(urls, answers, [False]))
    assert stage.stopped is None
    assert sorted(asked) == sorted(urls)


def test_a_missing_domain_among_live_hosts_is_judged_as_before(
    simweb: SimulatedWeb, project: Path
) -> None:
    live = [f"https://github.com/facebookresearch/Detectron?n={i}" for i in range(10)]
    missing = [f"https://no-such-{i}.invalid/" for i in range(10)]
    (project / "post.md").write_text("\n\n".join(live + missing) + "\n", encoding="utf-8")
    result = runner.invoke(
        app, ["check", "post.md", "--format", "json", "--no-cache", *web_cli_args(simweb)]
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    verdicts = {r["url"]: r["reason"] for r in json.loads(result.stdout)["results"]}
    assert {verdicts[url] for url in live} == {"http-200"}
    # No public name resolved on this machine, so a failed lookup proves nothing: unknown,
    # as before, and not "offline" (hosts answered).
    assert {verdicts[url] for url in missing} <= {"dns-unverified", "dns-failure"}


def slow_wayback(root: Path) -> SimulatedWeb:
    (root / "gone.test").mkdir(parents=True)
    (root / "routes.toml").write_text(
        '[[route]]\nhost = "web.archive.org"\npath = "*"\nbehaviour = "hang"\n\n'
        '[[route]]\nhost = "gone.test"\npath = "*"\nstatus = 404\n',
        encoding="utf-8",
    )
    return SimulatedWeb(root)


def test_an_unreachable_wayback_stops_after_its_breaker(project: Path) -> None:
    """300 plainly dead links; the Wayback Machine hangs. Before, 300 lookups one after
    another, each failing slowly; now three, then one warning line."""
    web = slow_wayback(project / "web").start(project)
    try:
        urls = [f"https://gone.test/page-{i}" for i in range(300)]
        (project / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")
        args = ["check", "post.md", "--format", "json", "--timeout", "1", *web_cli_args(web)]
        result = runner.invoke(app, args)
    finally:
        web.stop()
    assert result.exit_code == ExitCode.LINKS_FAILED, result.stderr
    assert json.loads(result.stdout)["summary"]["dead"] == 300
    lookups = [r for r in web.requests if r.host == "web.archive.org"]
    assert 1 <= len(lookups) <= 3
    assert "Wayback Machine did not answer 3 lookups in a row" in result.stderr


def test_max_time_ends_the_run_with_every_link_reported(project: Path, tmp_path: Path) -> None:
    root = tmp_path / "web"
    (root / "slow.test").mkdir(parents=True)
    (root / "slow.test" / "page.html").write_text("<title>ok</title>", encoding="utf-8")
    (project / "linkcheck.toml").write_text(
        '[hosts."slow.test"]\nconcurrency = 1\ninterval = "0.5s"\n', encoding="utf-8"
    )
    urls = [f"https://slow.test/page?n={i}" for i in range(200)]
    (project / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")
    web = SimulatedWeb(root).start(tmp_path)
    try:
        args = ["check", "post.md", "--format", "json", "--max-time", "2s", *web_cli_args(web)]
        result = runner.invoke(app, args)
    finally:
        web.stop()
    assert result.exit_code == ExitCode.OK, result.stderr
    results = json.loads(result.stdout)["results"]
    assert len(results) == 200
    reasons = [r["reason"] for r in results]
    assert "http-200" in reasons
    assert "max-time" in reasons
    assert set(reasons) == {"http-200", "max-time"}
    assert len(web.requests) < 200
    # The plan said how long politeness would have made it.
    assert "200 unique URLs: 200 to fetch, 0 answered from the cache" in result.stderr
    assert "slowest: slow.test: 200 URLs at 2/s ≈ 1 min 40 s" in result.stderr


def test_the_plan_line_and_durations() -> None:
    line = plan_line(
        25_004,
        {"mp.weixin.qq.com": 13_663, "github.com": 811},
        10_530,
        lambda host: Pace(2, 0.5) if host == "mp.weixin.qq.com" else Pace(4, 0.1),
    )
    assert line.startswith("25,004 unique URLs: 14,474 to fetch, 10,530 answered from the cache")
    assert "mp.weixin.qq.com: 13,663 URLs at 2/s ≈ 1 h 53 min — see --budget, --max-time" in line
    assert "slowest" not in plan_line(10, {"a.test": 10}, 0, lambda host: Pace(8, 0.0))
    # With --max-time 20s the run ends long before politeness would (issue 26, item 2).
    bounded = plan_line(
        25_004,
        {"mp.weixin.qq.com": 13_663, "github.com": 811},
        10_530,
        lambda host: Pace(2, 0.5) if host == "mp.weixin.qq.com" else Pace(4, 0.1),
        20.0,
    )
    urls = [f"https://mp.weixin.qq.com/s/{i}" for i in range(13_663)]
    stage = FetchStage(urls, lambda host: Pace(2, 0.5), online=lambda: True)
    assert stage.note().startswith("≈ 1 h 53 min left · mp.weixin.qq.com 13,663")
    deadline = time.monotonic() + 20
    bar = FetchStage(urls, lambda host: Pace(2, 0.5), online=lambda: True, deadline=deadline)
    assert bar.note().startswith("≈ 20 s left (--max-time) · ")
    assert "--max-time: this run ends in ≈ 20 s, mp.weixin.qq.com 40 of 13,663 by then" in bounded
    assert [duration_text(s) for s in (12, 200, 180, 6831.5)] == [
        "12 s",
        "3 min 20 s",
        "3 min",
        "1 h 53 min",
    ]


def test_no_test_reads_outside_the_checkout() -> None:
    for path in [*REPO.joinpath("tests").glob("*.py"), REPO / "README.md"]:
        assert "../" + "shared" not in path.read_text(encoding="utf-8"), path


def test_the_progress_note_gives_the_time_left_and_the_pending_hosts() -> None:
    urls = [f"https://slow.test/{i}" for i in range(120)]
    urls += [f"https://b.test/{i}" for i in range(3)] + ["https://c.test/1", "https://d.test/1"]
    stage = FetchStage(urls, lambda host: Pace(1, 1.0 if host == "slow.test" else 0.0), online=bool)
    note = stage.note()
    # Nothing measured yet: the politeness bound of slow.test (120 URLs, 1 s apart).
    assert note == "≈ 2 min left · slow.test 120, b.test 3 +2 hosts"


def test_a_dead_domain_among_names_that_resolve_is_dead(tmp_path: Path) -> None:
    """In a network namespace of the test's own, with its own DNS server on its loopback:
    ten names resolve (to a test host's address in that namespace, where nothing listens),
    one does not exist. DNS works in this run, so the missing domain is dead, and the run is
    not taken for offline."""
    if not _can_unshare() or subprocess.run(["unshare", "-n", "-m", "true"]).returncode:
        pytest.skip("this machine cannot make network and mount namespaces (unshare -n -m)")
    (tmp_path / ".git").mkdir()
    live = [f"live{i}.test" for i in range(10)]
    lines = [f"https://{host}/page" for host in live] + ["https://gone-for-good.test/page"]
    (tmp_path / "post.md").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "resolv.conf").write_text("nameserver 127.0.0.1\n", encoding="utf-8")
    linkcheck = Path(sys.executable).with_name("linkcheck")
    server = REPO / "tests" / "helpers" / "dns_server.py"
    # A public address, so the lookups count as evidence that DNS works (DESIGN.md §3); it
    # exists only on this namespace's loopback, where nothing listens on it.
    records = " ".join(f"{host}=1.2.3.4" for host in live)
    script = (
        "set -e; ip link set lo up; ip addr add 1.2.3.4/32 dev lo;"
        " mount --bind resolv.conf /etc/resolv.conf;"
        f" {sys.executable} {server} {records} >/dev/null 2>&1 & server=$!; sleep 0.5; set +e;"
        f" {linkcheck} check post.md --format json --no-wayback --max-retries 0;"
        " code=$?; kill $server; exit $code"
    )
    result = unshared(["-n", "-m", "sh", "-c", script], tmp_path)
    assert result.returncode == ExitCode.LINKS_FAILED, result.stderr
    document = json.loads(result.stdout)
    verdicts = {r["url"]: (r["status"], r["reason"]) for r in document["results"]}
    assert verdicts["https://gone-for-good.test/page"] == ("dead", "dns-nxdomain")
    assert {verdicts[f"https://{host}/page"][0] for host in live} == {"unknown"}
    assert document["summary"]["offline"] is False
