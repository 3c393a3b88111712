"""Proxies (issue 16): --proxy (http and socks5), the environment's HTTPS_PROXY/HTTP_PROXY
with NO_PROXY, a host's own proxy, and --connect-to winning over all of them; tested
through a real proxy on 127.0.0.1 that plays the network for the simulated web."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.config import ConfigError
from linkcheck.fetch.proxies import Proxies, Proxy, bypassed
from linkcheck.testing.simweb import SimulatedWeb, running

from .helpers.proxy_server import running_proxy

runner = CliRunner()
DELETED = "https://mp.weixin.qq.com/s/deleted"
SOHU = "http://www.sohu.com/"


# --- the choice, pure ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "no_proxy", "expected"),
    [
        ("example.com", "example.com", True),
        ("www.example.com", ".example.com", True),
        ("www.example.com", "example.com", True),
        ("badexample.com", "example.com", False),
        ("example.com", "other.org, example.com:8080", True),
        ("anything.org", "*", True),
        ("::1", "[::1]", True),
        ("10.0.0.1", "10.0.0.1", True),
        ("example.com", "", False),
    ],
)
def test_no_proxy_is_read_as_curl_reads_it(host: str, no_proxy: str, expected: bool) -> None:
    assert bypassed(host, no_proxy) is expected


def test_the_order_of_the_choice() -> None:
    explicit = Proxy.parse("http://explicit:3128", name="t")
    own = Proxy.parse("socks5://own:1080", name="t")
    env = Proxy.parse("http://env:8080", name="t")
    proxies = Proxies(
        explicit=explicit,
        per_host={"zhihu.com": own, "github.com": None},
        environment={"https": env},
        no_proxy="internal.example",
        routed=lambda host: host == "routed.example",
    )
    assert proxies.for_url("https", "routed.example") is None  # --connect-to wins
    assert proxies.for_url("https", "www.zhihu.com") == own  # a host's own, nearest domain
    assert proxies.for_url("https", "github.com") is None  # "direct"
    assert proxies.for_url("https", "a.internal.example") is None  # NO_PROXY
    assert proxies.for_url("https", "other.example") == explicit  # --proxy
    quiet = Proxies(environment={"https": env})
    assert quiet.for_url("https", "other.example") == env
    assert quiet.for_url("http", "other.example") is None  # only HTTPS_PROXY was set


def test_no_env_proxy_keeps_no_proxy_but_drops_the_environment_s_proxies() -> None:
    variables = {"https": "http://env:8080", "no": "skip.example"}
    on = Proxies.from_environment(
        variables, explicit=None, per_host={}, routed=lambda h: False, use_proxies=True
    )
    off = Proxies.from_environment(
        variables, explicit=None, per_host={}, routed=lambda h: False, use_proxies=False
    )
    assert on.for_url("https", "a.example") == Proxy.parse("http://env:8080", name="t")
    assert off.for_url("https", "a.example") is None
    assert off.no_proxy == "skip.example"


def test_credentials_stay_out_of_the_proxy_s_text() -> None:
    proxy = Proxy.parse("socks5://user:p%40ss@127.0.0.1:1080", name="--proxy")
    assert proxy.url == "socks5://127.0.0.1:1080"
    assert proxy.auth == ("user", "p@ss")
    assert "p@ss" not in repr(proxy)
    assert Proxy.parse("socks5h://127.0.0.1:1080", name="t").url == "socks5://127.0.0.1:1080"
    with pytest.raises(ConfigError) as raised:
        Proxy.parse("ftp://user:hunter2@proxy:21", name="--proxy")
    assert "hunter2" not in str(raised.value)


# --- through a real proxy -------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return tmp_path


def _args(web: SimulatedWeb) -> list[str]:
    """The simulated web's CA and short waits, but no --connect-to: the proxy routes."""
    return [
        "--cacert",
        str(web.ca_file),
        "--timeout",
        "5",
        "--max-retries",
        "0",
        "--no-progress",
        "--no-cache",
        "--no-wayback",
        "--format",
        "json",
    ]


def _through_http_proxy(
    web: SimulatedWeb, *args: str
) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """`check post.md --proxy` through an HTTP proxy that plays the network for web: the
    verdicts, and what the proxy was asked."""
    with running_proxy(web.https_port, web.http_port) as proxy:
        address = f"http://127.0.0.1:{proxy.server_address[1]}"
        result = runner.invoke(app, ["check", "post.md", "--proxy", address, *args, *_args(web)])
        return _verdicts(result.stdout), list(proxy.log)


def _verdicts(stdout: str) -> dict[str, tuple[str, str]]:
    return {r["url"]: (r["status"], r["reason"]) for r in json.loads(stdout)["results"]}


def test_the_environment_s_proxies_and_no_proxy(simweb: SimulatedWeb, project: Path) -> None:
    direct = f"http://127.0.0.1:{simweb.http_port}/direct-please"
    (project / "post.md").write_text(f"{DELETED}\n\n{SOHU}\n\n{direct}\n", encoding="utf-8")
    with running_proxy(simweb.https_port, simweb.http_port) as proxy:
        address = f"http://127.0.0.1:{proxy.server_address[1]}"
        before = len(simweb.requests)
        result = runner.invoke(
            app,
            ["check", "post.md", "--include-private", *_args(simweb)],
            env={"HTTPS_PROXY": address, "http_proxy": address, "NO_PROXY": "127.0.0.1"},
        )
        log = list(proxy.log)
    verdicts = _verdicts(result.stdout)
    assert verdicts[DELETED] == ("dead", "wechat-deleted")  # read through the tunnel
    assert verdicts[SOHU][0] == "alive"
    assert "CONNECT mp.weixin.qq.com:443" in log
    assert f"GET {SOHU}" in log
    assert not any("127.0.0.1" in line for line in log)  # NO_PROXY: straight there
    hosts = [r.host for r in simweb.requests[before:]]
    assert any(host.startswith("127.0.0.1") for host in hosts)


def test_socks5_with_credentials_that_no_output_shows(simweb: SimulatedWeb, project: Path) -> None:
    (project / "post.md").write_text(f"{DELETED}\n", encoding="utf-8")
    with running_proxy(
        simweb.https_port, simweb.http_port, socks=True, auth=("reader", "s3cret-pass")
    ) as proxy:
        url = f"socks5://reader:s3cret-pass@127.0.0.1:{proxy.server_address[1]}"
        good = runner.invoke(app, ["check", "post.md", "--proxy", url, *_args(simweb)])
        wrong = url.replace("s3cret-pass", "wrong-pass")
        bad = runner.invoke(app, ["check", "post.md", "--proxy", wrong, *_args(simweb), "-v"])
        log = list(proxy.log)
    assert _verdicts(good.stdout)[DELETED] == ("dead", "wechat-deleted")
    assert log == ["SOCKS mp.weixin.qq.com:443"]  # the refused attempt logs nothing
    status, _ = _verdicts(bad.stdout)[DELETED]
    assert status == "unknown"  # a proxy that refuses us proves nothing about the page
    for output in (good.stdout, good.stderr, bad.stdout, bad.stderr):
        assert "s3cret-pass" not in output
        assert "wrong-pass" not in output


def test_connect_to_and_a_host_s_direct_win_over_the_proxy(
    simweb: SimulatedWeb, project: Path
) -> None:
    (project / "post.md").write_text(
        f"{DELETED}\n\n{SOHU}\n\nhttps://kexue.fm/archives/4765\n", encoding="utf-8"
    )
    (project / "linkcheck.toml").write_text(
        '[hosts."kexue.fm"]\nproxy = "direct"\n', encoding="utf-8"
    )
    verdicts, log = _through_http_proxy(
        simweb,
        "--connect-to",
        f"www.sohu.com:80:127.0.0.1:{simweb.http_port}",
        "--connect-to",
        f"kexue.fm:443:127.0.0.1:{simweb.https_port}",
    )
    assert verdicts[SOHU][0] == "alive"
    assert verdicts["https://kexue.fm/archives/4765"][0] == "alive"
    assert log == ["CONNECT mp.weixin.qq.com:443"]


@pytest.fixture(scope="module")
def to_loopback(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedWeb]:
    root = tmp_path_factory.mktemp("to-loopback-web")
    (root / "routes.toml").write_text(
        '[[route]]\nhost = "evil.test"\npath = "/in"\nstatus = 302\n'
        'location = "http://127.0.0.1:9/secret"\n',
        encoding="utf-8",
    )
    with running(root, tmp_path_factory.mktemp("to-loopback-ca")) as web:
        yield web


def test_a_redirect_into_the_private_network_is_not_sent_through_the_proxy(
    to_loopback: SimulatedWeb, project: Path
) -> None:
    (project / "post.md").write_text("https://evil.test/in\n", encoding="utf-8")
    verdicts, log = _through_http_proxy(to_loopback)
    assert verdicts["https://evil.test/in"] == ("unknown", "private-redirect")
    assert log == ["CONNECT evil.test:443"]


def test_a_bad_proxy_is_a_configuration_error(project: Path) -> None:
    (project / "post.md").write_text("x\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "post.md", "--proxy", "gopher://proxy:70"])
    assert result.exit_code == 2
    assert "expected a proxy URL" in result.stderr
    (project / "linkcheck.toml").write_text('[hosts."a.com"]\nproxy = 3\n', encoding="utf-8")
    from_file = runner.invoke(app, ["check", "post.md"])
    assert from_file.exit_code == 2
    assert "hosts.a.com.proxy" in from_file.stderr
