"""Every verdict path, through the real fetcher against the simulated web."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from linkcheck.engine.checker import check
from linkcheck.extract.markdown import extract_markdown
from linkcheck.models import CheckReport, Status
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import web_config


def run_check(web: SimulatedWeb, text: str, **overrides: object) -> CheckReport:
    links = extract_markdown("post.md", text)
    return asyncio.run(check(links, web_config(web, **overrides)))


def verdict_of(web: SimulatedWeb, url: str, **overrides: object) -> tuple[str, str, str | None]:
    [result] = run_check(web, url + "\n", **overrides).results
    v = result.verdict
    return v.status.value, v.reason, v.final_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/facebookresearch/Detectron", ("alive", "http-200", None)),
        ("https://github.com/no-such/repository", ("dead", "http-404", None)),
        ("https://www.sohu.com/a/123456789_100000", ("dead", "http-410", None)),
        (
            "https://github.com/matterport/Mask_RCNN",
            ("redirected", "github-renamed", "https://github.com/matterport/Mask-RCNN"),
        ),
        (
            "http://www.commonmark.org/help",
            ("redirected", "https-upgrade", "https://www.commonmark.org/help"),
        ),
        ("https://hostile.test/redirect-chain", ("alive", "http-200", "https://hostile.test/ok")),
        ("https://hostile.test/loop-a", ("unknown", "redirect-loop", None)),
        ("https://zhuanlan.zhihu.com/p/25954683", ("unknown", "zhihu-blocked", None)),
        ("https://www.jianshu.com/p/blocked", ("unknown", "jianshu-blocked", None)),
        ("https://hostile.test/503-always", ("unknown", "http-503", None)),
        ("https://encrypted.google.com/search?q=x", ("unknown", "http-429", None)),
        ("https://hostile.test/reset", ("unknown", "connection-reset", None)),
        ("https://baike.baidu.com/item/图灵机", ("alive", "http-200", None)),
    ],
)
def test_verdicts(simweb: SimulatedWeb, url: str, expected: tuple[str, str, str | None]) -> None:
    assert verdict_of(simweb, url) == expected


def test_a_permanent_redirect_to_a_dead_page_is_dead(tmp_path: Path) -> None:
    root = tmp_path / "web"
    (root / "moved.test").mkdir(parents=True)
    (root / "routes.toml").write_text(
        '[[route]]\nhost = "moved.test"\npath = "/old"\nstatus = 301\nlocation = "/gone"\n',
        encoding="utf-8",
    )
    web = SimulatedWeb(root).start(tmp_path)
    try:
        assert verdict_of(web, "https://moved.test/old") == (
            "dead",
            "http-404",
            "https://moved.test/gone",
        )
    finally:
        web.stop()


def test_retries_turn_a_passing_failure_into_alive(simweb: SimulatedWeb) -> None:
    report = run_check(
        simweb, "https://hostile.test/503-then-200\n\nhttps://hostile.test/429-then-200\n"
    )
    assert [r.verdict.status for r in report.results] == [Status.ALIVE, Status.ALIVE]
    requested = [r.target for r in simweb.requests if r.host == "hostile.test"]
    assert requested.count("/503-then-200") == 2
    assert requested.count("/429-then-200") == 2


def test_no_retry_for_404_or_tls_errors(simweb: SimulatedWeb) -> None:
    before = len(simweb.requests)
    run_check(simweb, "https://github.com/never/retried\n", max_retries=3)
    assert [r.target for r in simweb.requests[before:]] == ["/never/retried"]


@pytest.mark.parametrize("path", ["/drip", "/hang"])
def test_slow_servers_are_cut_off_by_the_timeout(simweb: SimulatedWeb, path: str) -> None:
    # Without the deadline, /drip would answer 200 after 30 s and /hang never.
    assert verdict_of(simweb, f"https://hostile.test{path}", timeout=1.0, max_retries=0) == (
        "unknown",
        "timeout",
        None,
    )
    [result] = run_check(
        simweb, f"https://hostile.test{path}\n", timeout=1.0, max_retries=0
    ).results
    assert result.verdict.detail == "no complete answer within 1 s (--timeout)"


def test_an_answer_that_is_not_http_says_so(simweb: SimulatedWeb) -> None:
    [result] = run_check(simweb, "https://hostile.test/not-http\n", max_retries=0).results
    assert (result.verdict.status, result.verdict.reason) == (Status.UNKNOWN, "invalid-http")
    assert result.verdict.detail


@pytest.mark.parametrize("path", ["/endless", "/gzip-bomb"])
def test_endless_bodies_and_gzip_bombs_are_read_to_the_limit_only(
    simweb: SimulatedWeb, path: str
) -> None:
    from linkcheck.fetch.fetcher import Fetcher
    from linkcheck.settings import fetch_settings

    async def fetch() -> int:
        fetcher = Fetcher(fetch_settings(web_config(simweb)))
        try:
            exchange = await fetcher.fetch(f"https://hostile.test{path}")
        finally:
            await fetcher.aclose()
        assert exchange.final_status == 200
        return len(exchange.body)

    # The bomb inflates to 200 MB and the endless body never ends: we hold 64 KiB.
    assert asyncio.run(fetch()) == 64 * 1024


def test_tls_errors_are_unknown_never_dead(simweb: SimulatedWeb) -> None:
    # Route a host the test CA never signed for to the TLS server: the name check fails.
    route = f"not-in-cert.test:443:127.0.0.1:{simweb.https_port}"
    config = web_config(simweb)
    assert verdict_of(
        simweb, "https://not-in-cert.test/", connect_to=(*config.connect_to, route)
    ) == ("unknown", "tls", None)


def test_connection_refused_is_unknown(simweb: SimulatedWeb) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = web_config(simweb)
    status = verdict_of(
        simweb,
        "https://refused.test/",
        connect_to=(*config.connect_to, f"refused.test:443:127.0.0.1:{port}"),
    )
    assert status == ("unknown", "connection-refused", None)


def test_a_name_that_does_not_resolve_is_not_dead_without_evidence(simweb: SimulatedWeb) -> None:
    # Other hosts connected through --connect-to, but no public name resolved: this machine
    # may have no DNS at all (DESIGN.md §3), so the failed lookup proves nothing.
    report = run_check(
        simweb,
        "https://github.com/facebookresearch/Detectron\n\nhttps://no-such-host.invalid/page\n",
    )
    statuses = [(r.verdict.status.value, r.verdict.reason) for r in report.results]
    assert statuses == [("alive", "http-200"), ("unknown", "dns-unverified")]
    assert not report.offline


def test_offline_when_nothing_can_be_reached() -> None:
    links = extract_markdown("post.md", "https://github.com/a/b\n\nhttps://no-such.invalid/\n")
    report = asyncio.run(check(links, web_config_offline()))
    assert report.offline
    assert {r.verdict.status for r in report.results} == {Status.UNKNOWN}
    assert {r.verdict.reason for r in report.results} == {"offline"}


def web_config_offline() -> object:
    from linkcheck.config import Config

    # No --connect-to: names go to this machine's resolver, which (like any machine
    # without DNS) answers nothing. Every target fails before a connection is made.
    return Config(
        timeout=2.0, max_retries=0, cache=False, connect_to=("github.com:443:no-such.invalid:443",)
    )


def test_local_links(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(b"png")
    post = tmp_path / "post.md"
    post.write_text("", encoding="utf-8")
    text = "![](/images/a.png) ![](/images/missing.png) [p](/2018/01/01/post.html) [q](post.md)"
    links = extract_markdown(str(post), text)
    from linkcheck.config import Config

    report = asyncio.run(check(links, Config(root_dir=(str(tmp_path),), cache=False)))
    assert [(r.verdict.status.value, r.verdict.reason) for r in report.results] == [
        ("alive", "file-exists"),
        ("dead", "file-missing"),
        ("unknown", "page-not-in-sources"),
        ("alive", "file-exists"),
    ]


def test_excluded_links_are_never_fetched(simweb: SimulatedWeb) -> None:
    before = len(simweb.requests)
    report = run_check(
        simweb,
        "mailto:a@b.org <me@x.org> [a](#top) http://localhost:8080/ http://192.168.1.1/ "
        "https://github.com/skip/me [js](javascript:void(0))\n",
        exclude=("github\\.com/skip",),
    )
    assert [(r.verdict.status.value, r.verdict.reason) for r in report.results] == [
        ("excluded", "mail"),
        ("excluded", "mail"),
        ("excluded", "fragment"),
        ("excluded", "private-host"),
        ("excluded", "private-host"),
        ("excluded", "excluded"),
        ("excluded", "scheme"),
    ]
    assert len(simweb.requests) == before


def test_each_url_is_fetched_once_however_often_it_is_cited(simweb: SimulatedWeb) -> None:
    before = len(simweb.requests)
    url = "https://github.com/open-mmlab/mmdetection"
    report = run_check(simweb, f"{url}\n\n[a]({url}) [b]({url}#readme)\n")
    assert len(report.results) == 3
    assert [r.target for r in simweb.requests[before:]] == ["/open-mmlab/mmdetection"]


def test_request_headers(simweb: SimulatedWeb) -> None:
    before = len(simweb.requests)
    run_check(simweb, "https://kexue.fm/archives/4765\n", header=(("X-Test", "yes"),))
    [request] = simweb.requests[before:]
    assert "linkcheck/" in (request.header("User-Agent") or "")
    assert request.header("X-Test") == "yes"
    assert request.header("Accept-Encoding") == "gzip, deflate"


def test_host_headers_go_to_that_host_only(simweb: SimulatedWeb) -> None:
    from linkcheck.config import HostConfig

    before = len(simweb.requests)
    run_check(
        simweb,
        "https://kexue.fm/archives/4765\n\nhttps://pkgs.org/\n",
        hosts={"kexue.fm": HostConfig(headers=(("Cookie", "a=1"),))},
    )
    cookies = {r.host: r.header("Cookie") for r in simweb.requests[before:]}
    assert cookies == {"kexue.fm": "a=1", "pkgs.org": None}


def test_site_absolute_paths_are_found_from_the_post_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linkcheck.config import Config

    blog = tmp_path / "blog"
    (blog / "_posts").mkdir(parents=True)
    (blog / "images").mkdir()
    (blog / "_config.yml").write_text("title: x\n", encoding="utf-8")
    (blog / "images" / "a.png").write_bytes(b"png")
    hugo = tmp_path / "hugo"
    (hugo / "content").mkdir(parents=True)
    (hugo / "static" / "img").mkdir(parents=True)
    (hugo / "hugo.toml").write_text("title = 'x'\n", encoding="utf-8")
    (hugo / "static" / "img" / "b.png").write_bytes(b"png")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a blog checked from another folder keeps its images
    links = extract_markdown(str(blog / "_posts" / "p.md"), "![](/images/a.png)\n")
    links += extract_markdown(str(hugo / "content" / "p.md"), "![](/img/b.png)\n")
    report = asyncio.run(check(links, Config(cache=False)))
    assert [(r.verdict.status.value, r.verdict.reason) for r in report.results] == [
        ("alive", "file-exists"),
        ("alive", "file-exists"),
    ]
