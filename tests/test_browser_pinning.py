"""The browser resolves no name itself (issue 25): every connection it makes without a proxy
of the user's goes through linkcheck's pinning proxy (linkcheck/browser/pinning.py), which
resolves the name once, refuses private addresses as the HTTP client does, and connects to
the very address it checked, so DNS rebinding has no second lookup to win. Tested with a
real SOCKS5 client (httpx's, on socksio) against servers on 127.0.0.1, and in a mount and
network namespace whose /etc/hosts gives one name a public and a private address."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from linkcheck.browser.pinning import PinningProxy
from linkcheck.browser.session import BrowserSession, BrowserSettings
from linkcheck.fetch.routing import ConnectTo, NetworkEvidence, RoutingBackend

from .conftest import run_with_hosts

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\npinned"


@asynccontextmanager
async def listener(host: str = "127.0.0.1") -> AsyncIterator[tuple[int, list[int]]]:
    """A server answering OK; yields its port and a list that grows by one per connection."""
    seen: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(1)
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(OK)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away first
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, 0)
    try:
        yield int(server.sockets[0].getsockname()[1]), seen
    finally:
        server.close()
        await server.wait_closed()


@asynccontextmanager
async def pinning(
    routes: tuple[ConnectTo, ...] = (), *, include_private: bool = False
) -> AsyncIterator[PinningProxy]:
    routing = RoutingBackend(routes, NetworkEvidence(), allow_private=include_private)
    proxy = PinningProxy(routing, connect_timeout=2.0, never=("*.gvt1.com",))
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.close()


async def _get(proxy: PinningProxy, url: str) -> str:
    """The body through the proxy, or the name of the error the SOCKS client raised."""
    async with httpx.AsyncClient(proxy=f"socks5://127.0.0.1:{proxy.port}", timeout=5) as client:
        try:
            return (await client.get(url)).text
        except httpx.HTTPError as error:
            return type(error).__name__


def test_private_addresses_are_refused_and_routes_are_the_users() -> None:
    async def run() -> tuple[list[str], list[int], list[int]]:
        async with listener() as (port, seen):
            answers = []
            async with pinning() as proxy:
                answers.append(await _get(proxy, f"http://127.0.0.1:{port}/"))
                answers.append(await _get(proxy, f"http://localhost:{port}/"))
                answers.append(await _get(proxy, f"http://x.gvt1.com:{port}/"))
                refused = [reply for _, _, reply in proxy.refused]
            seen_refused = len(seen)
            route = ConnectTo.parse(f"site.test:80:127.0.0.1:{port}")
            async with pinning((route,)) as proxy:
                answers.append(await _get(proxy, "http://site.test/"))
            async with pinning(include_private=True) as proxy:
                answers.append(await _get(proxy, f"http://127.0.0.1:{port}/"))
            return answers, refused, [seen_refused, len(seen)]

    answers, refused, seen = asyncio.run(run())
    assert answers == ["ProxyError", "ProxyError", "ProxyError", "pinned", "pinned"]
    assert refused == [2, 2, 2]  # "connection not allowed by ruleset"
    assert seen == [0, 2]  # nothing reached the server until a route or the user allowed it


def test_anything_but_a_plain_socks5_connect_is_refused() -> None:
    async def exchange(data: bytes) -> bytes:
        async with pinning(include_private=True) as proxy:
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
            writer.write(data)
            await writer.drain()
            try:
                async with asyncio.timeout(5):
                    return await reader.read(100)
            finally:
                writer.close()

    socks4 = b"\x04\x01\x00\x50\x7f\x00\x00\x01user\x00"
    assert asyncio.run(exchange(socks4)) == b"\x05\xff"  # no method it accepts, and closed
    with_password_only = b"\x05\x01\x02"
    assert asyncio.run(exchange(with_password_only)) == b"\x05\xff"
    bind = b"\x05\x01\x00" + b"\x05\x02\x00\x01\x7f\x00\x00\x01\x00\x50"
    assert asyncio.run(exchange(bind)) == b"\x05\x00" + b"\x05\x07\x00\x01" + bytes(6)
    empty_name = b"\x05\x01\x00" + b"\x05\x01\x00\x03\x00\x00\x50"
    assert asyncio.run(exchange(empty_name)) == b"\x05\x00" + b"\x05\x08\x00\x01" + bytes(6)


def test_chromium_resolves_nothing_and_goes_through_the_pinning_proxy(tmp_path: Path) -> None:
    from linkcheck.fetch.proxies import Proxies, Proxy

    proxies = Proxies(per_host={"zhihu.com": Proxy.parse("http://corp-proxy.test:3128", name="x")})
    route = ConnectTo.parse("routed.test:443:127.0.0.1:8443")
    settings = BrowserSettings(executable="chromium", routes=(route,), proxies=proxies)
    flags = BrowserSession(settings)._flags(str(tmp_path), 41234)
    rules = next(f for f in flags if f.startswith("--host-resolver-rules="))
    assert rules == (
        "--host-resolver-rules=EXCLUDE 127.0.0.1, EXCLUDE corp-proxy.test, MAP * ~NOTFOUND"
    )
    pac = next(f for f in flags if f.startswith("--proxy-pac-url="))
    script = base64.b64decode(pac.split(",", 1)[1]).decode()
    assert "if (host == \"routed.test\") return 'SOCKS5 127.0.0.1:41234';" in script
    assert 'return "PROXY corp-proxy.test:3128"' in script
    assert script.rstrip("}\n").splitlines()[-1].strip() == "return 'SOCKS5 127.0.0.1:41234';"


_PROBE = """
import asyncio
from tests.test_browser_pinning import listener, pinning, _get

async def main():
    async with listener("127.0.0.1") as (port, seen), pinning() as proxy:
        answer = await _get(proxy, f"http://mixed.test:{port}/")
        print(answer, len(seen), [reply for _, _, reply in proxy.refused])

asyncio.run(main())
"""


def test_a_name_with_a_public_and_a_private_address_reaches_only_the_public_one(
    tmp_path: Path,
) -> None:
    """mixed.test is 93.184.216.34 and 127.0.0.1: the proxy connects only to the public
    address it checked (unreachable in the test's network namespace), never to the private
    one, where a server waits."""
    hosts = "93.184.216.34 mixed.test\n127.0.0.1 mixed.test\n"
    printed = run_with_hosts(tmp_path, hosts, _PROBE)
    answer, connections, refused = printed.split(" ", 2)
    assert answer == "ProxyError"
    assert connections == "0"  # the private address was never connected to
    assert refused.strip() == "[3]"  # network unreachable: the public one, in the namespace


def test_the_probe_can_reach_a_private_address_when_asked() -> None:
    """The namespace test's counterpart: the same listener is reachable (so its 0 above is
    the proxy's choice, not a broken server)."""

    async def run() -> tuple[str, int]:
        async with listener() as (port, seen), pinning(include_private=True) as proxy:
            return await _get(proxy, f"http://127.0.0.1:{port}/"), len(seen)

    assert asyncio.run(run()) == ("pinned", 1)
