"""The bare-URL scanner: GFM autolink rules and the Chinese prose boundary."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkcheck.extract.urls import Spans, find_bare_urls, is_cjk


def raws(text: str) -> list[str]:
    return [found.raw for found in find_bare_urls(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The brief's cases.
        ("见https://github.com/a/b。", "https://github.com/a/b"),
        ("（https://zhuanlan.zhihu.com/p/25954683）", "https://zhuanlan.zhihu.com/p/25954683"),
        ("参考https://x.org/a中的代码", "https://x.org/a"),
        ("https://baike.baidu.com/item/图灵机", "https://baike.baidu.com/item/图灵机"),
        ("https://zh.wikipedia.org/wiki/迁移学习", "https://zh.wikipedia.org/wiki/迁移学习"),
        # The real blog's cases of non-ASCII text right after a URL.
        (
            "https://www.cnblogs.com/steven-yang/tag/强化学习/",
            "https://www.cnblogs.com/steven-yang/tag/强化学习/",
        ),
        (
            "http://www.gwylab.com/pdf/生成模型-生成对抗网络.pdf",
            "http://www.gwylab.com/pdf/生成模型-生成对抗网络.pdf",
        ),
        (
            "http://nooverfit.com/wp/当变分推断（variational-inference）遇上神经网络，贝叶斯深度/",
            "http://nooverfit.com/wp/当变分推断（variational-inference）遇上神经网络，贝叶斯深度/",
        ),
        (
            "https://en.wikipedia.org/wiki/Maxwell–Boltzmann_statistics",
            "https://en.wikipedia.org/wiki/Maxwell–Boltzmann_statistics",
        ),
        ("在http://source.android.com下", "http://source.android.com"),
        ("http://pkgs.org这个网站", "http://pkgs.org"),
        ("见http://a.org/updates.xml的内容", "http://a.org/updates.xml"),
        (
            "（http://httpd.apache.org/docs/1.3/howto/cgi.html）",
            "http://httpd.apache.org/docs/1.3/howto/cgi.html",
        ),
        ("http://www.msys2.org/，", "http://www.msys2.org/"),
        (
            "https://mp.weixin.qq.com/s/_b5wRtOMwmGi8N5fxgMFEw看破",
            "https://mp.weixin.qq.com/s/_b5wRtOMwmGi8N5fxgMFEw",
        ),
        ("(个人主页：http://www.cybergarage.org/)，", "http://www.cybergarage.org/"),
        ("http://curl.haxx.se/ca/cacert.pem, 然后", "http://curl.haxx.se/ca/cacert.pem"),
        ("see “https://a.org/x”", "https://a.org/x"),
        # GFM rules.
        ("Visit www.commonmark.org.", "www.commonmark.org"),
        (
            "www.google.com/search?q=Markup+(business)))",
            "www.google.com/search?q=Markup+(business)",
        ),
        ("www.google.com/search?q=commonmark&hl;", "www.google.com/search?q=commonmark"),
        ("www.commonmark.org/he<lp", "www.commonmark.org/he"),
        ("http://localhost:8080/x", "http://localhost:8080/x"),
        ("HTTPS://EXAMPLE.COM/A", "HTTPS://EXAMPLE.COM/A"),
        ("see http://a.org/x; then", "http://a.org/x"),
        ("[see http://a.org/x]", "http://a.org/x"),
    ],
)
def test_one_url_is_found_exactly(text: str, expected: str) -> None:
    assert raws(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "foohttp://a.org",
        "http://",
        "http:///path",
        "xwww.a.org",
        "www.a_b.org",
        "hello@mail+xyz.example",
        "a.b-c_d@a.b-",
        "http://.org",
    ],
)
def test_not_a_link(text: str) -> None:
    assert raws(text) == []


def test_urls_carry_the_scheme_gfm_gives_them() -> None:
    found = find_bare_urls("www.a.org and me@a.org")
    assert [f.url for f in found] == ["http://www.a.org", "mailto:me@a.org"]
    assert [f.is_mail for f in found] == [False, True]


def test_masked_spans_are_not_entered_and_cut_a_url() -> None:
    text = "`http://code.org` http://a.org/x`y`"
    masked = Spans([(0, 17), (32, 35)])
    assert [(f.start, f.raw) for f in find_bare_urls(text, masked)] == [(18, "http://a.org/x")]


def test_an_email_inside_a_url_is_not_found_twice() -> None:
    assert raws("http://user@host.org/p and x") == ["http://user@host.org/p"]


def test_is_cjk() -> None:
    assert all(is_cjk(ch) for ch in "中文。，（）「」：、ア한")
    assert not any(is_cjk(ch) for ch in "a1/–é ")


# --- properties -----------------------------------------------------------------------

_CJK_LETTERS = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
_CJK_PUNCTUATION = st.sampled_from("。，、；：？！）」』】》")
_PROSE = st.text(_CJK_LETTERS, min_size=1, max_size=8)
_SEGMENT = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABC0123456789-_~"), min_size=1, max_size=10
)


@st.composite
def ascii_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http://", "https://"]))
    host = ".".join(
        draw(
            st.lists(
                st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8),
                min_size=2,
                max_size=4,
            )
        )
    )
    path = "".join("/" + draw(_SEGMENT) for _ in range(draw(st.integers(0, 4))))
    query = draw(st.sampled_from(["", "?a=1&b=2", "?id=x_y"]))
    url = scheme + host + path + query
    # GFM trims these from the end of any URL; keep generated URLs clear of them.
    return url.rstrip("?!.,:*_~'\";")


@given(before=_PROSE, url=ascii_urls(), after=_PROSE)
def test_prose_glued_on_either_side_is_not_part_of_the_url(
    before: str, url: str, after: str
) -> None:
    text = before + url + after
    # Right after a "/", Chinese running to the end is a path segment (issue 26, below).
    expected = url + after if url.endswith("/") else url
    assert [(f.start, f.raw) for f in find_bare_urls(text)] == [(len(before), expected)]


@given(url=ascii_urls(), punctuation=_CJK_PUNCTUATION, after=st.text(_CJK_LETTERS, max_size=5))
def test_full_width_punctuation_ends_a_url(url: str, punctuation: str, after: str) -> None:
    assert raws(url + punctuation + after) == [url]


@given(url=ascii_urls(), chinese=st.lists(_PROSE, min_size=1, max_size=3), slash=st.booleans())
def test_a_chinese_path_on_its_own_line_stays_whole(
    url: str, chinese: list[str], slash: bool
) -> None:
    base = url.split("?")[0]
    whole = base + "/" + "/".join(chinese) + ("/" if slash else "")
    assert raws(whole) == [whole]
    assert raws(f"text\n{whole}\nmore") == [whole]


@given(url=ascii_urls(), tail=st.text(st.sampled_from("?!.,:*~'\""), min_size=1, max_size=3))
def test_trailing_sentence_punctuation_is_dropped(url: str, tail: str) -> None:
    assert raws(f"see {url}{tail} next") == [url]


@given(url=ascii_urls(), underscores=st.integers(1, 2), end=st.sampled_from(["", ".", ","]))
def test_a_trailing_underscore_is_part_of_the_url(url: str, underscores: int, end: str) -> None:
    """GFM drops it to close emphasis; a URL no `_` opened needs no closing (issue 26):
    blog.csdn.net/fengzhou_ is that user's page, not fengzhou's."""
    whole = url + "_" * underscores
    assert raws(f"see {whole}{end} next") == [whole]
    assert raws(f"see _{whole}{end} next") == [url]  # _emphasis_ closes there


def test_the_csdn_user_with_a_trailing_underscore() -> None:
    assert raws("博客：https://blog.csdn.net/fengzhou_ 了解") == ["https://blog.csdn.net/fengzhou_"]


@given(
    before=_PROSE,
    url=ascii_urls(),
    chinese=_PROSE,
    end=st.sampled_from(["", " ", "\n", "，", "。", "）", "：说明"]),
)
def test_a_chinese_segment_after_a_slash_stays_when_glued_to_prose(
    before: str, url: str, chinese: str, end: str
) -> None:
    """词条：https://zh.wikipedia.org/wiki/注意力机制 is the article, not …/wiki/ (issue 26):
    glued to prose, a Chinese segment right after "/" runs to white space, the end of the
    line or CJK punctuation."""
    base = url.split("?")[0]
    whole = f"{base}/{chinese}"
    assert raws(f"{before}：{whole}{end}") == [whole]


def test_the_wikipedia_article_glued_to_its_label() -> None:
    text = "词条：https://zh.wikipedia.org/wiki/注意力机制"
    assert raws(text) == ["https://zh.wikipedia.org/wiki/注意力机制"]
    assert raws("见https://source.android.com下的说明") == ["https://source.android.com"]


@given(text=st.text(max_size=200))
def test_every_find_is_the_text_at_its_offset_and_holds_no_space(text: str) -> None:
    for found in find_bare_urls(text):
        assert text[found.start : found.start + len(found.raw)] == found.raw
        assert not any(ch.isspace() for ch in found.raw)
