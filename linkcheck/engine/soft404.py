"""Soft 404s (opt-in, --soft-404): a 200 page that is really the site's "not found" page.

We ask the same site for a sibling URL that cannot exist. A site that answers it with a
real 404 proves its 200s mean something. A site that answers it with the *same* page as our
link's proves nothing: either our link shows the catch-all "not found" page (dead, when the
page says so in its title or heading) or the site serves one shell for every URL, as
single-page apps do (unknown: we cannot tell from here).
"""

from __future__ import annotations

import re
import secrets
from difflib import SequenceMatcher
from urllib.parse import urlsplit, urlunsplit

from ..models import Exchange, Status, Verdict

_NOT_FOUND = re.compile(
    r"404|not\s+found|does\s+not\s+exist|doesn.t\s+exist|no\s+longer\s+available|"
    r"页面不存在|找不到|不存在|已删除|已被删除",
    re.IGNORECASE,
)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(rb"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def probe_url(url: str, token: str | None = None) -> str:
    """A sibling of url that no site has: same scheme, host and folder, a random name."""
    parts = urlsplit(url)
    folder = parts.path.rsplit("/", 1)[0]
    name = f"linkcheck-probe-{token or secrets.token_hex(8)}"
    return urlunsplit((parts.scheme, parts.netloc, f"{folder}/{name}", "", ""))


def _visible(body: bytes, url: str) -> str:
    """The page's text without markup, and without the URL itself (pages often echo it)."""
    text = body.decode("utf-8", errors="replace")
    path = urlsplit(url).path
    if path:
        text = text.replace(path, "")
    return _SPACE.sub(" ", _TAGS.sub(" ", text)).strip()[:8000]


def _headline(body: bytes) -> str:
    parts = []
    for pattern in (_TITLE, _HEADING):
        match = pattern.search(body)
        if match:
            parts.append(match.group(1).decode("utf-8", errors="replace"))
    return " ".join(parts)


def same_page(a: Exchange, b: Exchange) -> bool:
    if a.body == b.body:
        return True
    first, second = _visible(a.body, a.final_url), _visible(b.body, b.final_url)
    matcher = SequenceMatcher(None, first, second, autojunk=False)
    return matcher.quick_ratio() >= 0.9 and matcher.ratio() >= 0.9


def judge(page: Exchange, probe: Exchange) -> Verdict | None:
    """A verdict that overrides "alive" for page, or None when its 200 stands."""
    if probe.error is not None or probe.final_status != 200 or not same_page(page, probe):
        return None
    if _NOT_FOUND.search(_headline(page.body)):
        return Verdict(
            Status.DEAD,
            "soft-404",
            page.final_url if len(page.hops) > 1 else None,
            "the site's 'not found' page, served with 200 (a random URL of the "
            "same site gets the same page)",
            page.hops,
        )
    return Verdict(
        Status.UNKNOWN,
        "soft-404-suspect",
        None,
        "the site answers a random URL with the same page, so its 200 proves nothing",
        page.hops,
    )
