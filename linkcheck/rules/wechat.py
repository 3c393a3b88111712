"""WeChat official-account articles (mp.weixin.qq.com).

Every WeChat page answers HTTP 200, deleted or not (docs/SOURCES.md [W3]); only the body
tells. The order, from the most specific page to the least:

1. the captcha / environment check (final URL `wappoc_appmsgcaptcha` or `/mp/verify`) →
   unknown: WeChat is blocking us, not saying the article is gone [W7] (High);
2. an article page (`meta[property="og:url"]` or `#js_article`) → alive, whatever its text
   quotes: an article may quote "该内容已被发布者删除" ([W3][W4] warn about raw substrings);
3. an account migration with `transferTargetLink` → redirected to the new article [W2][W13];
4. the message of the error template (`.weui-msg`, old template `.global_error_msg`),
   mapped through the marker table below;
5. the "temporarily unavailable" block (`.mesg-block`) → unknown, it may return [W1];
6. rate-limit and client-only texts, searched in the raw HTML (they are written by
   `document.write`) → unknown [W2];
7. anything else → unknown, never dead.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from ..models import Exchange, Status, Verdict
from .base import Page, Rule, verdict

# (markers, status, reason, detail) — marker strings from the sources cited in each.
_MESSAGES: tuple[tuple[tuple[str, ...], Status, str, str], ...] = (
    (
        (
            "该内容已被发布者删除",
            "The content has been deleted by the author",
            "该内容已被发送人删除",
        ),
        Status.DEAD,
        "wechat-deleted",
        "deleted by its author",
    ),  # [W1][W3] High
    (
        ("此内容因违规无法查看", "此内容因违规已删除", "violating relevant laws"),
        Status.DEAD,
        "wechat-violation",
        "removed for violating the platform's rules",
    ),  # [W1][W2][W4]
    (
        ("涉嫌侵权",),
        Status.DEAD,
        "wechat-copyright",
        "removed after a copyright complaint",
    ),  # [W2][W5][W6] Med
    (
        ("此内容被多人投诉", "此内容发送失败无法查看", "不实信息"),
        Status.DEAD,
        "wechat-removed",
        "removed after complaints",
    ),  # [W2][W5] Med
    (
        ("根据作者隐私设置",),
        Status.DEAD,
        "wechat-private",
        "hidden by the author's privacy setting; it may come back",
    ),  # [W8b] Med, dead-soft
    (
        ("此帐号处于帐号迁移流程中",),
        Status.UNKNOWN,
        "wechat-migrating",
        "the account is being migrated; the article may reappear",
    ),  # [W12]
    (
        ("此帐号已被屏蔽", "此账号已被屏蔽"),
        Status.DEAD,
        "wechat-account-blocked",
        "the account was blocked",
    ),  # [W2][W6] Med
    (
        ("已自主注销", "该帐号已注销", "该帐号已冻结", "帐号已被系统回收"),
        Status.DEAD,
        "wechat-account-closed",
        "the account was closed",
    ),  # [W2][W12] Med
    (
        ("该公众号已迁移",),
        Status.DEAD,
        "wechat-migrated",
        "the account moved without this article",
    ),  # [W2] Med (error 2004)
    (
        ("链接已过期",),
        Status.DEAD,
        "wechat-expired",
        "a temporary link that has expired; find the article's permanent /s/ link",
    ),  # [W2] Med
    (("参数错误",), Status.DEAD, "wechat-bad-link", "WeChat rejects the link's parameters"),
    (("系统出错",), Status.UNKNOWN, "wechat-error", "WeChat reported a system error"),  # Low
)
# Blocking pages: searched in the raw HTML (document.write) — [W2][W7][W8][W9][W14].
_BLOCKED = ("环境异常", "去验证", "访问过于频繁", "验证身份", "appmsgqrcode")
_CLIENT_ONLY = "请在微信客户端打开链接"  # [W9][W11] Med
_TRANSFER = re.compile(r"transferTargetLink\s*=\s*(['\"])(https?://[^'\"]+)\1")


def _decide(page: Page) -> Verdict | None:
    path = page.final_path
    if "wappoc_appmsgcaptcha" in path or path.startswith("/mp/verify"):
        return verdict(
            Status.UNKNOWN,
            "wechat-captcha",
            "WeChat answered with its environment check (captcha), not the article",
        )
    if page.status != 200:
        return None  # statuses mean what they say here: the generic classifier decides
    if page.has('meta[property="og:url"]') or page.has("#js_article"):
        return verdict(Status.ALIVE, "wechat-article")
    transfer = _TRANSFER.search(page.text)
    if transfer is not None:
        target = html.unescape(transfer.group(2))
        return verdict(
            Status.REDIRECTED,
            "wechat-migrated",
            "the account moved; the article is now at the new account",
            final_url=target,
        )
    message = page.texts(".weui-msg", ".global_error_msg", ".msg_content")
    for markers, status, reason, detail in _MESSAGES:
        if any(marker in message for marker in markers):
            return verdict(status, reason, detail)
    if page.has(".mesg-block"):  # [W1]: structure High, meaning Low
        return verdict(
            Status.UNKNOWN,
            "wechat-unavailable",
            "该内容暂时无法查看 (temporarily unavailable); it may return",
        )
    if any(marker in page.text for marker in _BLOCKED):
        return verdict(
            Status.UNKNOWN,
            "wechat-captcha",
            "WeChat asks to verify the visitor (rate limit); retry later",
        )
    if _CLIENT_ONLY in page.text:
        return verdict(
            Status.UNKNOWN, "wechat-client-only", "this page opens only inside the WeChat app"
        )
    return verdict(
        Status.UNKNOWN,
        "wechat-unrecognized",
        "a WeChat page that is neither an article nor a known error page",
    )


def pasted_captcha(wrapper: str, target: str, found: Verdict) -> Verdict:
    """A link to WeChat's captcha page with `target_url=` (pasted by mistake,
    [W7], High) was checked through its target; if the article lives, link it directly."""
    parts = urlsplit(wrapper)
    if parts.hostname != "mp.weixin.qq.com" or "wappoc_appmsgcaptcha" not in parts.path:
        return found
    if found.status not in (Status.ALIVE, Status.REDIRECTED):
        return found
    return Verdict(
        Status.REDIRECTED,
        "wechat-captcha-link",
        found.final_url or target,
        "a pasted captcha page; link the article itself",
        found.hops,
        found.from_cache,
        "wechat",
    )


def _blocking(exchange: Exchange) -> bool | None:
    """The 302 to the captcha page, or a rate-limit page (raw text, [W2][W7])."""
    hop = exchange.hops[-1] if exchange.hops else None
    if hop is None:
        return False
    if "wappoc_appmsgcaptcha" in (hop.location or ""):
        return True
    if "wappoc_appmsgcaptcha" in hop.url:  # the captcha page itself: counted at its 302
        return None
    return any(marker.encode() in exchange.body for marker in ("访问过于频繁", "环境异常"))


RULE = Rule(
    name="wechat",
    domains=("mp.weixin.qq.com",),
    decide=_decide,
    blocking=_blocking,
    reasons=(
        "wechat-article",
        "wechat-captcha",
        "wechat-captcha-link",
        "wechat-migrated",
        "wechat-unavailable",
        "wechat-client-only",
        "wechat-unrecognized",
        *dict.fromkeys(reason for _, _, reason, _ in _MESSAGES),
    ),
)
