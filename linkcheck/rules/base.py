"""What every host rule is made of: the page as a rule sees it, the Rule record, and the
verdict helper (DESIGN.md §4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..decode import decode_page
from ..domains import in_domain
from ..models import Exchange, Status, Verdict

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser


class Page:
    """The exchange as a rule sees it; the body is parsed once, on first use."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.status = exchange.final_status
        self.final_url = exchange.final_url
        self.hops = exchange.hops

    @cached_property
    def text(self) -> str:
        return decode_page(self.exchange.body, self.exchange.header("content-type"))

    @cached_property
    def tree(self) -> LexborHTMLParser:
        from selectolax.lexbor import LexborHTMLParser

        return LexborHTMLParser(self.text)

    def has(self, selector: str) -> bool:
        return self.tree.css_first(selector) is not None

    def texts(self, *selectors: str) -> str:
        """The text of every node matching any selector, joined."""
        parts: list[str] = []
        for selector in selectors:
            parts.extend(node.text(separator=" ") for node in self.tree.css(selector))
        return " ".join(parts)

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        return self.exchange.header(name)

    @property
    def final_path(self) -> str:
        return urlsplit(self.final_url).path


def verdict(
    status: Status, reason: str, detail: str | None = None, final_url: str | None = None
) -> Verdict:
    return Verdict(status, reason, final_url, detail)


@dataclass(frozen=True)
class Rule:
    name: str
    domains: tuple[str, ...]  # a host matches a domain exactly or as a subdomain; () any host
    decide: Callable[[Page], Verdict | None]
    reasons: tuple[str, ...]
    # Seconds to wait before retrying a response this host uses for rate limiting
    # (GitHub's 403 with x-ratelimit-remaining: 0), or None.
    retry_after: Callable[[Exchange], float | None] | None = None
    # True when a single response is the host's rate-limit or captcha answer; None when it
    # says nothing either way (the captcha page a counted redirect led to).
    blocking: Callable[[Exchange], bool | None] | None = None
    # True when the answer is a challenge a real browser passes by running the page's own
    # script (--browser); a captcha is not one.
    challenge: Callable[[Page], bool] | None = None

    def serves(self, host: str) -> bool:
        host = host.lower()
        return not self.domains or any(in_domain(host, domain) for domain in self.domains)
