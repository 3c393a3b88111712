"""Exchange → Verdict for any host: status codes, redirects, network errors. Pure.

DESIGN.md §3: *dead* needs positive evidence (404/410, a name that does not exist while
others resolve, a host rule's marker). Everything we could not see is *unknown*, with a
reason. Host rules (issue "Host rules") run before this and decide where status codes lie.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..fetch.redirects import moved_detail, permanent_target, status_chain
from ..models import Exchange, Status, Verdict

if TYPE_CHECKING:
    from ..config import Config
    from ..rules.base import Rule

_DEAD_STATUSES = frozenset({404, 410})
_UNKNOWN_DETAIL = {
    401: "the server wants a login",
    403: "the server refused us (often a block on non-browser clients)",
    429: "rate-limited, still after retries",
}
_NETWORK_DETAIL = {
    "timeout": "no complete answer within the timeout",
    "tls": "the TLS handshake or certificate check failed",
    "connection-refused": "the server refused the connection",
    "connection-reset": "the connection broke before a complete answer",
    "invalid-http": "the server answered, but not in HTTP",
    "network-unreachable": "no route to the server",
    "dns-failure": "the name server did not answer",
    "redirect-loop": "the redirects lead back to a page already visited",
    "too-many-redirects": "too many redirects",
    "invalid-url": "the URL cannot be requested as written",
    "invalid-request": "a header we were given cannot be sent (a line break in its value)",
    "invalid-redirect": "a redirect to a URL that cannot be requested",
    "network-error": "the request failed",
    "host-blocking": "not requested: the host keeps answering with its rate-limit page",
}


def classify_exchange(exchange: Exchange, *, names_resolve: bool) -> Verdict:
    """names_resolve: some public name resolved in this run, so a lookup that says "no such
    name" is evidence (DESIGN.md §3: on a machine without DNS every lookup says so)."""
    hops = exchange.hops
    if exchange.error is not None:
        return _network_verdict(exchange, names_resolve)
    status = exchange.final_status
    assert status is not None
    moved = permanent_target(hops)
    final_url = exchange.final_url if len(hops) > 1 else None
    chain = status_chain(hops)
    if 200 <= status < 300:
        if moved is not None:
            url, kind = moved
            return Verdict(Status.REDIRECTED, kind, url, moved_detail(hops, url), hops)
        detail = f"{chain} via {exchange.final_url}" if len(hops) > 1 else None
        return Verdict(Status.ALIVE, f"http-{status}", final_url, detail, hops)
    if status in _DEAD_STATUSES:
        detail = f"{chain} at {exchange.final_url}" if len(hops) > 1 else None
        return Verdict(Status.DEAD, f"http-{status}", final_url, detail, hops)
    if 300 <= status < 400:
        return Verdict(
            Status.UNKNOWN,
            f"http-{status}",
            final_url,
            "a redirect without a usable Location",
            hops,
        )
    detail = _UNKNOWN_DETAIL.get(status)
    if detail is None:
        detail = "server error, still after retries" if status >= 500 else "unexpected status"
    return Verdict(Status.UNKNOWN, f"http-{status}", final_url, detail, hops)


# What a user can do about a certificate we could not verify (lychee users look for -k).
_TLS_HINT = "; a private CA: --cacert FILE (--insecure skips the check)"


def _network_verdict(exchange: Exchange, names_resolve: bool) -> Verdict:
    error = exchange.error or "network-error"
    detail = exchange.error_detail or _NETWORK_DETAIL.get(error, error)
    if error == "dns-nxdomain":
        if names_resolve:
            return Verdict(
                Status.DEAD,
                "dns-nxdomain",
                None,
                f"the domain does not exist ({detail})",
                exchange.hops,
            )
        return Verdict(
            Status.UNKNOWN,
            "dns-unverified",
            None,
            "the name did not resolve, but no other public name resolved in this run "
            "either, so this proves nothing",
            exchange.hops,
        )
    if error == "private-address":  # never followed (issue 11: SSRF)
        if exchange.hops:
            return Verdict(
                Status.UNKNOWN,
                "private-redirect",
                None,
                f"redirected into a private network, not followed: {detail}",
                exchange.hops,
            )
        return Verdict(Status.EXCLUDED, "private-host", None, detail)
    if error == "tls":
        detail += _TLS_HINT
    return Verdict(Status.UNKNOWN, error, None, detail, exchange.hops)


def classify(exchange: Exchange, *, names_resolve: bool, first: tuple[Rule, ...] = ()) -> Verdict:
    """Host rules first (they read the page where status codes lie: the ones given first,
    the user's, then the built-in ones), then the generic rules."""
    from ..rules import decide

    return decide(exchange, first) or classify_exchange(exchange, names_resolve=names_resolve)


def configured_rules(config: Config) -> tuple[Rule, ...]:
    """The user's own rules and accepted statuses, from the configuration."""
    from ..rules.user import from_config

    return from_config(config.rules, config.hosts, config.accept)


def through_wrapper(wrapper: str, target: str, found: Verdict) -> Verdict:
    """A link checked through the target its wrapper URL carried (see rules)."""
    from ..rules import through_wrapper as rule_through_wrapper

    return rule_through_wrapper(wrapper, target, found)
