"""Normalisation of external URLs into fetchable targets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkcheck.extract.normalize import normalize
from linkcheck.models import Target


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://EXAMPLE.org/A?b=C#Frag", Target("https://example.org/A?b=C", "Frag")),
        (
            "https://例子.测试/路径 x?q=图",
            Target("https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84%20x?q=%E5%9B%BE"),
        ),
        ("https://a.org/already%20encoded", Target("https://a.org/already%20encoded")),
        ("https://a.org", Target("https://a.org/")),
        ("//cdn.org/x.js", Target("https://cdn.org/x.js")),
        ("http://[::1]:8080/x", Target("http://[::1]:8080/x")),
        ("https://user@a.org:8443/x", Target("https://user@a.org:8443/x")),
        (
            "https://mp.weixin.qq.com/s?__biz=M==&amp;mid=1&amp;idx=2",
            Target("https://mp.weixin.qq.com/s?__biz=M==&mid=1&idx=2"),
        ),
    ],
)
def test_normalize(url: str, expected: Target) -> None:
    assert normalize(url) == expected


@pytest.mark.parametrize(
    ("wrapper", "inner"),
    [
        (
            "https://link.zhihu.com/?target=https%3A//arxiv.org/abs/1703.06870",
            "https://arxiv.org/abs/1703.06870",
        ),
        (
            "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=H&target_url="
            "https%3A%2F%2Fmp.weixin.qq.com%2Fs%2FUt_of4Xb8c0beACShKOWlQ",
            "https://mp.weixin.qq.com/s/Ut_of4Xb8c0beACShKOWlQ",
        ),
        ("https://link.jianshu.com/?t=https%3A%2F%2Fgithub.com%2Fa%2Fb", "https://github.com/a/b"),
    ],
)
def test_wrappers_are_unwrapped_and_kept(wrapper: str, inner: str) -> None:
    assert normalize(wrapper) == Target(inner, None, wrapper)


def test_a_wrapper_without_a_web_target_is_left_alone() -> None:
    url = "https://link.zhihu.com/?target=javascript%3Aalert(1)"
    assert normalize(url) == Target(url)


def test_a_malformed_authority_is_kept_for_the_fetcher_to_report() -> None:
    assert normalize("http://a.org:99999999/x").url == "http://a.org:99999999/x"


_URL_CHARS = st.sampled_from(list("aZ09-._~!$&'()*+,;=:@/%?#[] é中\\^`{}|\"<>"))


@settings(max_examples=500)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "ftp"]),
    host=st.sampled_from(["example.org", "Example.ORG", "xn--fiqs8s.cn", "a-b.c", "中国.cn", ""]),
    port=st.sampled_from(["", ":8080", ":080", ":0", ":99999"]),
    rest=st.text(_URL_CHARS, max_size=30),
)
def test_the_fast_path_agrees_with_the_parse(scheme: str, host: str, port: str, rest: str) -> None:
    """A URL already canonical skips the parse (extract --format json spent a third of its
    time there): it must come out exactly as the parse would make it."""
    from linkcheck.extract.normalize import _canonical, _canonical_parsed

    url = f"{scheme}://{host}{port}{rest}".partition("#")[0]
    assert _canonical(url) == _canonical_parsed(url)
