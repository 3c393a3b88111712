"""Scale out on a CI matrix (issue 17): `check --shard K/N` checks a stable share of the
URLs, `report --merge` renders the shards' JSON reports as one, `state merge` folds their
histories together so --min-failures streaks stay right across nights."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.config import ConfigError, parse_shard
from linkcheck.engine.plan import in_shard, shard_of
from linkcheck.errors import ExitCode
from linkcheck.models import Link, LinkKind, Scope
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import REPO, web_cli_args

runner = CliRunner()

URLS = [
    "https://mp.weixin.qq.com/s/deleted",
    "https://mp.weixin.qq.com/s/alive-text-share",
    "https://mp.weixin.qq.com/s/expired",
    "https://mp.weixin.qq.com/s/violation",
    "https://mp.weixin.qq.com/s/with-images",
    "https://mp.weixin.qq.com/s/no-such-article-anywhere",
    "https://github.com/matterport/Mask_RCNN",
    "https://github.com/matterport/Mask-RCNN",
    "https://www.sohu.com/a/123456789_100000",
    "https://www.sohu.com/",
    "https://kexue.fm/archives/4765",
    "https://kexue.fm/archives/0000",
    "https://en.wikipedia.org/wiki/Matrix_(mathematics)",
    "https://www.cnblogs.com/example/p/1234567.html",
    "https://www.msys2.org/",
    "https://source.android.com/",
    "https://zhuanlan.zhihu.com/p/37998710",
]


def _post(urls: list[str]) -> str:
    lines = [f"- [{i}]({url})" for i, url in enumerate(urls)]
    return "# Links\n\n" + "\n".join(lines) + "\n\n[local](./missing.md) and [top](#links)\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "blog"
    (root / ".git").mkdir(parents=True)
    (root / "a.md").write_text(_post(URLS[:9]), encoding="utf-8")
    (root / "b.md").write_text(_post(URLS[6:]), encoding="utf-8")  # some cited twice
    monkeypatch.chdir(root)
    return root


# --- the assignment -----------------------------------------------------------------------


def test_a_url_lands_in_the_same_shard_in_every_process() -> None:
    # Python's own hash() changes with PYTHONHASHSEED; the shard must not.
    code = f"from linkcheck.engine.plan import shard_of; print([shard_of(u, 4) for u in {URLS!r}])"
    seen = set()
    for seed in ("1", "2", "3"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)},
            timeout=60,
            check=True,
        ).stdout
        seen.add(out)
    assert seen == {f"{[shard_of(u, 4) for u in URLS]}\n"}


def test_shares_are_even_and_every_url_has_exactly_one() -> None:
    urls = [f"https://host{i % 37}.example/post/{i}" for i in range(4000)]
    counts = {k: 0 for k in range(1, 5)}
    for url in urls:
        counts[shard_of(url, 4)] += 1
    assert sum(counts.values()) == 4000
    assert all(850 < n < 1150 for n in counts.values()), counts
    assert {shard_of(url, 1) for url in urls} == {1}


def _link(url: str, scope: Scope, line: int) -> Link:
    return Link("p.md", line, 1, LinkKind.INLINE, scope, url, url)


def test_links_decided_without_the_network_go_to_shard_one_only() -> None:
    decided = [
        (_link("https://a.example/", Scope.EXTERNAL, 1), "https://a.example/", None),
        (_link("./x.md", Scope.LOCAL, 2), None, None),
        (_link("#top", Scope.FRAGMENT, 3), None, None),
    ]
    shares = [in_shard(decided, (k, 3)) for k in (1, 2, 3)]
    assert [len(share) for share in shares].count(0) >= 1
    assert {entry[0].line for entry in shares[0]} >= {2, 3}
    assert all(entry[1] is not None for share in shares[1:] for entry in share)
    assert sorted(entry[0].line for share in shares for entry in share) == [1, 2, 3]


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "2/0", "-1/3", ""])
def test_a_shard_that_is_not_k_of_n_is_refused(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_shard(text, name="--shard")


def test_the_cli_and_the_file_take_the_shard(project: Path) -> None:
    bad = runner.invoke(app, ["check", "a.md", "--shard", "3/2"])
    assert bad.exit_code == ExitCode.USAGE
    assert "--shard: '3/2'" in bad.stderr
    (project / "linkcheck.toml").write_text('shard = "x"\n', encoding="utf-8")
    from_file = runner.invoke(app, ["check", "a.md"])
    assert from_file.exit_code == ExitCode.USAGE
    assert "shard: 'x' is not a shard" in from_file.stderr


# --- end to end on the simulated web -------------------------------------------------------


def _check(web: SimulatedWeb, *args: str) -> dict[str, object]:
    out = Path(f"report-{'-'.join(a.replace('/', 'of') for a in args) or 'all'}.json")
    result = runner.invoke(
        app,
        [
            "check",
            ".",
            "--format",
            "json",
            "--output",
            str(out),
            "--no-cache",
            "--no-wayback",
            *args,
            *web_cli_args(web),
        ],
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.LINKS_FAILED), result.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _verdicts(document: dict[str, object]) -> set[tuple[object, ...]]:
    results = document["results"]
    assert isinstance(results, list)
    keys = ("file", "line", "column", "url", "target", "status", "reason", "final_url")
    return {tuple(record[k] for k in keys) for record in results}


def test_the_shards_together_say_what_one_run_says(simweb: SimulatedWeb, project: Path) -> None:
    whole = _check(simweb)
    shards = [_check(simweb, "--shard", f"{k}/3") for k in (1, 2, 3)]
    assert [s["shard"] for s in shards] == [{"index": k, "count": 3} for k in (1, 2, 3)]
    assert whole["shard"] is None
    union: set[tuple[object, ...]] = set()
    for share in shards:
        assert not union & _verdicts(share), "a link reported by two shards"
        union |= _verdicts(share)
    assert union == _verdicts(whole)
    targets = [{r["target"] for r in s["results"] if r["target"]} for s in shards]  # type: ignore[union-attr,index]
    assert sum(len(t) for t in targets) == len(set().union(*targets)) == len(set(URLS))
    # Merged, in any format: the same report as the unsharded run.
    names = [f"report---shard-{k}of3.json" for k in (3, 1, 2)]  # in any order
    merged = runner.invoke(app, ["report", "--merge", *names, "--format", "json"])
    assert merged.exit_code == ExitCode.LINKS_FAILED, merged.stderr
    document = json.loads(merged.stdout)
    assert _verdicts(document) == _verdicts(whole)
    assert [r["line"] for r in document["results"]] == [r["line"] for r in whole["results"]]  # type: ignore[index]
    assert document["summary"]["dead"] == whole["summary"]["dead"]  # type: ignore[index]
    assert document["summary"]["fetched"] == whole["summary"]["fetched"]  # type: ignore[index]
    terminal = runner.invoke(app, ["report", "--merge", *names])
    assert "wechat-deleted" in terminal.stdout
    # Named in another order, shard 2 is the same share.
    reordered = runner.invoke(
        app,
        [
            "check",
            "b.md",
            "a.md",
            "--shard",
            "2/3",
            "--format",
            "json",
            "--no-cache",
            "--no-wayback",
            *web_cli_args(simweb),
        ],
    )
    assert _verdicts(json.loads(reordered.stdout)) == _verdicts(shards[1])


def _write_report(path: Path, shard: object) -> str:
    path.write_text(
        json.dumps({"schema": "linkcheck.report/1", "shard": shard, "summary": {}, "results": []}),
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize(
    ("shards", "said"),
    [
        ([(1, 3), (2, 3)], "shard 3 of 3 missing"),
        ([(1, 2), (1, 2), (2, 2)], "shard 1/2 given twice"),
        ([(1, 2), (2, 3), (3, 3)], "different shardings"),
        ([None, (1, 1)], "checked without --shard"),
    ],
)
def test_merging_refuses_a_set_that_is_not_every_shard_once(
    tmp_path: Path, shards: list[tuple[int, int] | None], said: str
) -> None:
    files = [
        _write_report(tmp_path / f"r{i}.json", {"index": s[0], "count": s[1]} if s else None)
        for i, s in enumerate(shards)
    ]
    result = runner.invoke(app, ["report", "--merge", *files])
    assert result.exit_code == ExitCode.USAGE
    assert said in result.stderr


def test_merging_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("[1, 2", encoding="utf-8")
    (tmp_path / "y.json").write_text('{"schema": "other/1"}', encoding="utf-8")
    for name, said in (("x.json", "not a JSON report"), ("y.json", "not a linkcheck JSON")):
        result = runner.invoke(app, ["report", "--merge", str(tmp_path / name)])
        assert result.exit_code == ExitCode.USAGE
        assert said in result.stderr


# --- the history across nights --------------------------------------------------------------

DEAD_IN = {1: "https://kexue.fm/archives/0000", 2: "https://mp.weixin.qq.com/s/deleted"}


def _night(web: SimulatedWeb, base: Path, shards: Path) -> None:
    """One nightly matrix run: each shard starts from the merged history (the Actions
    cache), checks its share in its own checkout, and the merge job folds them back."""
    databases = []
    for k in (1, 2):
        checkout = shards / f"shard{k}"
        shutil.copytree(base, checkout, dirs_exist_ok=True)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "linkcheck",
                "check",
                "post.md",
                "--shard",
                f"{k}/2",
                "--no-cache",
                "--no-wayback",
                "--min-failures",
                "2",
                *web_cli_args(web),
            ],
            cwd=checkout,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            timeout=120,
            check=False,
        )
        assert result.returncode in (0, 1), result.stderr
        databases.append(str(checkout / ".linkcheck" / "state.db"))
    merged = runner.invoke(app, ["state", "merge", *databases])
    assert merged.exit_code == 0, merged.stderr
    assert "merged 2 databases" in merged.stdout


def test_merged_histories_keep_the_failure_streaks(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, url in DEAD_IN.items():
        assert shard_of(url, 2) == k, "the test wants one dead link in each shard"
    base = tmp_path / "blog"
    (base / ".git").mkdir(parents=True)
    (base / "post.md").write_text(_post([*DEAD_IN.values(), URLS[1]]), encoding="utf-8")
    monkeypatch.chdir(base)
    report = ["report", "post.md", "--format", "json", "--min-failures", "2"]
    _night(simweb, base, tmp_path / "night1")
    first = json.loads(runner.invoke(app, report).stdout)
    by_target = {r["target"]: r for r in first["results"] if r["target"]}
    for url in DEAD_IN.values():
        assert by_target[url]["status"] == "unknown"  # one night: not yet confirmed
        assert by_target[url]["reason"] == "dead-unconfirmed"
        assert by_target[url]["consecutive_failures"] == 1
    _night(simweb, base, tmp_path / "night2")
    second = json.loads(runner.invoke(app, report).stdout)
    by_target = {r["target"]: r for r in second["results"] if r["target"]}
    for url in DEAD_IN.values():
        assert by_target[url]["status"] == "dead"
        assert by_target[url]["consecutive_failures"] == 2
    assert by_target[URLS[1]]["status"] == "alive"


def test_state_merge_refuses_what_is_not_a_state_database(project: Path) -> None:
    (project / "notes.db").write_bytes(b"not sqlite at all" * 64)
    result = runner.invoke(app, ["state", "merge", "notes.db"])
    assert result.exit_code == ExitCode.USAGE
    assert "not a linkcheck state database" in result.stderr
    assert (project / "notes.db").read_bytes() == b"not sqlite at all" * 64
    missing = runner.invoke(app, ["state", "merge", "nowhere.db"])
    assert missing.exit_code == ExitCode.USAGE
    assert "no such file" in missing.stderr


def test_shards_from_one_address_share_each_host_s_pace(project: Path) -> None:
    """N shards run from one address once sent each host N times its polite rate (issue 26,
    item 15): by default they split it; per-runner keeps it whole."""
    from linkcheck.config import build_config
    from linkcheck.settings import fetch_settings

    alone = fetch_settings(build_config({}, None, cwd=project)).policy_for("mp.weixin.qq.com")
    shared = fetch_settings(build_config({"shard": "1/4"}, None, cwd=project))
    runner_own = fetch_settings(
        build_config({"shard": "1/4", "shard_pace": "per-runner"}, None, cwd=project)
    )
    wechat = shared.policy_for("mp.weixin.qq.com")
    assert wechat.interval == alone.interval * 4  # 4 shards together: WeChat's own rate
    assert wechat.concurrency == max(1, alone.concurrency // 4)
    assert shared.policy_for("example.org").concurrency == 2  # 8 per host, split four ways
    assert runner_own.policy_for("mp.weixin.qq.com") == alone
    with pytest.raises(ConfigError, match="shard-pace"):
        build_config({"shard_pace": "fast"}, None, cwd=project)
