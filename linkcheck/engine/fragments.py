"""--check-fragments: whether the #fragment of an external link names an anchor of the
page fetched for it (lychee's --include-fragments), judged from the body already read.

A fragment is dead only when the page was read whole and is built on the server (no
script, or a page that already has its anchors in the HTML); a page whose anchors a script
may write, or one cut at the body limit, leaves it unknown. GitHub is known: its line
anchors (``#L10-L20``) exist on every file view, and a heading's id is written
``user-content-<id>`` with ``#<id>`` reaching it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit

from ..decode import decode_page
from ..models import Exchange, Status, Verdict
from ..site.anchors import html_anchors

# What --check-fragments reads of a page (the classifier's 64 KiB is too little for ids).
FRAGMENT_BODY_LIMIT = 4 * 1024 * 1024
# A scripted page with this many anchors in its HTML renders its content on the server.
_SERVER_RENDERED_ANCHORS = 5
_GITHUB_LINES = re.compile(r"L\d+(?:C\d+)?(?:-L\d+(?:C\d+)?)?")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class PageAnchors:
    names: frozenset[str]
    complete: bool  # the whole body was read
    scripted: bool  # the page runs scripts, which may write anchors


def page_anchors(exchange: Exchange, limit: int) -> PageAnchors | None:
    """The anchors of a fetched HTML page; None for anything else (a PDF's #page=3 is the
    viewer's business)."""
    content_type = (exchange.header("content-type") or "").lower()
    if not content_type.startswith(_HTML_TYPES) and exchange.body.lstrip()[:1] != b"<":
        return None
    text = decode_page(exchange.body, exchange.header("content-type"))
    return PageAnchors(
        frozenset(html_anchors(text)),
        complete=len(exchange.body) < limit,
        scripted="<script" in text.lower(),
    )


def fragment_verdict(fragment: str, page_url: str, alive: Verdict, page: PageAnchors) -> Verdict:
    """The link's verdict given its page is alive and these are the page's anchors."""
    wanted = unquote(fragment)
    if not _names_an_anchor(wanted) or wanted in page.names:
        return alive
    parts = urlsplit(page_url)
    github = (parts.hostname or "").lower() == "github.com"
    if github and (
        f"user-content-{wanted.lower()}" in page.names
        or (_GITHUB_LINES.fullmatch(wanted) and "/blob/" in parts.path)
    ):
        return alive
    nearest = difflib.get_close_matches(wanted, sorted(page.names), n=3, cutoff=0.6)
    hint = f"; nearest: {', '.join('#' + n for n in nearest)}" if nearest else ""
    if not page.complete:
        return replace(
            alive,
            status=Status.UNKNOWN,
            reason="fragment-unverified",
            detail=f"#{wanted} is not in the first {FRAGMENT_BODY_LIMIT // 2**20} MiB of the page",
        )
    if page.scripted and not github and len(page.names) < _SERVER_RENDERED_ANCHORS:
        return replace(
            alive,
            status=Status.UNKNOWN,
            reason="fragment-unverified",
            detail=f"no anchor #{wanted} in the page's HTML, which its scripts may still write",
        )
    return replace(
        alive,
        status=Status.DEAD,
        reason="fragment-missing",
        final_url=None,
        detail=f"the page has no anchor #{wanted}{hint}",
    )


def _names_an_anchor(fragment: str) -> bool:
    """Text fragments (#:~:text=), app routes (#/path, #!/path) and viewer state
    (#page=3) are not anchors: there is nothing to find."""
    return (
        bool(fragment)
        and fragment != "top"
        and not fragment.startswith((":~:", "/", "!"))
        and "=" not in fragment
    )
