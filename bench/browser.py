"""What --browser costs: Chromium's start, a page through the browser, and a page through
the HTTP client with the cookies the browser earned, on the simulated web's challenge.

    pip install -e '.[bench]'       # trustme for the simulated web; Debian's chromium
    python bench/browser.py [--pages 200]

Never run by the test suite; tests do not assert timings.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from linkcheck.browser.session import BrowserSession  # noqa: E402
from linkcheck.config import Config, HostConfig  # noqa: E402
from linkcheck.fetch.fetcher import Fetcher  # noqa: E402
from linkcheck.settings import browser_settings, fetch_settings  # noqa: E402
from linkcheck.testing.simweb import Route, SimulatedWeb  # noqa: E402

HOST = "zhuanlan.zhihu.com"
PAGE = (REPO / "fixtures/web/zhuanlan.zhihu.com/p/alive-with-session.html").read_bytes()


async def measure(web: SimulatedWeb, pages: int) -> None:
    config = Config(
        connect_to=tuple(web.connect_to()),
        cacert=(str(web.ca_file),),
        hosts={"zhihu.com": HostConfig(interval=0, concurrency=8)},
        browser=True,
    )
    settings = browser_settings(config)
    if settings is None:
        raise SystemExit("needs a Chromium on PATH (Debian: apt-get install chromium)")
    urls = [f"https://{HOST}/p/bench-{n}" for n in range(pages)]
    fetcher = Fetcher(fetch_settings(config))
    async with BrowserSession(settings) as browser:
        start = time.perf_counter()
        first = await browser.visit(urls[0])
        first_seconds = time.perf_counter() - start
        start = time.perf_counter()
        for url in urls[1:6]:
            await browser.visit(url)
        browser_seconds = (time.perf_counter() - start) / 5
    fetcher.adopt_session(first.url, first.cookies, first.user_agent)
    start = time.perf_counter()
    answers = await asyncio.gather(*(fetcher.fetch(url) for url in urls[6:]))
    plain_seconds = time.perf_counter() - start
    await fetcher.aclose()
    passed = sum(1 for a in answers if a.final_status == 200)
    print(f"Chromium start + first challenged page: {first_seconds:.2f} s")
    print(f"a page through the browser (challenge, reload): {browser_seconds:.2f} s")
    rate = len(answers) / plain_seconds
    print(f"{len(answers)} pages through the reused session: {plain_seconds:.2f} s, {rate:.0f}/s")
    print(f"  {passed}/{len(answers)} answered with the page, not the challenge")
    print(f"speed-up per page: {browser_seconds * rate:.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        web = SimulatedWeb(REPO / "fixtures" / "web").start(Path(work))
        try:
            for n in range(args.pages):
                web.add_route(Route(HOST, f"/p/bench-{n}", behaviour="challenge", body=PAGE))
            asyncio.run(measure(web, args.pages))
        finally:
            web.stop()


if __name__ == "__main__":
    main()
