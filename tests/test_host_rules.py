"""Host rules through the whole CLI: every situation of fixtures/hosts-blog, with and without
a GitHub token, against the simulated web."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.rules import registry
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import REPO, web_cli_args

runner = CliRunner()
BLOG = REPO / "fixtures" / "hosts-blog"
EXPECTED = json.loads((BLOG / "expected.json").read_text(encoding="utf-8"))
TOKEN = "ghp_fixtureTOKEN0123456789"


def check_json(web: SimulatedWeb, *args: str) -> dict[str, list[str | None]]:
    result = runner.invoke(app, ["check", *args, "--format", "json", *web_cli_args(web)])
    assert result.exit_code in (0, 1), result.stderr
    return {
        r["url"].replace("&amp;", "&"): [r["status"], r["reason"], r["final_url"], r["rule"]]
        for r in json.loads(result.stdout)["results"]
    }


@pytest.fixture(scope="module")
def host_verdicts(
    simweb: SimulatedWeb,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, list[str | None]]:
    root = tmp_path_factory.mktemp("hosts")
    (root / ".git").mkdir()
    # The politeness intervals of the real hosts only slow a local simulated web down.
    (root / "linkcheck.toml").write_text(
        '[hosts."mp.weixin.qq.com"]\ninterval = 0\n[hosts."zhihu.com"]\ninterval = 0\n',
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.delenv("GITHUB_TOKEN", raising=False)
        return check_json(simweb, str(BLOG), "--no-cache", "--no-wayback")


@pytest.mark.parametrize(("url", "expected"), sorted(EXPECTED["without_token"].items()))
def test_every_situation(
    host_verdicts: dict[str, list[str | None]], url: str, expected: list[str]
) -> None:
    assert host_verdicts[url][:2] == expected


def test_redirected_links_say_where_to(host_verdicts: dict[str, list[str | None]]) -> None:
    final = {url: v[2] for url, v in host_verdicts.items() if v[0] == "redirected"}
    assert final == {
        "https://mp.weixin.qq.com/s/migrated": "https://mp.weixin.qq.com/s/NewAccountArticle00000001",
        "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=HAbc&target_url="
        "https%3A%2F%2Fmp.weixin.qq.com%2Fs%2FUt_of4Xb8c0beACShKOWlQ": "https://mp.weixin.qq.com/s/Ut_of4Xb8c0beACShKOWlQ",
        "https://zhuanlan.zhihu.com/old-column-slug": "https://zhuanlan.zhihu.com/new-column-slug",
        "https://github.com/matterport/Mask_RCNN": "https://github.com/matterport/Mask-RCNN",
    }


def test_rules_are_named_in_the_report(host_verdicts: dict[str, list[str | None]]) -> None:
    assert host_verdicts["https://mp.weixin.qq.com/s/deleted"][3] == "wechat"
    assert host_verdicts["https://zhuanlan.zhihu.com/p/25954683"][3] == "zhihu"
    assert host_verdicts["https://github.com/dmca-owner/taken-down"][3] == "github"


def test_no_blocked_page_is_ever_dead(host_verdicts: dict[str, list[str | None]]) -> None:
    # The reasons that mean "the host is blocking us", as opposed to "blocked the content".
    blocking_us = {
        "wechat-captcha",
        "wechat-client-only",
        "zhihu-blocked",
        "zhihu-login",
        "github-rate-limited",
        "csdn-blocked",
        "jianshu-blocked",
        "juejin-challenge",
        "weibo-visitor",
    }
    seen = set()
    for url, (status, reason, _, _) in host_verdicts.items():
        if reason in blocking_us:
            seen.add(reason)
            assert status == "unknown", url
    assert seen == blocking_us - {"zhihu-login"}  # every kind of block page is in the blog


def test_every_reason_is_declared_by_its_rule(host_verdicts: dict[str, list[str | None]]) -> None:
    declared = {rule.name: set(rule.reasons) for rule in registry()}
    for _, reason, _, rule in host_verdicts.values():
        if rule is not None:
            assert reason in declared[str(rule)]


@pytest.mark.parametrize(("url", "expected"), sorted(EXPECTED["with_token"].items()))
def test_github_through_the_api_with_a_token(
    simweb: SimulatedWeb, project: Path, url: str, expected: list[str]
) -> None:
    (project / "post.md").write_text(url + "\n", encoding="utf-8")
    verdicts = check_json(simweb, "post.md", "--no-cache", "--github-token", TOKEN)
    assert verdicts[url][:2] == expected


def test_the_token_never_leaves_github(
    simweb: SimulatedWeb, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    (project / "post.md").write_text(
        "https://github.com/facebookresearch/Detectron\n\nhttps://github.com/redirect-out\n\n"
        "https://kexue.fm/archives/4765\n\nhttps://github.com/no-such/repository\n",
        encoding="utf-8",
    )
    before = len(simweb.requests)
    result = runner.invoke(app, ["check", "post.md", "--format", "json", *web_cli_args(simweb)])
    sent = simweb.requests[before:]
    with_token = {r.host for r in sent if r.header("Authorization") == f"Bearer {TOKEN}"}
    assert with_token == {"api.github.com", "github.com"}
    # github.com/redirect-out sends us to kexue.fm: that hop carries no token.
    assert {r.host for r in sent} >= {"kexue.fm"}
    assert all(r.header("Authorization") is None for r in sent if r.host == "kexue.fm")
    # Nowhere in the output, the state database or its write-ahead log.
    assert TOKEN not in result.stdout + result.stderr
    for path in (project / ".linkcheck").iterdir():
        assert TOKEN.encode() not in path.read_bytes(), path
    db = sqlite3.connect(project / ".linkcheck" / "state.db")
    assert db.execute("SELECT COUNT(*) FROM cache").fetchone()[0] == 4


def test_a_token_read_from_a_file_keeps_its_newline_out_of_everything(
    simweb: SimulatedWeb, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GITHUB_TOKEN=$(cat file) keeps the newline: it is stripped, the token goes over HTTPS
    only, and no report format, state file or archive holds it."""
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN + "\n")
    (project / "post.md").write_text(
        "https://github.com/facebookresearch/Detectron\n\n"
        "http://github.com/facebookresearch/Detectron\n\n"
        "https://github.com/redirect-out\n\nhttps://github.com/no-such/repository\n",
        encoding="utf-8",
    )
    before = len(simweb.requests)
    outputs = []
    for fmt in ("terminal", "json", "markdown", "junit", "sarif", "github", "html"):
        result = runner.invoke(
            app, ["check", "post.md", "--format", fmt, "--archive", *web_cli_args(simweb)]
        )
        assert result.exit_code in (0, 1), result.stderr + result.stdout
        outputs.append(result.stdout + result.stderr)
    sent = simweb.requests[before:]
    assert any(r.header("Authorization") == f"Bearer {TOKEN}" for r in sent)
    assert all(r.header("Authorization") is None for r in sent if r.scheme == "http")
    assert any(r.scheme == "http" and r.host == "github.com" for r in sent)
    for text in outputs:
        assert TOKEN not in text
    files = [p for p in (project / ".linkcheck").rglob("*") if p.is_file()]
    assert any(p.suffix == ".gz" for p in files)  # the archive's WARCs are among them
    for path in files:
        data = path.read_bytes()
        assert TOKEN.encode() not in data, path
        if path.suffix == ".gz":
            import gzip

            assert TOKEN.encode() not in gzip.decompress(data), path


@pytest.mark.parametrize("token", ["ghp_two parts", "ghp_tab\tinside", "ghp_ünïcode"])
def test_a_token_that_no_header_can_carry_is_refused_unechoed(project: Path, token: str) -> None:
    (project / "post.md").write_text("https://github.com/x/y\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "post.md", "--github-token", token])
    assert result.exit_code == 2
    assert "GITHUB_TOKEN" in result.stderr
    assert token not in result.stderr + result.stdout


def test_the_token_is_refused_in_config_files(project: Path) -> None:
    (project / "linkcheck.toml").write_text(f"github-token = '{TOKEN}'\n", encoding="utf-8")
    (project / "post.md").write_text("x\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "post.md"])
    assert result.exit_code == 2
    assert "GITHUB_TOKEN" in result.stderr
    assert TOKEN not in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://soft404.test/real-page", ["alive", "http-200"]),
        ("https://soft404.test/missing-page", ["dead", "soft-404"]),
        ("https://spa.test/any/route", ["unknown", "soft-404-suspect"]),
        ("https://github.com/no-such/repository", ["dead", "http-404"]),
        ("https://mp.weixin.qq.com/s/Ut_of4Xb8c0beACShKOWlQ", ["alive", "wechat-article"]),
    ],
)
def test_soft_404s(simweb: SimulatedWeb, project: Path, url: str, expected: list[str]) -> None:
    (project / "post.md").write_text(url + "\n", encoding="utf-8")
    assert check_json(simweb, "post.md", "--no-cache", "--soft-404")[url][:2] == expected


def test_soft_404_is_off_by_default(simweb: SimulatedWeb, project: Path) -> None:
    (project / "post.md").write_text("https://soft404.test/missing-page\n", encoding="utf-8")
    assert check_json(simweb, "post.md", "--no-cache")["https://soft404.test/missing-page"][:2] == [
        "alive",
        "http-200",
    ]


def test_a_host_that_keeps_blocking_us_is_left_alone(simweb: SimulatedWeb, project: Path) -> None:
    urls = [f"https://mp.weixin.qq.com/s/captcha-redirect?n={i}" for i in range(8)]
    (project / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")
    (project / "linkcheck.toml").write_text(
        '[hosts."mp.weixin.qq.com"]\nconcurrency = 1\ninterval = 0\n', encoding="utf-8"
    )
    before = len(simweb.requests)
    verdicts = check_json(simweb, "post.md", "--no-cache")
    reasons = [verdicts[url][1] for url in urls]
    # Requests already under way when the fifth captcha arrives still finish.
    assert reasons[:5] == ["wechat-captcha"] * 5
    assert set(reasons[5:]) <= {"wechat-captcha", "host-blocking"}
    assert "host-blocking" in reasons
    asked = [r for r in simweb.requests[before:] if r.target.startswith("/s/captcha-redirect")]
    assert len(asked) == reasons.count("wechat-captcha") < len(urls)


# --- a rule's verdict on the last hop keeps what the chain says (issue 14) ---------------


def test_a_renamed_zhihu_column_is_redirected_not_alive(
    simweb: SimulatedWeb, tmp_path: Path
) -> None:
    from linkcheck.engine.checker import check
    from linkcheck.models import Link, LinkKind, Scope, Status

    from .conftest import web_config

    url = "https://zhuanlan.zhihu.com/deep-learning-notes"
    link = Link("post.md", 1, 1, LinkKind.BARE, Scope.EXTERNAL, url, url)
    report = asyncio.run(check([link], web_config(simweb, wayback=False)))
    [result] = report.results
    assert result.verdict.status is Status.REDIRECTED
    assert result.verdict.final_url == "https://www.zhihu.com/column/deep-learning-notes"
    assert result.verdict.rule == "zhihu"  # the rule read the page; the chain says it moved
    assert result.verdict.reason == "moved-permanently"


@pytest.mark.parametrize("rule_name", [rule.name for rule in registry()])
def test_every_rule_s_alive_keeps_a_permanent_redirect(rule_name: str) -> None:
    from dataclasses import replace as replaced

    from linkcheck.models import Exchange, Hop, Status, Verdict
    from linkcheck.rules import decide

    rule = next(r for r in registry() if r.name == rule_name)
    host = rule.domains[0]
    exchange = Exchange(
        f"https://{host}/old",
        (Hop(f"https://{host}/old", 301, f"https://{host}/new"), Hop(f"https://{host}/new", 200)),
        (("content-type", "text/html"),),
        b"<html></html>",
    )
    # The rule as written, made to find this page alive: what decide() does with that
    # is the same for every rule.
    always_alive = replaced(rule, decide=lambda page: Verdict(Status.ALIVE, f"{rule_name}-page"))
    verdict = decide(exchange, (always_alive,))
    assert verdict is not None
    assert (verdict.status, verdict.final_url) == (Status.REDIRECTED, f"https://{host}/new")
    assert verdict.rule == rule_name
