"""Other hosts of Chinese blogs whose anti-bot answers look like failures (docs/SOURCES.md,
"Other hosts").

Each of these says "blocked", never "dead": the content is usually reachable in a browser.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..models import Status, Verdict
from .base import Page, Rule, verdict


def _csdn(page: Page) -> Verdict | None:
    # 521 is CSDN's anti-bot answer; "内容实际可访问" [O1][O2] (Med).
    if page.status == 521:
        return verdict(Status.UNKNOWN, "csdn-blocked", "CSDN's anti-bot wall (HTTP 521)")
    return None


def _jianshu(page: Page) -> Verdict | None:
    # Alibaba Tengine's UA blacklist: 403 "denied by UA ACL", header X-Tengine-Error [O3] (High).
    if page.status == 403 and (page.header("x-tengine-error") or "denied by UA ACL" in page.text):
        return verdict(Status.UNKNOWN, "jianshu-blocked", "Jianshu's CDN blocked our User-Agent")
    return None


def _juejin(page: Page) -> Verdict | None:
    # A 200 JavaScript challenge page reading "Please wait..." [O5] (Med).
    if page.status == 200 and "Please wait..." in page.text:
        return verdict(Status.UNKNOWN, "juejin-challenge", "Juejin answered with a JS challenge")
    return None


def _weibo(page: Page) -> Verdict | None:
    # Anonymous clients are sent to passport.weibo.com/visitor ("Sina Visitor System") [O8].
    final = urlsplit(page.final_url)
    if final.hostname == "passport.weibo.com" and final.path.startswith("/visitor"):
        return verdict(Status.UNKNOWN, "weibo-visitor", "Weibo sent us to its visitor check")
    return None


RULES = (
    Rule("csdn", ("csdn.net",), _csdn, ("csdn-blocked",), challenge=lambda p: p.status == 521),
    Rule("jianshu", ("jianshu.com",), _jianshu, ("jianshu-blocked",)),
    Rule(
        "juejin",
        ("juejin.cn",),
        _juejin,
        ("juejin-challenge",),
        challenge=lambda p: p.status == 200 and "Please wait..." in p.text,
    ),
    Rule("weibo", ("weibo.com",), _weibo, ("weibo-visitor",)),
)
