"""The user in control (issue 16): .linkcheckignore, --remap, their own host rules,
accept, acknowledged links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.config import ConfigError, parse_remap
from linkcheck.errors import ExitCode
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import check_post, web_cli_args

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "blog"
    (root / ".git").mkdir(parents=True)
    (root / "posts").mkdir()
    monkeypatch.chdir(root / "posts")
    return root


def _check(web: SimulatedWeb, *args: str) -> tuple[int, dict[str, dict[str, object]], str]:
    result = check_post(web, *args)
    records = {r["url"]: r for r in json.loads(result.stdout)["results"]} if result.stdout else {}
    return result.exit_code, records, result.stderr


# --- .linkcheckignore ------------------------------------------------------------------------


def test_the_ignore_file_at_the_repository_root_excludes_what_it_matches(
    simweb: SimulatedWeb, project: Path
) -> None:
    (project / "posts" / "post.md").write_text(
        "[a](https://mp.weixin.qq.com/s/deleted) [b](https://kexue.fm/archives/0000)\n",
        encoding="utf-8",
    )
    (project / ".linkcheckignore").write_text(
        "# dead, and dealt with\n\n^https://mp\\.weixin\\.qq\\.com/s/deleted$\n", encoding="utf-8"
    )
    before = len(simweb.requests)
    code, records, _ = _check(simweb)
    assert code == ExitCode.LINKS_FAILED  # kexue's 404 still counts
    ignored = records["https://mp.weixin.qq.com/s/deleted"]
    assert (ignored["status"], ignored["detail"]) == ("excluded", "matches .linkcheckignore")
    assert records["https://kexue.fm/archives/0000"]["status"] == "dead"
    assert all(r.target != "/s/deleted" for r in simweb.requests[before:])
    # --include wins over the ignore file as it does over --exclude
    _, again, _ = _check(simweb, "--include", "weixin")
    assert again["https://mp.weixin.qq.com/s/deleted"]["status"] == "dead"


def test_a_bad_line_in_the_ignore_file_is_named(project: Path) -> None:
    (project / "posts" / "post.md").write_text("x\n", encoding="utf-8")
    (project / "posts" / ".linkcheckignore").write_text("ok\n(unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "post.md"])
    assert result.exit_code == ExitCode.USAGE
    assert ".linkcheckignore:2: '(unclosed' is not a valid regex" in result.stderr


# --- remap -------------------------------------------------------------------------------------


def test_remap_checks_the_rewritten_url_and_reports_both(
    simweb: SimulatedWeb, project: Path
) -> None:
    (project / "posts" / "post.md").write_text(
        "[old](https://old-blog.example/wiki/Matrix_(mathematics))\n", encoding="utf-8"
    )
    code, records, stderr = _check(
        simweb, "--remap", r"^https://old-blog\.example/wiki/(.*)$ https://en.wikipedia.org/wiki/$1"
    )
    assert code == ExitCode.OK, stderr
    record = records["https://old-blog.example/wiki/Matrix_(mathematics)"]
    assert record["target"] == "https://en.wikipedia.org/wiki/Matrix_(mathematics)"
    assert record["remapped"] is True
    assert record["status"] == "alive"
    shown = runner.invoke(
        app,
        [
            "check",
            "post.md",
            "-v",
            "--no-cache",
            "--no-wayback",
            "--remap",
            r"old-blog\.example en.wikipedia.org",
            *web_cli_args(simweb),
        ],
    )
    assert "https://old-blog.example/wiki/Matrix_(mathematics)" in shown.stdout
    assert "checked as https://en.wikipedia.org/wiki/Matrix_(mathematics)" in shown.stdout


def test_remap_from_the_config_file_and_its_errors(simweb: SimulatedWeb, project: Path) -> None:
    (project / "posts" / "post.md").write_text("[a](https://gone.example/x)\n", encoding="utf-8")
    (project / "linkcheck.toml").write_text(
        'remap = ["^https://gone\\\\.example/ https://kexue.fm/archives/4765?from="]\n',
        encoding="utf-8",
    )
    code, records, stderr = _check(simweb)
    assert code == ExitCode.OK, stderr
    assert records["https://gone.example/x"]["target"] == "https://kexue.fm/archives/4765?from=x"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("only-one-word", "two words"),
        ("a b c", "two words"),
        ("(bad https://x", "not a valid regex"),
        ("^(a) $2", "invalid group reference"),
    ],
)
def test_a_bad_remap_is_a_configuration_error(text: str, said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        parse_remap(text, name="--remap")


def test_remap_takes_lychee_s_and_python_s_group_references() -> None:
    assert parse_remap(r"^a(\d+) b$1", name="r") == (r"^a(\d+)", r"b\g<1>")
    assert parse_remap(r"^a(?P<n>\d+) b${n}", name="r") == (r"^a(?P<n>\d+)", r"b\g<n>")
    assert parse_remap(r"^a(\d+) b\1", name="r") == (r"^a(\d+)", r"b\1")


# --- the user's own host rules, and accept ---------------------------------------------------

REMOVED = "https://www.cnblogs.com/example/p/7654321.html"
LIVE = "https://www.cnblogs.com/example/p/1234567.html"
FORBIDDEN = "https://view.inews.qq.com/a/20200101A0ABCD00"

RULES = """
[[rules]]
name = "cnblogs-removed"
hosts = ["cnblogs.com"]
url-matches = '/p/\\d+\\.html$'
status-in = [200]
body-contains = ["博文已被删除", "文章不存在"]
status = "dead"

[hosts."view.inews.qq.com"]
accept = [403]
"""


def _post_of(project: Path, *urls: str) -> None:
    lines = "".join(f"- [{i}]({url})\n" for i, url in enumerate(urls))
    (project / "posts" / "post.md").write_text(lines, encoding="utf-8")


def test_a_user_rule_reads_the_page_and_is_named_in_the_verdict(
    simweb: SimulatedWeb, project: Path
) -> None:
    _post_of(project, REMOVED, LIVE, FORBIDDEN)
    _, without, _ = _check(simweb)
    assert without[REMOVED]["status"] == "alive"  # what a status code says
    assert without[FORBIDDEN]["status"] == "unknown"
    (project / "linkcheck.toml").write_text(RULES, encoding="utf-8")
    code, records, stderr = _check(simweb)
    assert code == ExitCode.LINKS_FAILED, stderr
    removed = records[REMOVED]
    assert (removed["status"], removed["reason"], removed["rule"]) == (
        "dead",
        "cnblogs-removed",
        "cnblogs-removed",
    )
    assert records[LIVE]["status"] == "alive"  # no marker in its body
    accepted = records[FORBIDDEN]
    assert (accepted["status"], accepted["reason"]) == ("alive", "accepted-403")
    assert accepted["rule"] == "accept:view.inews.qq.com"


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ('hosts = ["a.com"]\nstatus = "gone"', "rules[1].status: 'gone' is not one of"),
        ('status = "dead"', "rules[1]: needs hosts and status"),
        ('hosts = ["a.com"]\nstatus = "dead"\ncolour = "red"', "unknown key 'colour'"),
        (
            'name = "x"\nhosts = ["a.com"]\nstatus = "dead"\nurl-matches = "("',
            "rules[1] (x).url-matches",
        ),
        ('hosts = ["a.com"]\nstatus = "dead"\nstatus-in = ["200"]', "status-in: expected a list"),
        ('hosts = []\nstatus = "dead"', "rules[1].hosts"),
        ('hosts = ["a.com"]\nstatus = "dead"\nreason = "Not Found"', "rules[1].reason"),
        ('hosts = ["a.com"]\nstatus = "dead"\nbody-contains = [""]', "body-contains"),
    ],
)
def test_a_bad_rule_names_the_rule_and_the_key(project: Path, rule: str, said: str) -> None:
    (project / "posts" / "post.md").write_text("x\n", encoding="utf-8")
    (project / "linkcheck.toml").write_text(f"[[rules]]\n{rule}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "post.md"])
    assert result.exit_code == ExitCode.USAGE
    assert said in result.stderr


def test_a_bad_accept_is_refused(project: Path) -> None:
    (project / "posts" / "post.md").write_text("x\n", encoding="utf-8")
    (project / "linkcheck.toml").write_text('[hosts."a.com"]\naccept = [42]\n', encoding="utf-8")
    result = runner.invoke(app, ["check", "post.md"])
    assert result.exit_code == ExitCode.USAGE
    assert "hosts.a.com.accept: expected a list of HTTP statuses" in result.stderr


# --- acknowledged links --------------------------------------------------------------------

DEAD = "https://mp.weixin.qq.com/s/deleted"
COPY = "https://web.archive.org/web/2020/https://mp.weixin.qq.com/s/deleted"


def test_annotated_links_are_found_in_markdown_and_html() -> None:
    from linkcheck.extract import extract_text
    from linkcheck.fix import annotated

    text = (
        f"[gone]({DEAD}) [archived]({COPY}) and [other](https://a.example/x)\n"
        f'<a href="https://b.example/y">b</a> <a href="{COPY}">archived</a>\n'
        f"[not annotated](https://c.example/) [archive]({COPY})\n"
    )
    links = extract_text("post.md", text)
    found = {link.url for link in annotated(text, links)}
    assert found == {DEAD, "https://b.example/y"}


def test_an_annotated_dead_link_is_acknowledged_and_fails_no_run(
    simweb: SimulatedWeb, project: Path
) -> None:
    (project / "posts" / "post.md").write_text(
        f"[gone]({DEAD}) [archived]({COPY})\n", encoding="utf-8"
    )
    code, records, stderr = _check(simweb, "--exclude", "web.archive.org")
    assert code == ExitCode.OK, stderr
    assert records[DEAD]["status"] == "dead"  # reported as what it is
    assert records[DEAD]["acknowledged"] is True
    strict, _, _ = _check(simweb, "--exclude", "web.archive.org", "--fail-on-acknowledged")
    assert strict == ExitCode.LINKS_FAILED


def test_ack_acknowledges_a_url_and_every_report_shows_it_apart(
    simweb: SimulatedWeb, project: Path
) -> None:
    (project / "posts" / "post.md").write_text(
        f"[gone]({DEAD})\n[also](https://kexue.fm/archives/0000)\n", encoding="utf-8"
    )
    code, records, _ = _check(simweb)
    assert code == ExitCode.LINKS_FAILED
    assert records[DEAD]["acknowledged"] is False
    said = runner.invoke(app, ["ack", DEAD, "--note", "the author deleted it"])
    assert said.exit_code == 0, said.stderr
    assert "1 of 1 URL acknowledged" in said.stdout
    listed = runner.invoke(app, ["ack"])
    assert listed.stdout == f"{DEAD}  the author deleted it\n"
    code, records, _ = _check(simweb)
    assert code == ExitCode.LINKS_FAILED  # kexue's 404 is not acknowledged
    assert records[DEAD]["acknowledged"] is True
    assert records["https://kexue.fm/archives/0000"]["acknowledged"] is False
    markdown = runner.invoke(app, ["report", "post.md", "--format", "markdown"]).stdout
    head, _, acknowledged = markdown.partition("### Dead links, acknowledged (1)")
    assert DEAD in acknowledged
    assert DEAD not in head
    assert "2 dead (1 acknowledged)" in markdown
    github = runner.invoke(app, ["report", "post.md", "--format", "github"]).stdout
    assert any(line.startswith("::notice ") and DEAD in line for line in github.splitlines())
    assert any(line.startswith("::error ") and "kexue" in line for line in github.splitlines())
    junit = runner.invoke(app, ["report", "post.md", "--format", "junit"]).stdout
    assert 'failures="1"' in junit
    assert "dead: wechat-deleted (acknowledged)" in junit
    sarif = json.loads(runner.invoke(app, ["report", "post.md", "--format", "sarif"]).stdout)
    levels = {r["message"]["text"].split(": ")[1]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels[DEAD] == "note"
    undone = runner.invoke(app, ["ack", "--remove", DEAD])
    assert "1 of 1 URL no longer acknowledged" in undone.stdout
    _, records, _ = _check(simweb)
    assert records[DEAD]["acknowledged"] is False


# --- each key of a user's rule, on its own ---------------------------------------------------


def _exchange(url: str, status: int, body: str = "", via: str | None = None) -> object:
    from linkcheck.models import Exchange, Hop

    hops = (Hop(via, 301, url), Hop(url, status, None)) if via else (Hop(url, status, None),)
    return Exchange(
        via or url, hops, (("content-type", "text/html; charset=utf-8"),), body.encode()
    )


def _rule_verdict(exchange: object, **keys: object) -> tuple[str, str] | None:
    from linkcheck.config import Config, UserRule
    from linkcheck.engine.classify import classify
    from linkcheck.models import Exchange, Status
    from linkcheck.rules.user import from_config

    spec = UserRule(
        name="mine",
        hosts=("example.org",),
        status=Status.DEAD,
        reason="mine-gone",
        **keys,  # type: ignore[arg-type]
    )
    assert isinstance(exchange, Exchange)
    verdict = classify(exchange, names_resolve=True, first=from_config((spec,), Config().hosts))
    return (verdict.status.value, verdict.reason) if verdict.rule == "mine" else None


def test_hosts_match_the_host_and_its_subdomains_on_any_hop() -> None:
    assert _rule_verdict(_exchange("https://blog.example.org/p/1", 200)) == ("dead", "mine-gone")
    assert _rule_verdict(_exchange("https://example.org.evil/p/1", 200)) is None
    moved = _exchange("https://elsewhere.net/x", 200, via="https://example.org/old")
    assert _rule_verdict(moved) == ("dead", "mine-gone")


def test_url_matches_status_in_and_body_contains_each_narrow_the_rule() -> None:
    page = _exchange("https://example.org/p/1.html", 200, "<p>博文已被删除</p>")
    assert _rule_verdict(page, url_matches=r"/p/\d+\.html$") == ("dead", "mine-gone")
    assert _rule_verdict(page, url_matches=r"/q/") is None
    assert _rule_verdict(page, status_in=(200,)) == ("dead", "mine-gone")
    assert _rule_verdict(page, status_in=(404,)) is None
    assert _rule_verdict(page, body_contains=("文章不存在", "博文已被删除")) == (
        "dead",
        "mine-gone",
    )
    assert _rule_verdict(page, body_contains=("文章不存在",)) is None


def test_a_user_rule_says_nothing_about_a_request_that_failed() -> None:
    from linkcheck.models import Exchange

    failed = Exchange("https://example.org/p/1", error="timeout", error_detail="slow")
    assert _rule_verdict(failed) is None
