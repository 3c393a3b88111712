"""GitHub: renamed repositories, DMCA and ToS blocks, rate limits (docs/SOURCES.md, "GitHub").

Web pages (github.com): a 301 from a repository is a rename or transfer [G1][G2] (High) →
redirected; 451 is a DMCA takedown [G6][G7] → dead; a 403 carrying "Repository access
blocked" or "has been disabled" is a ToS block [G9][G10] → dead, while a 403 or 429 that
is rate limiting is only unknown; the archived banner [G11] keeps it alive with a note.

With a token (--github-token or GITHUB_TOKEN), repository URLs are checked through the REST
API, `GET /repos/{owner}/{repo}` [G2][G3]: renamed repos answer 301 to
`/repositories/<id>`, whose `full_name` / `html_url` give the new home; `block.reason`
tells DMCA from ToS; `x-ratelimit-remaining: 0` is the primary rate limit.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from ..fetch.redirects import permanent_target
from ..models import Exchange, Status, Verdict
from .base import Page, Rule, verdict

API = "https://api.github.com"
TOKEN_HOSTS = frozenset({"github.com", "api.github.com"})


def request_headers(host: str, secure: bool, *, token: str | None) -> dict[str, str]:
    """The token goes to GitHub's own hosts over HTTPS and nowhere else; the API answers
    in its own media type."""
    headers = {}
    if secure and host in TOKEN_HOSTS and token:
        headers["Authorization"] = f"Bearer {token}"
    if host == "api.github.com":
        headers["Accept"] = "application/vnd.github+json"
    return headers


# First path segments of github.com that are not owners (lychee's list of the same idea).
_NOT_OWNERS = frozenset(
    {
        "about",
        "apps",
        "collections",
        "contact",
        "customer-stories",
        "enterprise",
        "events",
        "explore",
        "features",
        "login",
        "marketplace",
        "new",
        "notifications",
        "orgs",
        "pricing",
        "pulls",
        "issues",
        "search",
        "security",
        "settings",
        "site",
        "sponsors",
        "topics",
        "trending",
        "users",
        "join",
        "codespaces",
        "readme",
        "team",
    }
)
_ARCHIVED = "This repository has been archived by the owner"  # [G11] High
_DISABLED = (
    "Repository access blocked",
    "This repository has been disabled",
    "Access to this repository has been disabled",
)  # [G9][G10] High


def repository(url: str) -> tuple[str, str] | None:
    """(owner, repo) when url is a repository's home page on github.com."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() != "github.com" or parts.query:
        return None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) != 2 or segments[0].lower() in _NOT_OWNERS:
        return None
    owner, repo = segments
    return owner, repo.removesuffix(".git")


def api_url(url: str) -> str | None:
    found = repository(url)
    return f"{API}/repos/{found[0]}/{found[1]}" if found else None


def _rate_limited(exchange: Exchange) -> bool:
    if exchange.final_status == 429:  # the web UI under concurrency, the API's limits [L1][G3]
        return True
    if exchange.final_status != 403:  # a 403 is a rate limit only when it says so [G9]
        return False
    if exchange.header("x-ratelimit-remaining") == "0":
        return True
    body = exchange.body[:4096].lower()
    return b"rate limit" in body


def retry_after(exchange: Exchange) -> float | None:
    """Wait for the reset when GitHub rate-limits us with a 403 (429s are retried anyway)."""
    if not _rate_limited(exchange):
        return None
    retry = exchange.header("retry-after")
    if retry and retry.isdigit():
        return float(retry)
    reset = exchange.header("x-ratelimit-reset")
    if reset and reset.isdigit():
        return max(0.0, float(reset) - time.time())
    return 60.0  # secondary limit without a hint: "wait at least 60 s" [G3]


def _block(page: Page) -> Verdict | None:
    document = page.json()
    block = document.get("block") if isinstance(document, dict) else None
    reason = block.get("reason") if isinstance(block, dict) else None
    if page.status == 451 or reason == "dmca":
        return verdict(Status.DEAD, "github-dmca", "taken down after a DMCA notice")
    if reason in ("tos", "sensitive_data") or any(m in page.text for m in _DISABLED):
        return verdict(Status.DEAD, "github-disabled", "disabled by GitHub staff")
    return None


def _limited() -> Verdict:
    return verdict(
        Status.UNKNOWN,
        "github-rate-limited",
        "GitHub rate-limited us; set --github-token (or GITHUB_TOKEN) to check "
        "repositories through the API",
    )


def _decide_web(page: Page) -> Verdict | None:
    if urlsplit(page.hops[0].url).hostname == "api.github.com":
        return None  # the API rule's, even when it leaves a response to the generic one
    if _rate_limited(page.exchange):
        return _limited()
    if page.status in (403, 451):
        return _block(page)
    if page.status == 200:
        moved = permanent_target(page.hops)
        if moved is not None and repository(page.hops[0].url):
            return verdict(
                Status.REDIRECTED,
                "github-renamed",
                "the repository was renamed or transferred",
                final_url=moved[0],
            )
        if _ARCHIVED in page.text:
            return verdict(Status.ALIVE, "github-archived", "archived by the owner (read-only)")
    return None


def _decide_api(page: Page) -> Verdict | None:
    if _rate_limited(page.exchange):
        return _limited()
    if page.status in (403, 451):
        return _block(page)
    if page.status == 404:
        return verdict(Status.DEAD, "http-404", "GitHub has no such repository")
    if page.status != 200:
        return None
    document = page.json()
    if not isinstance(document, dict) or "full_name" not in document:
        return verdict(Status.UNKNOWN, "github-unexpected", "the API answered without a repository")
    requested = urlsplit(page.hops[0].url).path.removeprefix("/repos/")
    html_url = str(document.get("html_url") or f"https://github.com/{document['full_name']}")
    if str(document["full_name"]).lower() != requested.lower():
        return verdict(
            Status.REDIRECTED,
            "github-renamed",
            "the repository was renamed or transferred",
            final_url=html_url,
        )
    if document.get("archived"):
        return verdict(Status.ALIVE, "github-archived", "archived by the owner (read-only)")
    return verdict(Status.ALIVE, "github-repository")


_REASONS = (
    "github-rate-limited",
    "github-dmca",
    "github-disabled",
    "github-renamed",
    "github-archived",
)
WEB_RULE = Rule(
    name="github",
    domains=("github.com",),
    decide=_decide_web,
    reasons=_REASONS,
    retry_after=retry_after,
    blocking=_rate_limited,
)
API_RULE = Rule(
    name="github-api",
    domains=("api.github.com",),
    decide=_decide_api,
    reasons=(
        *_REASONS,
        "github-repository",
        "github-unexpected",
        "http-404",
    ),
    retry_after=retry_after,
    blocking=_rate_limited,
)
