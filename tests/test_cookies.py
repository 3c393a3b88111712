"""--cookies (issue 14): a cookies.txt's cookies go only to the hosts they belong to, over
HTTPS, hop by hop, never for a public suffix; cookies servers set are kept for the run; and
none of them appears in any output, the state database or a WARC."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.fetch.cookies import CookieStore
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import check_post

runner = CliRunner()
LATER = int(time.time()) + 86400 * 30
EARLIER = int(time.time()) - 86400


def _cookies_txt(path: Path, *lines: tuple[str, bool, str, bool, int, str, str]) -> str:
    rows = ["# Netscape HTTP Cookie File"]
    for domain, subdomains, cookie_path, secure, expires, name, value in lines:
        flags = ("TRUE" if subdomains else "FALSE", "TRUE" if secure else "FALSE")
        rows.append("\t".join([domain, flags[0], cookie_path, flags[1], str(expires), name, value]))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def test_cookies_go_only_where_their_domain_matches(tmp_path: Path) -> None:
    file = _cookies_txt(
        tmp_path / "cookies.txt",
        (".zhihu.com", True, "/", True, LATER, "z_c0", "session-zhihu"),
        ("github.com", False, "/", True, LATER, "user_session", "session-github"),
        (".com.cn", True, "/", False, LATER, "everyone", "public-suffix"),
        (".zhihu.com", True, "/", False, EARLIER, "old", "expired"),
        (".zhihu.com", True, "/people", False, LATER, "deep", "path-only"),
    )
    store = CookieStore.load(file, ())
    assert (
        store.header_for("https://www.zhihu.com/question/1", "www.zhihu.com")
        == "z_c0=session-zhihu"
    )
    assert store.header_for("https://zhihu.com/", "zhihu.com") == "z_c0=session-zhihu"
    assert "deep=path-only" in (
        store.header_for("https://www.zhihu.com/people/x", "www.zhihu.com") or ""
    )
    assert store.header_for("https://zhihu.com.evil.cn/", "zhihu.com.evil.cn") is None
    assert store.header_for("http://www.zhihu.com/", "www.zhihu.com") is None  # HTTPS only
    assert store.header_for("https://github.com/a/b", "github.com") == "user_session=session-github"
    assert store.header_for("https://api.github.com/", "api.github.com") is None  # host-only
    assert store.header_for("https://www.example.com.cn/", "www.example.com.cn") is None


def test_a_host_s_own_cookies_go_to_it_alone(tmp_path: Path) -> None:
    file = _cookies_txt(
        tmp_path / "zhihu.txt", (".zhihu.com", True, "/", True, LATER, "z_c0", "mine")
    )
    store = CookieStore.load(None, [("zhuanlan.zhihu.com", file)])
    assert store.header_for("https://zhuanlan.zhihu.com/p/1", "zhuanlan.zhihu.com") == "z_c0=mine"
    assert store.header_for("https://www.zhihu.com/question/1", "www.zhihu.com") is None


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_hop_by_hop_kept_from_the_server_and_absent_from_every_record(
    simweb: SimulatedWeb, project: Path
) -> None:
    file = _cookies_txt(
        project / "cookies.txt",
        ("zhuanlan.zhihu.com", False, "/", True, LATER, "z_c0", "zhihu-secret-value"),
    )
    (project / "post.md").write_text(
        "https://zhuanlan.zhihu.com/to-github\n\nhttps://www.cnblogs.com/cookie-gate\n",
        encoding="utf-8",
    )
    before = len(simweb.requests)
    result = check_post(simweb, "--cookies", file, "--archive")
    assert result.exit_code in (0, 1), result.stderr
    asked = simweb.requests[before:]
    cookie_of = {(r.host.partition(":")[0], r.target): r.header("cookie") for r in asked}
    assert cookie_of[("zhuanlan.zhihu.com", "/to-github")] == "z_c0=zhihu-secret-value"
    assert cookie_of[("github.com", "/matterport/Mask-RCNN")] is None  # the next hop: not its
    # what www.cnblogs.com set on the way is sent to it on the next hop
    assert cookie_of[("www.cnblogs.com", "/example/p/1234567.html")] == "gate=passed"
    everything = [result.stdout, result.stderr]
    everything += [
        p.read_bytes().decode("latin-1")
        for p in (project / ".linkcheck").rglob("*")
        if p.is_file() and p.suffix != ".gz"
    ]
    for text in everything:
        assert "zhihu-secret-value" not in text
        assert "gate=passed" not in text
    import gzip

    warcs = list((project / ".linkcheck" / "archive").rglob("*.warc.gz"))
    assert warcs
    for warc in warcs:
        text = gzip.decompress(warc.read_bytes()).decode("latin-1")
        assert "zhihu-secret-value" not in text
        assert "gate=passed" not in text


def test_a_cookies_file_that_is_not_one_is_a_configuration_error(project: Path) -> None:
    (project / "post.md").write_text("x\n", encoding="utf-8")
    (project / "cookies.txt").write_text("this is not a cookie file\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "post.md", "--cookies", "cookies.txt"])
    assert result.exit_code == 2
    assert "cannot read a cookies.txt" in result.stderr
    missing = runner.invoke(app, ["check", "post.md", "--cookies", "nowhere.txt"])
    assert missing.exit_code == 2
    assert "no such file" in missing.stderr


def test_a_cookies_file_named_in_the_config_is_found_beside_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linkcheck.config import build_config

    _cookies_txt(project / "zhihu.txt", (".zhihu.com", True, "/", True, LATER, "z", "v"))
    (project / "linkcheck.toml").write_text(
        'cookies = "zhihu.txt"\n[hosts."zhihu.com"]\ncookies = "zhihu.txt"\n', encoding="utf-8"
    )
    (project / "posts").mkdir()
    monkeypatch.chdir(project / "posts")
    # A repository's file names cookies only when the user trusts it (SECURITY.md).
    config = build_config({}, None, cwd=project / "posts", trust_config=True)
    assert config.cookies == str(project / "zhihu.txt")
    assert config.hosts["zhihu.com"].cookies == str(project / "zhihu.txt")
