"""One headless Chromium per run, started on first need, for the pages a host rule found
behind a challenge the browser can pass: it opens them in a tab, lets their scripts run
(the challenge mints its cookie and reloads), and returns the page it settled on with the
cookies and User-Agent that earned it.

Routed as the HTTP client is: Chromium resolves no name itself (every name maps to
~NOTFOUND but its proxies'), and reaches every host through a proxy: the user's where the
client would use one (pac.py), else linkcheck's pinning proxy (pinning.py), which connects
through routing.py as the client does (``--connect-to``, no private address, checked on
the very address it connects to). ``--cacert``'s certificates are trusted by key,
background networking is off. Bounded: a few tabs, a deadline per page, closed at the end
of the run and on Ctrl-C (the caller's ``async with``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..fetch.addresses import is_private_address, is_private_host
from ..fetch.proxies import Proxies
from ..fetch.routing import ConnectTo, NetworkEvidence, RoutingBackend
from .cdp import CALL_SECONDS, BrowserError, BrowserTimeout, Chromium
from .network import BUFFER_PARAMS, NetworkLog, NetworkRecord
from .pac import pac_url
from .pinning import PinningProxy
from .spki import Tunnel, leaf_hash, spki_hashes

# Debian's package names it chromium; others chromium-browser or google-chrome.
EXECUTABLES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless, and nothing of its own on the network: no updates, sync or background fetches.
QUIET_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-pings",
    "--disable-features=OptimizationHints,OptimizationHintsFetching,OptimizationGuideModelDownloading,"
    "Translate,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    # WebRTC's STUN/TURN traffic goes around every request rule: no UDP but through a proxy.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
)
# Google's own services Chromium asks for even with the flags above (seen here at start-up):
# never connected to, whatever the routes (the pinning proxy refuses them).
_GOOGLE_SERVICES = (
    "*.gvt1.com",
    "update.googleapis.com",
    "optimizationguide-pa.googleapis.com",
    "content-autofill.googleapis.com",
    "safebrowsingohttpgateway.googleapis.com",
    "clientservices.googleapis.com",
    "clients2.google.com",
    "accounts.google.com",
)
# Run before any script of every page: the ways out of the page that no request rule sees
# (WebRTC's peer connections, WebSockets, WebTransport) are not there to use.
_NO_SIDE_CHANNELS = """
for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection", "RTCDataChannel",
                    "WebSocket", "WebTransport"]) {
  try { Object.defineProperty(globalThis, name, {value: undefined, configurable: false}); }
  catch (e) {}
}
"""
# A profile's folder is named for the process that made it, so a later run can remove the
# ones a killed run left behind (with the cookies they earned).
_PROFILE_PREFIX = "linkcheck-chromium-"
# The page has settled when no navigation started for this long after a load.
_QUIET_SECONDS = 1.0
# A rendering for the archive: scrolled a screen at a time (lazy images load), its size capped.
_SCROLL_STEPS = 8
_SCROLL_PAUSE = 0.25
SCREENSHOT_WIDTH = 1920
SCREENSHOT_HEIGHT = 16_384
# The ways out no request rule sees, blocked in every tab.
_SIDE_CHANNEL_URLS = ["ws://*", "wss://*"]
# Not needed to judge a page, and each a request to some other host.
_BLOCKED_URLS = [
    "*.png",
    "*.jpg",
    "*.jpeg",
    "*.gif",
    "*.webp",
    "*.svg",
    "*.ico",
    "*.woff*",
    "*.mp4",
    "ws://*",
    "wss://*",
]


@dataclass(frozen=True)
class BrowserSettings:
    executable: str
    connect_to: tuple[tuple[str, int, str, int], ...] = ()  # (host, port, to host, to port)
    cacert: tuple[str, ...] = ()
    tabs: int = 3
    page_deadline: float = 20.0
    include_private: bool = False  # --include-private: the page may reach private addresses
    routes: tuple[ConnectTo, ...] = ()  # --connect-to, as the client reads it
    proxies: Proxies = field(default_factory=Proxies)  # the client's proxy choice (pac.py)
    connect_timeout: float = 10.0
    # (proxy host:port, user, password): given when that proxy asks, never on a command line
    proxy_auth: tuple[tuple[str, str, str], ...] = field(default=(), repr=False)
    # host → the HTTP(S) proxy the client would tunnel through to it, for the look at its
    # certificate that --cacert needs (spki.leaf_hash); None: direct (or a SOCKS proxy)
    tunnel_for: Callable[[str], Tunnel | None] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Rendering:
    """A page as the browser drew it, for the archive: where it settled (URL, status), its
    DOM once scrolled to the end (lazy content loaded, scripts' work done), a full-page PNG,
    a PDF, and what it exchanged on the way (network.py)."""

    url: str
    status: int | None
    html: str
    screenshot: bytes
    pdf: bytes
    records: tuple[NetworkRecord, ...] = ()


@dataclass(frozen=True)
class Visit:
    """The page a browser settled on."""

    url: str
    status: int | None  # of the last document response
    html: str
    cookies: tuple[dict[str, Any], ...]  # as the protocol gives them (name, value, domain…)
    user_agent: str


def find_executable(given: str | None) -> str | None:
    """--browser-path, else the first Chromium on PATH."""
    if given:
        return given if Path(given).is_file() else shutil.which(given)
    return next((found for name in EXECUTABLES if (found := shutil.which(name))), None)


class BrowserSession:
    def __init__(self, settings: BrowserSettings) -> None:
        self.settings = settings
        self.starts = 0  # how many times Chromium was started (once per run)
        self.visits = 0
        self._chromium: Chromium | None = None
        self._starting = asyncio.Lock()
        self._tabs = asyncio.Semaphore(settings.tabs)
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._user_agent = ""
        self._private: dict[str, bool] = {}  # host → it resolves to private addresses only
        # --cacert: the leaves Python verified, trusted by Chromium by their keys; and the
        # origins already looked at (a leaf that would not verify is not asked for again).
        self._pins: set[str] = set()
        self._pinning: dict[tuple[str, int], asyncio.Future[None]] = {}
        self._proxy: PinningProxy | None = None

    async def __aenter__(self) -> BrowserSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._chromium is not None:
            await self._chromium.close()
            self._chromium = None
        if self._proxy is not None:
            await self._proxy.close()
            self._proxy = None
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    async def _browser(self) -> Chromium:
        async with self._starting:
            if self._chromium is None:
                sweep_stale_profiles()
                self._profile = tempfile.TemporaryDirectory(
                    prefix=f"{_PROFILE_PREFIX}{os.getpid()}-"
                )
                if self._proxy is None:
                    settings = self.settings
                    routing = RoutingBackend(
                        settings.routes, NetworkEvidence(), allow_private=settings.include_private
                    )
                    self._proxy = PinningProxy(
                        routing, connect_timeout=settings.connect_timeout, never=_GOOGLE_SERVICES
                    )
                    await self._proxy.start()
                chromium = Chromium()
                flags = self._flags(self._profile.name, self._proxy.port)
                await chromium.start(self.settings.executable, flags)
                self.starts += 1
                version = await chromium.call("Browser.getVersion")
                self._user_agent = str(version.get("userAgent", ""))
                await chromium.call("Browser.setDownloadBehavior", {"behavior": "deny"})
                self._chromium = chromium
            return self._chromium

    def _flags(self, profile: str, pinning_port: int) -> list[str]:
        """Chromium's command line: pinning_port is the pinning proxy's, where every host
        goes that the client would reach without a proxy."""
        flags = [*QUIET_FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}"]
        settings = self.settings
        # Only the user's proxies are names Chromium may resolve: every other connection
        # is the pinning proxy's (on 127.0.0.1, which the rules would map away too).
        rules = [f"EXCLUDE {host}" for host in ("127.0.0.1", *_proxy_names(settings.proxies))]
        rules.append("MAP * ~NOTFOUND")
        flags.append("--host-resolver-rules=" + ", ".join(rules))
        routed = tuple(route.host for route in settings.routes)
        pac = pac_url(settings.proxies, routed, direct=f"SOCKS5 127.0.0.1:{pinning_port}")
        flags.append(f"--proxy-pac-url={pac}")
        hashes = spki_hashes(self.settings.cacert) + sorted(self._pins)
        if hashes:
            flags.append("--ignore-certificate-errors-spki-list=" + ",".join(hashes))
        flags.append("about:blank")
        return flags

    async def visit(self, url: str) -> Visit:
        """Open url in a tab and wait until it settles or the page deadline passes. Raises
        BrowserError when Chromium cannot be started or stops answering, BrowserTimeout
        when the page will not yield (its tab is closed, or Chromium itself if the tab
        cannot be: the next visit starts a new one)."""
        async with self._tab(url) as (chromium, session):
            self.visits += 1
            status, final = await self._load(chromium, session, url)
            html = await self._outer_html(chromium, session)
            cookies = await chromium.call("Network.getCookies", {"urls": [final]}, session=session)
            return Visit(final, status, html, tuple(cookies.get("cookies", ())), self._user_agent)

    async def render(self, url: str) -> Rendering:
        """Open url as visit does, images and all, scroll to its end (lazy images load),
        and draw it: a full-page screenshot (at most SCREENSHOT_HEIGHT pixels tall) and a
        PDF, the DOM it ended with, and every exchange it made (bodies included). Raises
        as visit does."""
        async with self._tab(url) as (chromium, session):
            log = NetworkLog()
            status, final = await self._load(
                chromium, session, url, blocked=_SIDE_CHANNEL_URLS, log=log
            )
            screenshot, pdf = await self._draw(chromium, session)
            html = await self._outer_html(chromium, session)
            events = chromium.events(session)
            while not events.empty():  # what the scrolling loaded
                event = events.get_nowait()
                log.see(event.get("method"), event.get("params", {}))

            async def body_of(request_id: str) -> dict[str, Any]:
                return await chromium.call(
                    "Network.getResponseBody", {"requestId": request_id}, session=session
                )

            deadline = time.monotonic() + self.settings.page_deadline
            records = await log.records(body_of, deadline)
            return Rendering(final, status, html, screenshot, pdf, tuple(records))

    @contextlib.asynccontextmanager
    async def _tab(self, url: str) -> AsyncIterator[tuple[Chromium, str]]:
        """A new tab for url (its origin's leaf pinned first, one of the few tabs taken),
        closed on the way out, or Chromium itself if the tab cannot be."""
        await self._pin_leaf(url)
        chromium = await self._browser()
        async with self._tabs:
            target = await chromium.call("Target.createTarget", {"url": "about:blank"})
            target_id = target["targetId"]
            attached = await chromium.call(
                "Target.attachToTarget", {"targetId": target_id, "flatten": True}
            )
            session = attached["sessionId"]
            try:
                yield chromium, session
            finally:
                chromium.forget(session)
                try:
                    await chromium.call("Target.closeTarget", {"targetId": target_id})
                except BrowserTimeout:
                    await self._restart()
                except BrowserError:
                    pass  # gone already: Chromium closed the tab, or exited

    async def _draw(self, chromium: Chromium, session: str) -> tuple[bytes, bytes]:
        """The settled page scrolled to its end and back, then drawn: (PNG, PDF)."""
        # Settled and judged: what loads from here goes through the pinning proxy (every
        # direct connection) or the user's proxy, without a pause per request.
        await chromium.call("Fetch.disable", session=session)
        for _ in range(_SCROLL_STEPS):
            await chromium.call(
                "Runtime.evaluate",
                {"expression": "window.scrollBy(0, window.innerHeight)"},
                session=session,
            )
            await asyncio.sleep(_SCROLL_PAUSE)
        await chromium.call(
            "Runtime.evaluate", {"expression": "window.scrollTo(0, 0)"}, session=session
        )
        metrics = await chromium.call("Page.getLayoutMetrics", session=session)
        size = metrics.get("cssContentSize") or metrics.get("contentSize") or {}
        width = max(1, min(int(size.get("width", 1280)), SCREENSHOT_WIDTH))
        height = max(1, min(int(size.get("height", 800)), SCREENSHOT_HEIGHT))
        shot = await chromium.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
            session=session,
        )
        pdf = await chromium.call("Page.printToPDF", {"printBackground": True}, session=session)
        return (
            base64.b64decode(str(shot.get("data", ""))),
            base64.b64decode(str(pdf.get("data", ""))),
        )

    async def _outer_html(self, chromium: Chromium, session: str) -> str:
        html = await chromium.call(
            "Runtime.evaluate",
            {"expression": "document.documentElement.outerHTML", "returnByValue": True},
            session=session,
        )
        return str(html.get("result", {}).get("value", ""))

    async def _pin_leaf(self, url: str) -> None:
        """With --cacert, the certificate of url's origin verified in Python and trusted by
        its key in Chromium (restarted once for a new one, with the cookies it has lost:
        a challenge is passed again)."""
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port or 443
        if not self.settings.cacert or parts.scheme != "https":
            return
        if (host, port) not in self._pinning:  # the visits to one origin wait for one look
            self._pinning[host, port] = asyncio.ensure_future(self._look_at(url, host, port))
        await self._pinning[host, port]

    async def _look_at(self, url: str, host: str, port: int) -> None:
        if not await self._allowed(url):  # never a connection the page could not make
            return
        address = next(
            (
                (to, to_port)
                for h, p, to, to_port in self.settings.connect_to
                if (h, p) == (host, port)
            ),
            (host, port),
        )
        timeout = min(self.settings.page_deadline, CALL_SECONDS)
        tunnel = self.settings.tunnel_for(host) if self.settings.tunnel_for else None
        found = await asyncio.to_thread(
            leaf_hash, host, port, address, self.settings.cacert, timeout, tunnel
        )
        if found is not None and found not in self._pins:
            self._pins.add(found)
            await self._restart_when_idle()

    async def _restart_when_idle(self) -> None:
        """A restart that waits for every open tab to finish (their visits are bounded)."""
        for _ in range(self.settings.tabs):
            await self._tabs.acquire()
        try:
            await self._restart()
        finally:
            for _ in range(self.settings.tabs):
                self._tabs.release()

    async def _restart(self) -> None:
        """A Chromium that cannot close a tab is stopped; the next visit starts another."""
        async with self._starting:
            if self._chromium is not None:
                await self._chromium.close()
                self._chromium = None

    async def _load(
        self,
        chromium: Chromium,
        session: str,
        url: str,
        *,
        blocked: list[str] = _BLOCKED_URLS,
        log: NetworkLog | None = None,
    ) -> tuple[int | None, str]:
        """Navigate the tab to url and settle (log, if given, sees every event): the last
        document's status and URL."""
        await chromium.call("Page.enable", session=session)
        # Recording: Chromium keeps the bodies the log will ask for, within its bounds.
        buffers = BUFFER_PARAMS if log is not None else {}
        await chromium.call("Network.enable", buffers, session=session)
        await chromium.call(
            "Page.addScriptToEvaluateOnNewDocument", {"source": _NO_SIDE_CHANNELS}, session=session
        )
        await chromium.call("Network.setBlockedURLs", {"urls": blocked}, session=session)
        # Every request the page makes is shown to us first (_allowed decides).
        await chromium.call(
            "Fetch.enable",
            {"patterns": [{"urlPattern": "*"}], "handleAuthRequests": True},
            session=session,
        )
        # Not awaited first: the navigation's own request waits for _settle to let it go.
        navigation = asyncio.ensure_future(
            chromium.call("Page.navigate", {"url": url}, session=session)
        )
        try:
            status, final = await self._settle(chromium, session, url, log)
        finally:
            if not navigation.done():
                navigation.cancel()
            with contextlib.suppress(BrowserError, asyncio.CancelledError):
                await navigation
        return status, final

    async def _settle(
        self, chromium: Chromium, session: str, url: str, log: NetworkLog | None
    ) -> tuple[int | None, str]:
        """Read the tab's events until it has loaded and stayed put for a moment: the last
        document's status and URL. Each request the page makes is let through or refused
        on the way; log, if given, sees every event."""
        events = chromium.events(session)
        deadline = time.monotonic() + self.settings.page_deadline
        status: int | None = None
        final = url
        loaded = False
        while (left := deadline - time.monotonic()) > 0:
            wait = min(left, _QUIET_SECONDS) if loaded else left
            try:
                event = await asyncio.wait_for(events.get(), wait)
            except TimeoutError:
                if loaded:
                    break
                continue
            method, params = event.get("method"), event.get("params", {})
            if log is not None:
                log.see(method, params)
            if method == "Fetch.requestPaused":
                await self._let_through(chromium, session, params)
            elif method == "Fetch.authRequired":
                await self._authenticate(chromium, session, params)
            elif method == "Network.responseReceived" and params.get("type") == "Document":
                status = params["response"].get("status")
                final = params["response"].get("url", final)
            elif method == "Page.loadEventFired":
                loaded = True
            elif method == "Page.frameStartedNavigating" or method == "Page.frameNavigated":
                loaded = False
        return status, final

    async def _let_through(self, chromium: Chromium, session: str, paused: dict[str, Any]) -> None:
        request = paused.get("request", {})
        allowed = await self._allowed(str(request.get("url", "")))
        with contextlib.suppress(BrowserError):  # the tab may have moved on meanwhile
            if allowed:
                await chromium.call(
                    "Fetch.continueRequest", {"requestId": paused["requestId"]}, session=session
                )
            else:
                await chromium.call(
                    "Fetch.failRequest",
                    {"requestId": paused["requestId"], "errorReason": "BlockedByClient"},
                    session=session,
                )

    async def _authenticate(self, chromium: Chromium, session: str, asked: dict[str, Any]) -> None:
        """A proxy of the user's asking for its credentials gets them; a site asking for
        credentials gets none (the HTTP client sends none either)."""
        challenge = asked.get("authChallenge", {})
        origin = urlsplit(str(challenge.get("origin", ""))).netloc
        response: dict[str, str] = {"response": "CancelAuth"}
        if challenge.get("source") == "Proxy":
            for address, user, password in self.settings.proxy_auth:
                if address == origin:
                    response = {
                        "response": "ProvideCredentials",
                        "username": user,
                        "password": password,
                    }
        with contextlib.suppress(BrowserError):
            await chromium.call(
                "Fetch.continueWithAuth",
                {"requestId": asked["requestId"], "authChallengeResponse": response},
                session=session,
            )

    async def _allowed(self, url: str) -> bool:
        """http(s) only; no private address unless --include-private, for a name that
        resolves to one as for a literal (the HTTP client's rule, addresses.py); the hosts
        --connect-to routes are the user's choice."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "data", "blob"):
            return False
        host = (parts.hostname or "").lower()
        if parts.scheme in ("data", "blob") or self.settings.include_private:
            return True
        if any(host == route[0] for route in self.settings.connect_to):
            return True
        if host not in self._private:
            self._private[host] = await _resolves_privately(host)
        return not self._private[host]


def _proxy_names(proxies: Proxies) -> list[str]:
    """The host names (not addresses) of the user's proxies."""
    every = [proxies.explicit, *proxies.per_host.values(), *proxies.environment.values()]
    names = set()
    for proxy in every:
        host = (urlsplit(proxy.url).hostname or "") if proxy is not None else ""
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if host:
                names.add(host)
    return sorted(names)


async def _resolves_privately(host: str) -> bool:
    if is_private_host(host):
        return True
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None)
    except OSError:
        return False  # unresolvable: Chromium will fail it itself
    addresses = {str(info[4][0]) for info in infos}
    # Any private address is one too many: Chromium may connect to whichever it likes.
    return any(is_private_address(ipaddress.ip_address(a.split("%")[0])) for a in addresses)


def sweep_stale_profiles() -> None:
    """Remove the profiles of linkcheck runs that are gone (killed before they could)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PROFILE_PREFIX}*"):
        owner = folder.name[len(_PROFILE_PREFIX) :].partition("-")[0]
        if owner.isdigit() and not _running(int(owner)) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
