"""The fast request target (targets._plain) against httpx.URL's, which it stands in for."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.fetch.targets import target_of

_PATH_CHARS = st.sampled_from([*"abcXYZ019-._~!$&'()*+,;=:%/?#", "%2F", "%zz", "/./", "/../"])


def _httpx_view(url: str) -> tuple[str, str, int, str, bytes]:
    parsed = httpx.URL(url)
    port = parsed.port or {"http": 80, "https": 443}[parsed.scheme]
    return parsed.scheme, parsed.raw_host.decode(), port, parsed.netloc.decode(), parsed.raw_path


def _ours(url: str) -> tuple[str, str, int, str, bytes]:
    target = target_of(url)
    return target.scheme, target.host, target.port, target.authority, target.path


@given(
    scheme=st.sampled_from(["http", "https", "HTTP"]),
    host=st.sampled_from(["example.com", "EXAMPLE.com", "127.0.0.1", "a-b.example.cn."]),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    rest=st.lists(_PATH_CHARS, max_size=12).map("".join),
)
@settings(max_examples=2000, deadline=None)
def test_the_fast_target_is_httpx_target(scheme: str, host: str, port: str, rest: str) -> None:
    url = f"{scheme}://{host}{port}{'/' if rest[:1] not in ('', '/', '?', '#') else ''}{rest}"
    assert _ours(url) == _httpx_view(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://例子.测试/路径?q=值",
        "http://user:pw@example.com/a",
        "http://[::1]:8080/x",
        "https://example.com/a b",
        "https://example.com/a/../b",
        "https://xn--ls8h.la/",
    ],
)
def test_urls_the_fast_path_leaves_to_httpx(url: str) -> None:
    assert _ours(url) == _httpx_view(url)
