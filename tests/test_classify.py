"""The generic classifier, as a pure function."""

from __future__ import annotations

import pytest

from linkcheck.engine.classify import classify_exchange
from linkcheck.models import Exchange, Hop, Status


def verdict(
    *hops: Hop, error: str | None = None, names_resolve: bool = True
) -> tuple[str, str, str | None]:
    url = hops[0].url if hops else "https://a.org/x"
    v = classify_exchange(Exchange(url, hops, error=error), names_resolve=names_resolve)
    return v.status.value, v.reason, v.final_url


def test_alive_and_dead() -> None:
    assert verdict(Hop("https://a.org/", 200)) == ("alive", "http-200", None)
    assert verdict(Hop("https://a.org/", 404)) == ("dead", "http-404", None)
    assert verdict(Hop("https://a.org/", 410)) == ("dead", "http-410", None)


@pytest.mark.parametrize("status", [400, 401, 403, 405, 429, 451, 500, 503, 521, 999])
def test_no_other_status_is_dead(status: int) -> None:
    assert verdict(Hop("https://a.org/", status))[0] == "unknown"


def test_permanent_redirects_say_what_changed() -> None:
    assert verdict(Hop("http://a.org/x", 301, "https://a.org/x"), Hop("https://a.org/x", 200)) == (
        "redirected",
        "https-upgrade",
        "https://a.org/x",
    )
    assert verdict(Hop("https://a.org/x", 308, "/x/"), Hop("https://a.org/x/", 200)) == (
        "redirected",
        "trailing-slash",
        "https://a.org/x/",
    )
    assert verdict(Hop("https://a.org/x", 301, "https://b.org/y"), Hop("https://b.org/y", 200)) == (
        "redirected",
        "moved-permanently",
        "https://b.org/y",
    )


def test_the_link_points_where_the_permanent_redirects_end() -> None:
    # 301 to the new home, whose login page then redirects temporarily: replace with the home.
    assert verdict(
        Hop("https://a.org/old", 301, "https://a.org/new"),
        Hop("https://a.org/new", 302, "https://a.org/login"),
        Hop("https://a.org/login", 200),
    ) == ("redirected", "moved-permanently", "https://a.org/new")


def test_temporary_redirects_are_alive() -> None:
    assert verdict(
        Hop("https://a.org/x", 302, "/login"),
        Hop("https://a.org/login", 200),
    ) == ("alive", "http-200", "https://a.org/login")
    # A permanent hop after a temporary one does not move the link itself.
    assert (
        verdict(
            Hop("https://a.org/x", 307, "/y"),
            Hop("https://a.org/y", 301, "/z"),
            Hop("https://a.org/z", 200),
        )[0]
        == "alive"
    )


def test_a_redirect_to_a_dead_page_is_dead() -> None:
    assert verdict(Hop("https://a.org/x", 301, "/gone"), Hop("https://a.org/gone", 404)) == (
        "dead",
        "http-404",
        "https://a.org/gone",
    )


def test_a_missing_domain_is_dead_only_when_other_names_resolve() -> None:
    assert verdict(error="dns-nxdomain", names_resolve=True)[:2] == ("dead", "dns-nxdomain")
    assert verdict(error="dns-nxdomain", names_resolve=False)[:2] == ("unknown", "dns-unverified")


@pytest.mark.parametrize(
    "error",
    [
        "timeout",
        "tls",
        "connection-refused",
        "connection-reset",
        "redirect-loop",
        "too-many-redirects",
        "dns-failure",
        "network-unreachable",
        "invalid-url",
    ],
)
def test_network_errors_are_unknown(error: str) -> None:
    assert verdict(error=error)[:2] == (Status.UNKNOWN.value, error)
