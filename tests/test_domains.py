"""domains.py: the domain rule and a URL's host, parsed once for every stage."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkcheck.domains import hostname_of, in_domain, nearest_domain


def test_a_domain_holds_its_subdomains_and_nothing_that_merely_ends_alike() -> None:
    assert in_domain("zhuanlan.zhihu.com", "zhihu.com")
    assert in_domain("zhihu.com", "zhihu.com")
    assert not in_domain("zhihu.com.evil.cn", "zhihu.com")
    assert not in_domain("notzhihu.com", "zhihu.com")
    assert nearest_domain("A.B.Example.com", {"example.com", "b.example.com"}) == "b.example.com"
    assert nearest_domain("other.org", {"example.com"}) is None


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://MP.Weixin.QQ.com/s/abc", "mp.weixin.qq.com"),
        ("http://user:pw@Example.com:8080/x", "example.com"),
        ("https://[2001:DB8::1]:443/", "2001:db8::1"),
        ("https:///no-host", None),
        ("mailto:a@example.com", None),
        ("//example.com/relative", "example.com"),
    ],
)
def test_the_host_of_a_url(url: str, host: str | None) -> None:
    assert hostname_of(url) == host


def test_a_malformed_authority_raises_each_time_it_is_asked() -> None:
    for _ in range(2):  # a failure is not remembered as an answer
        with pytest.raises(ValueError, match="IPv6"):
            hostname_of("http://[::1/x")


_URL_PIECES = st.sampled_from(
    ["http://", "https://", "//", "a.B.example", "@", ":", "80", "[", "]", "::1", "/", "?", "#",
     "%41", " ", "\t", "é", "xn--", "."]
)  # fmt: skip


@given(st.lists(_URL_PIECES, max_size=10).map("".join))
def test_it_answers_exactly_what_urlsplit_answers(url: str) -> None:
    try:
        expected: str | type[ValueError] | None = urlsplit(url).hostname
    except ValueError:
        expected = ValueError
    try:
        got: str | type[ValueError] | None = hostname_of(url)
    except ValueError:
        got = ValueError
    assert got == expected
