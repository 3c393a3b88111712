"""Archive WeChat-sized pages: throughput and peak memory of `linkcheck archive`.

    python bench/archive.py [--pages 200] [--also 50]

A local server on 127.0.0.1 answers /page/<n> with a WeChat-like article of 2–4 MB (hidden
`#js_content`, ten lazy `data-src` images, a stylesheet) and /img/<n>/<k> with a distinct
PNG of about 40 KB; the page's requisites (issue 28) are one of five stylesheets, each with
a font (/font/<k>, 30 KB of WOFF2) and a background image (/img/bg/<k>). `linkcheck
archive` snapshots every page of a generated blog that cites them. It runs once with --also
pages and once with --pages pages, to show that peak memory does not grow with the number
of pages; MB/page is the archive's size on disk per page archived. Never run by the test
suite.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import struct
import tempfile
import threading
import zlib
from pathlib import Path

import measured

_SENTENCE = "迁移学习是一种机器学习方法，把为任务A开发的模型作为初始点，重新用在任务B上。"
_FILLER = ("<p>" + _SENTENCE * 8 + "</p>\n").encode()


def _png(seed: int, side: int = 120) -> bytes:
    rows = random.Random(seed).randbytes((side * 3 + 1) * side)  # incompressible: ~40 KB

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


def _sheet(k: int) -> bytes:
    return (
        f"@font-face {{ font-family: Kai{k}; src: url(/font/{k}) format('woff2'); }}\n"
        f"body {{ font-family: Kai{k}; background: url(/img/bg/{k}) repeat; }}\n"
    ).encode()


def _font(k: int) -> bytes:
    return b"wOF2" + random.Random(k).randbytes(30_000)


def _page(n: int) -> bytes:
    size = (2 + n % 3) * 1024 * 1024  # 2, 3 or 4 MB
    images = "".join(f'<img data-src="/img/{n}/{k}" src="">' for k in range(10))
    head = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><meta property="og:url" '
        f'content="/page/{n}"><title></title><link rel="stylesheet" href="/css/{n % 5}">'
        f'</head><body><div id="js_article">'
        f'<h1 id="activity-name">文章 {n}</h1><div id="js_content" '
        f'style="visibility: hidden; opacity: 0;">{images}'
    ).encode()
    tail = b"</div></div></body></html>"
    body = _FILLER * ((size - len(head) - len(tail)) // len(_FILLER) + 1)
    return head + body[: size - len(head) - len(tail)] + tail


class PageServer:
    def __init__(self) -> None:
        self.port = 0
        self.served = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(10_000):
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                parts = path.strip("/").split("/")
                if parts[0] == "page":
                    body, kind = _page(int(parts[1])), b"text/html; charset=utf-8"
                elif parts[0] == "css":
                    body, kind = _sheet(int(parts[1])), b"text/css"
                elif parts[0] == "font":
                    body, kind = _font(int(parts[1])), b"font/woff2"
                elif parts[1] == "bg":
                    body, kind = _png(10_000_000 + int(parts[2])), b"image/png"
                else:
                    body, kind = _png(int(parts[1]) * 100 + int(parts[2])), b"image/png"
                self.served += len(body)
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: "
                    + kind
                    + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError, ValueError):
            return
        finally:
            writer.close()

    def _run(self) -> None:
        async def start() -> None:
            server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]

        self._loop.run_until_complete(start())
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> PageServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def run(linkcheck: str, pages: int, server: PageServer) -> tuple[float, float, int, float, float]:
    """(wall seconds, peak MB, pages archived, MB fetched, archive bytes per page)"""
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        (root / ".git").mkdir()
        urls = [f"http://127.0.0.1:{server.port}/page/{n}" for n in range(pages)]
        (root / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")
        served_before = server.served
        with tempfile.TemporaryFile() as errors:
            run = measured.measure(
                [linkcheck, "archive", "post.md", "--include-private"], root, stderr=errors
            )
            if run.exit_code != 0:
                errors.seek(0)
                raise SystemExit(errors.read().decode() or "failed")
        folder = root / ".linkcheck" / "archive"
        archived = len(list((folder / "snapshots").glob("*/*/*")))
        megabytes = (server.served - served_before) / 1e6
        stored = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
        per_page = stored / max(1, archived)
        return run.wall, run.peak_mb, archived, megabytes, per_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--also", type=int, default=50)
    args = parser.parse_args()
    linkcheck = shutil.which("linkcheck")
    if linkcheck is None:
        raise SystemExit("needs `linkcheck` on PATH (pip install -e .)")
    server = PageServer().start()
    try:
        print(
            f"{'pages':>6}{'archived':>10}{'wall s':>9}{'MB fetched':>12}{'MB/s':>7}"
            f"{'pages/s':>9}{'MB/page':>9}{'peak MB':>9}"
        )
        for pages in (args.also, args.pages):
            elapsed, peak, archived, megabytes, per_page = run(linkcheck, pages, server)
            print(
                f"{pages:>6}{archived:>10}{elapsed:>9.1f}{megabytes:>12.0f}"
                f"{megabytes / elapsed:>7.1f}{pages / elapsed:>9.2f}{per_page / 1e6:>9.2f}"
                f"{peak:>9.0f}"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
