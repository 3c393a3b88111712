"""Zhihu (zhuanlan.zhihu.com, www.zhihu.com).

Zhihu answers plain clients with a 403 JavaScript challenge (`zse-ck`), live page or not
(docs/SOURCES.md [Z1]–[Z4], High), so most live Zhihu links cannot be verified without a
browser session. The policy: a 404 or the "荒原" / ErrorPage → dead;
the challenge, `/account/unhuman` and error codes 40352/40362/10003 → unknown (blocked);
everything else that is not a recognisable page → unknown, never dead.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from ..models import Status, Verdict
from .base import Page, Rule, verdict

_NOT_FOUND = (
    "你似乎来到了没有知识存在的荒原",
    "页面无法访问",
    "您访问的页面不存在",
)  # [Z7][Z8] High
_HIDDEN = ("该内容暂无法显示", "当前内容暂不可见", "文章被建议修改")  # [Z11][Z12] Med, dead-soft
_ANSWER_DELETED = "该回答已被删除"  # [Z10][Z11] Low-Med: not enough for dead
_BLOCK_CODES = (40352, 40362, 10003)  # [Z13][Z14][Z15][Z16] High
_SIGN_IN_TITLE = "知乎 - 有问题，就会有答案"  # [Z4][Z8] Med


def _blocked(detail: str) -> Verdict:
    return verdict(Status.UNKNOWN, "zhihu-blocked", detail)


def _error_code(page: Page) -> int | None:
    document = page.json()
    if isinstance(document, dict) and isinstance(document.get("error"), dict):
        code = document["error"].get("code")
        return code if isinstance(code, int) else None
    return None


def _renamed_column(page: Page) -> Verdict | None:
    """zhuanlan.zhihu.com/<slug> → 302 → zhuanlan.zhihu.com/<new-slug> [Z17] (Med)."""
    first = page.hops[0]
    parts = urlsplit(first.url)
    segments = [s for s in parts.path.split("/") if s]
    if (
        parts.hostname != "zhuanlan.zhihu.com"
        or len(segments) != 1
        or first.status != 302
        or not first.location
        or page.status != 200
    ):
        return None
    target = urljoin(first.url, first.location)
    new = urlsplit(target)
    new_segments = [s for s in new.path.split("/") if s]
    downgrade = (parts.scheme, new.scheme) == ("https", "http")  # never a rename to follow
    if (
        new.hostname == "zhuanlan.zhihu.com"
        and len(new_segments) == 1
        and new_segments != segments
        and not downgrade
    ):
        return verdict(
            Status.REDIRECTED, "zhihu-column-renamed", "the column was renamed", final_url=target
        )
    return None


def _decide(page: Page) -> Verdict | None:
    path = page.final_path
    if path.startswith("/account/unhuman"):
        return _blocked("Zhihu's risk control (安全验证) stopped us")
    if path.startswith("/signin"):
        return verdict(Status.UNKNOWN, "zhihu-login", "Zhihu asks to sign in")
    if page.status == 404:
        return verdict(Status.DEAD, "zhihu-not-found")
    code = _error_code(page)
    if code in _BLOCK_CODES:
        return _blocked(f"Zhihu refused the request (error {code})")
    if page.status in (401, 403):
        if page.has("meta#zh-zse-ck") or "zse-ck" in page.text or page.status == 403:
            return _blocked("Zhihu answers plain clients with a JavaScript challenge")
        return verdict(Status.UNKNOWN, "zhihu-login", "Zhihu asks to sign in")
    if page.status != 200:
        return None
    renamed = _renamed_column(page)
    if renamed is not None:
        return renamed
    if any(marker in page.text for marker in _NOT_FOUND) or page.has(".ErrorPage-container"):
        return verdict(Status.DEAD, "zhihu-not-found")
    if any(marker in page.text for marker in _HIDDEN):
        return verdict(
            Status.UNKNOWN,
            "zhihu-hidden",
            "hidden pending revision (该内容暂无法显示); it may come back",
        )
    if _ANSWER_DELETED in page.text:
        return verdict(
            Status.UNKNOWN,
            "zhihu-answer-deleted",
            "the page says 该回答已被删除; the marker is too uncertain to call it dead",
        )
    if page.has("script#js-initialData"):
        return verdict(Status.ALIVE, "zhihu-page")
    if _SIGN_IN_TITLE in page.texts("title") or page.has(".SignFlow"):
        return verdict(Status.UNKNOWN, "zhihu-login", "Zhihu showed its sign-in page instead")
    return verdict(
        Status.UNKNOWN,
        "zhihu-unverified",
        "a Zhihu page without the content marker; cannot tell if it is the article",
    )


def _challenge(page: Page) -> bool:
    """The zse-ck JavaScript challenge ([Z1]–[Z4]): its script mints a cookie
    and reloads. Risk control (/account/unhuman) is a captcha, not this."""
    if page.final_path.startswith("/account/unhuman") or _error_code(page) is not None:
        return False
    return page.status == 403 and (page.has("meta#zh-zse-ck") or "zse-ck" in page.text)


RULE = Rule(
    name="zhihu",
    domains=("zhihu.com",),
    decide=_decide,
    challenge=_challenge,
    reasons=(
        "zhihu-blocked",
        "zhihu-login",
        "zhihu-not-found",
        "zhihu-hidden",
        "zhihu-answer-deleted",
        "zhihu-page",
        "zhihu-column-renamed",
        "zhihu-unverified",
    ),
)
