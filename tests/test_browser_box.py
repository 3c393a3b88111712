"""--browser is bounded and boxed (issue 25, items 4 and 5): a page that will not yield
cannot hang the run, a dialog cannot hold a tab, WebSockets and WebRTC reach no address,
downloads are denied, and a killed run's profile is swept away by the next."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkcheck.testing.simweb import Route, SimulatedWeb

from .conftest import run_with_hosts, web_cli_args

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ALIVE = '<script id="js-initialData">{}</script>'  # what the Zhihu rule reads as a live page


def _challenged(web: SimulatedWeb, path: str, body: str) -> str:
    """A Zhihu page behind the simulated challenge, whose page is body once passed."""
    page = f"<!doctype html><html><body>{ALIVE}{body}</body></html>".encode()
    web.add_route(Route("zhuanlan.zhihu.com", path, behaviour="challenge", body=page))
    return f"https://zhuanlan.zhihu.com{path}"


def _check_in_a_process(
    web: SimulatedWeb, folder: Path, urls: list[str], env: dict[str, str] | None = None
) -> dict[str, dict[str, str]]:
    """check --browser in its own interpreter: a run that hangs is killed by the bound and
    fails the test instead of stalling the suite (the bound is no timing assertion)."""
    (folder / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "linkcheck", "check", "post.md", "--browser"]
    done = subprocess.run(
        [*command, "--format", "json", "--no-cache", "--no-wayback", *web_cli_args(web)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode in (0, 1), done.stderr
    return {r["url"]: r for r in json.loads(done.stdout)["results"]}


def test_a_page_that_never_yields_is_unknown_and_the_run_ends(
    simweb: SimulatedWeb, tmp_path: Path
) -> None:
    assert CHROMIUM is not None, "the README's test command installs Debian's chromium"
    spins = _challenged(
        simweb,
        "/p/behind-challenge-spins",
        "<script>addEventListener('load', () => setTimeout(() => { while (true) {} }, 50));"
        "</script>",
    )
    # Alone on its host: with a second page there, the browser might pass the challenge on
    # that one and the client fetch this one with the cookie it earned (rightly alive).
    results = _check_in_a_process(simweb, tmp_path, [spins])
    assert (results[spins]["status"], results[spins]["reason"]) == ("unknown", "browser-timeout")
    assert "did not yield" in results[spins]["detail"]


def test_a_dialog_cannot_hold_the_tab(simweb: SimulatedWeb, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "the README's test command installs Debian's chromium"
    url = _challenged(
        simweb, "/p/behind-challenge-alert", "<script>alert('hi'); confirm('sure?');</script>"
    )
    results = _check_in_a_process(simweb, tmp_path, [url])
    assert results[url]["status"] == "alive", results[url]


class _Listeners:
    """A TCP listener (a WebSocket's target) and a UDP socket (a STUN server's) on
    127.0.0.1, each counting what reaches it."""

    def __init__(self) -> None:
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        self.tcp.settimeout(0.2)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.2)
        self.connections = 0
        self.datagrams = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept), threading.Thread(target=self._read)]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.tcp.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                self.udp.recvfrom(2048)
            except TimeoutError:
                continue
            self.datagrams += 1

    def __enter__(self) -> _Listeners:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self.tcp.close()
        self.udp.close()


@pytest.fixture
def listeners() -> Iterator[_Listeners]:
    with _Listeners() as running:
        yield running


def test_websockets_and_webrtc_reach_no_private_address(
    simweb: SimulatedWeb, tmp_path: Path, listeners: _Listeners
) -> None:
    assert CHROMIUM is not None, "the README's test command installs Debian's chromium"
    tcp, udp = listeners.tcp.getsockname()[1], listeners.udp.getsockname()[1]
    script = f"""<script>
    function tryAll(w) {{
      try {{ new w.WebSocket("ws://127.0.0.1:{tcp}/x"); }} catch (e) {{}}
      try {{
        var pc = new w.RTCPeerConnection({{iceServers: [{{urls: "stun:127.0.0.1:{udp}"}}]}});
        pc.createDataChannel("d");
        pc.createOffer().then(function (o) {{ return pc.setLocalDescription(o); }});
      }} catch (e) {{}}
    }}
    tryAll(window);
    var frame = document.createElement("iframe");
    document.body.appendChild(frame);
    tryAll(frame.contentWindow);
    </script>"""
    url = _challenged(simweb, "/p/behind-challenge-side-channels", script)
    results = _check_in_a_process(simweb, tmp_path, [url])
    assert results[url]["status"] == "alive"
    assert listeners.connections == 0
    assert listeners.datagrams == 0


def test_downloads_are_denied(simweb: SimulatedWeb, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "the README's test command installs Debian's chromium"
    simweb.add_route(
        Route(
            "zhuanlan.zhihu.com",
            "/dropped.bin",
            headers=(
                ("Content-Type", "application/octet-stream"),
                ("Content-Disposition", "attachment; filename=dropped.bin"),
            ),
            body=b"x" * 100_000,
        )
    )
    script = """<iframe src="/dropped.bin"></iframe><script>
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob(["x".repeat(100000)]));
    a.download = "dropped-blob.bin";
    document.body.appendChild(a);
    a.click();
    </script>"""
    url = _challenged(simweb, "/p/behind-challenge-download", script)
    home = tmp_path / "home"
    home.mkdir()
    results = _check_in_a_process(simweb, tmp_path, [url], env={"HOME": str(home)})
    assert results[url]["status"] == "alive"
    assert [p for p in home.rglob("*") if p.is_file() and "dropped" in p.name] == []


def test_a_killed_runs_profile_is_swept_by_the_next(simweb: SimulatedWeb, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "the README's test command installs Debian's chromium"
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    stale = Path(tempfile.gettempdir()) / f"linkcheck-chromium-{gone.stdout.strip()}-left"
    (stale / "Default").mkdir(parents=True)
    (stale / "Default" / "Cookies").write_text("earned cookies")
    url = _challenged(simweb, "/p/behind-challenge-sweep", "")
    results = _check_in_a_process(simweb, tmp_path, [url])
    assert results[url]["status"] == "alive"
    assert not stale.exists()
    assert not list(Path(tempfile.gettempdir()).glob(f"linkcheck-chromium-{os.getpid()}-*"))


def test_a_name_with_any_private_address_is_refused(tmp_path: Path) -> None:
    """A name with one public and one private address once passed (the rule asked for all
    of them private): Chromium may connect to whichever it likes. In a mount namespace of
    the test's own, /etc/hosts gives mixed.test both."""
    probe = (
        "import asyncio\n"
        "from linkcheck.browser.session import _resolves_privately as private\n"
        "print(asyncio.run(private('mixed.test')), asyncio.run(private('public.test')))\n"
    )
    hosts = "93.184.216.34 mixed.test\n127.0.0.1 mixed.test\n93.184.216.34 public.test\n"
    printed = run_with_hosts(tmp_path, hosts, probe)
    assert printed.split() == ["True", "False"]
