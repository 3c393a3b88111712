"""--browser: real headless Chromium passes the simulated web's JavaScript challenge, and
what it earned is reused by the HTTP client (issue 14)."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from linkcheck.browser.spki import spki_hashes
from linkcheck.fetch.cookies import set_cookie_line
from linkcheck.testing.simweb import Route, SimulatedWeb

from .conftest import check_post, web_cli_args

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHALLENGED = [f"https://zhuanlan.zhihu.com/p/behind-challenge-{n}" for n in (1, 2, 3, 4)]
DELETED = "https://zhuanlan.zhihu.com/p/behind-challenge-deleted"
CAPTCHA = "https://zhuanlan.zhihu.com/p/behind-captcha"


def _post(tmp_path: Path, urls: list[str]) -> None:
    (tmp_path / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")


def _results(output: str) -> dict[str, dict[str, str]]:
    return {r["url"]: r for r in json.loads(output)["results"]}


def _from_the_browser(web: SimulatedWeb) -> list[str]:
    """Paths Chromium asked for (a browser sends Sec-Fetch-* headers; httpx does not)."""
    return [r.target for r in web.requests if r.header("sec-fetch-mode")]


def test_a_challenged_page_is_seen_through_the_browser_once_per_host(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CHROMIUM is not None, "the README's test command installs Debian's chromium"
    monkeypatch.chdir(tmp_path)
    _post(tmp_path, [*CHALLENGED, DELETED, CAPTCHA])
    simweb.requests.clear()
    result = check_post(simweb, "--browser")
    results = _results(result.stdout)
    assert {url: results[url]["status"] for url in CHALLENGED} == dict.fromkeys(CHALLENGED, "alive")
    assert results[DELETED]["status"] == "dead"  # the page behind the wall says so
    assert (results[CAPTCHA]["status"], results[CAPTCHA]["reason"]) == ("unknown", "zhihu-blocked")
    assert "still there after a real browser" in results[CAPTCHA]["detail"]
    # One challenged page went through the browser (the challenge, then its reload), the
    # captcha another; the host's other pages came by the HTTP client with its cookie.
    browsed = [p for p in _from_the_browser(simweb) if "behind-challenge" in p]
    assert len(set(browsed)) == 1
    assert len(browsed) == 2
    plain = [
        r
        for r in simweb.requests
        if r.header("cookie") and not r.header("sec-fetch-mode") and "challenge" in r.target
    ]
    assert {r.target for r in plain} >= {
        u.removeprefix("https://zhuanlan.zhihu.com") for u in [*CHALLENGED, DELETED]
    } - set(browsed)
    # The cookie is bound to the browser's User-Agent, which the client sends with it.
    assert all("HeadlessChrome" in (r.header("user-agent") or "") for r in plain)


def test_without_the_option_the_wall_is_unknown(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _post(tmp_path, CHALLENGED[:1])
    results = _results(check_post(simweb).stdout)
    assert results[CHALLENGED[0]]["reason"] == "zhihu-blocked"


def test_without_a_chromium_one_hint_and_todays_verdicts(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _post(tmp_path, CHALLENGED[:2])
    result = check_post(simweb, "--browser", "--browser-path", str(tmp_path / "no-chromium"))
    assert result.stderr.count("--browser: no Chromium found") == 1
    results = _results(result.stdout)
    assert {results[u]["reason"] for u in CHALLENGED[:2]} == {"zhihu-blocked"}


class _Beacon(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def beacon() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Beacon)
    _Beacon.hits.clear()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_browser_reaches_no_private_address_and_no_other_host(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, beacon: str
) -> None:
    """A page behind the wall that calls a loopback address and a host the routes do not
    name: neither request leaves the browser."""
    assert CHROMIUM is not None, "the README's test command installs Debian's chromium"
    page = (
        f'<html><body><script id="js-initialData">{{}}</script>'
        f'<script src="{beacon}/beacon.js"></script>'
        f'<script src="https://not-routed.example/x.js"></script></body></html>'
    ).encode()
    path = "/p/behind-challenge-beacon"
    simweb.add_route(Route("zhuanlan.zhihu.com", path, behaviour="challenge", body=page))
    monkeypatch.chdir(tmp_path)
    _post(tmp_path, [f"https://zhuanlan.zhihu.com{path}"])
    results = _results(check_post(simweb, "--browser").stdout)
    assert results[f"https://zhuanlan.zhihu.com{path}"]["status"] == "alive"
    assert _Beacon.hits == []
    assert not any(r.host == "not-routed.example" for r in simweb.requests)


def test_a_certificates_key_hash_as_chromium_takes_it(simweb: SimulatedWeb) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    assert simweb.ca_file is not None
    certificate = x509.load_pem_x509_certificate(simweb.ca_file.read_bytes())
    key = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert spki_hashes((str(simweb.ca_file),)) == [
        base64.b64encode(hashlib.sha256(key).digest()).decode()
    ]
    assert spki_hashes(("/nonexistent.pem",)) == []


def test_a_browser_cookie_becomes_the_set_cookie_line_that_makes_it() -> None:
    assert (
        set_cookie_line(
            {"name": "z_c0", "value": "abc", "domain": ".zhihu.com", "path": "/", "secure": True}
        )
        == "z_c0=abc; Path=/; Domain=.zhihu.com; Secure"
    )
    assert set_cookie_line({"name": "a", "value": "1", "domain": "www.zhihu.com"}) == "a=1; Path=/"


def _chromium_of_ours() -> list[str]:
    """Processes running with a profile linkcheck made (every Chromium --browser starts)."""
    found = subprocess.run(
        ["pgrep", "-f", "linkcheck-chromium-"], capture_output=True, text=True, check=False
    )
    return found.stdout.split()


def test_ctrl_c_while_the_browser_is_open_closes_it(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page behind the wall never finishes loading (a script that hangs): Ctrl-C then
    ends the run, and no Chromium outlives it."""
    assert CHROMIUM is not None, "the README's test command installs Debian's chromium"
    assert _chromium_of_ours() == []
    page = b'<html><body><script src="/p/hangs-forever"></script></body></html>'
    path = "/p/behind-challenge-never-loads"
    simweb.add_route(Route("zhuanlan.zhihu.com", path, behaviour="challenge", body=page))
    simweb.add_route(Route("zhuanlan.zhihu.com", "/p/hangs-forever", behaviour="hang"))
    monkeypatch.chdir(tmp_path)
    _post(tmp_path, [f"https://zhuanlan.zhihu.com{path}"])
    command = [sys.executable, "-m", "linkcheck", "check", "post.md", "--browser"]
    run = subprocess.Popen(
        [*command, "--no-cache", "--no-wayback", *web_cli_args(simweb)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(200):  # until the browser has the page open (at most 20 s)
        if any(r.target == "/p/hangs-forever" for r in simweb.requests):
            break
        time.sleep(0.1)
    assert _chromium_of_ours() != []
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=30)
    assert run.returncode == 130, err
    for _ in range(100):
        if not _chromium_of_ours():
            break
        time.sleep(0.1)
    assert _chromium_of_ours() == []


def test_the_browser_goes_through_the_clients_proxy_with_its_credentials(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --connect-to: an HTTP proxy that asks for credentials plays the network, for the
    HTTP client and for Chromium alike; the credentials appear in no output."""
    from typer.testing import CliRunner

    from linkcheck.cli import app

    from .helpers.proxy_server import running_proxy

    assert CHROMIUM is not None, "the README's test command installs Debian's chromium"
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    _post(tmp_path, CHALLENGED[:2])
    with running_proxy(simweb.https_port, simweb.http_port, auth=("reader", "pr0xy-pass")) as proxy:
        address = f"http://reader:pr0xy-pass@127.0.0.1:{proxy.server_address[1]}"
        command = ["check", "post.md", "--browser", "--proxy", address, "--format", "json"]
        result = CliRunner().invoke(
            app,
            [*command, "--cacert", str(simweb.ca_file), "--no-cache", "--no-wayback"],
        )
        log = list(proxy.log)
    results = _results(result.stdout)
    assert {results[u]["status"] for u in CHALLENGED[:2]} == {"alive"}, result.output
    assert any(
        "seen through a headless browser" in (results[u]["detail"] or "") for u in CHALLENGED[:2]
    )
    assert "CONNECT zhuanlan.zhihu.com:443" in log
    assert "pr0xy-pass" not in result.stdout + result.stderr


def test_the_pac_script_decides_in_the_clients_order() -> None:
    """--connect-to, the hosts table (most specific first), NO_PROXY, --proxy, the
    environment: the order of proxies.py's for_url; no credentials in the script."""
    from linkcheck.browser.pac import pac_url
    from linkcheck.fetch.proxies import Proxies, Proxy

    proxies = Proxies(
        explicit=Proxy.parse("http://user:secret@proxy.test:3128", name="--proxy"),
        per_host={
            "zhihu.com": Proxy.parse("socks5://socks.test:1080", name="x"),
            "www.zhihu.com": None,
        },
        no_proxy="intranet.test, .corp.test:8080",
    )
    url = pac_url(proxies, ("routed.test",))
    assert url is not None
    script = base64.b64decode(url.split(",", 1)[1]).decode()
    lines = script.splitlines()

    def line_of(part: str) -> int:
        return next(i for i, line in enumerate(lines) if part in line)

    order = [
        "host == \"routed.test\") return 'DIRECT'",
        'host == "www.zhihu.com"',
        '"SOCKS5 socks.test:1080"',
        'host == "intranet.test"',
        'host == "corp.test"',
        'return "PROXY proxy.test:3128"',
    ]
    positions = [line_of(part) for part in order]
    assert positions == sorted(positions), script
    assert lines[line_of('host == "www.zhihu.com"')].endswith("return 'DIRECT';")
    assert "secret" not in script
    assert pac_url(Proxies(), ()) is None


def test_one_chromium_serves_every_visit_of_a_run(simweb: SimulatedWeb) -> None:
    import asyncio

    from linkcheck.browser.session import BrowserSession
    from linkcheck.settings import browser_settings

    from .conftest import web_config

    assert CHROMIUM is not None, "the README's test command installs Debian's chromium"
    settings = browser_settings(web_config(simweb, browser=True))
    assert settings is not None

    async def visit_all() -> tuple[int, list[int | None]]:
        async with BrowserSession(settings) as browser:
            visits = await asyncio.gather(*(browser.visit(url) for url in [*CHALLENGED, DELETED]))
            return browser.starts, [visit.status for visit in visits]

    starts, statuses = asyncio.run(visit_all())
    assert starts == 1
    assert statuses == [200, 200, 200, 200, 404]  # each past its challenge
    assert _chromium_of_ours() == []
