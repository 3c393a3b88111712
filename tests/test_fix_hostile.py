"""`fix` writes only what re-extracts to itself (issue 25, items 1 and 13): a server's
Location can never write markup or another link into a post, never downgrade a link to
http://, and a symbolic link never carries the edit outside the tree."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.extract import extract_text
from linkcheck.fix import DeadMode, apply, review
from linkcheck.models import Result, Status, Verdict
from linkcheck.testing.simweb import Route, SimulatedWeb

from .conftest import web_cli_args

# The Location values of the attack, as a hostile server sends them.
HOSTILE = (
    "https://cdn.example.com/x)[click](javascript:alert(1)",
    "https://cdn.example.com/y<script>alert(1)</script>",
    'https://cdn.example.com/z"><img src=x onerror=alert(1)>',
    "https://cdn.example.com/w> [more](javascript:alert(2)) <",
    "https://cdn.example.com/v\n\n[next](javascript:alert(3))",
)
FORMS = (
    "see [the page]({url}) here",
    "see {url} here",
    "see <{url}> here",
    '<a href="{url}">the page</a>',
    "![figure]({url})",
    "[ref][r] and\n\n[r]: {url}",
)


def _links(path: str, text: str) -> Counter[tuple[str, str]]:
    return Counter((link.kind.value, link.url) for link in extract_text(path, text))


def _redirected(text: str, final_url: str, *, path: str = "post.md") -> list[Result]:
    return [
        Result(link, link.url, Verdict(Status.REDIRECTED, "moved-permanently", final_url))
        for link in extract_text(path, text)
    ]


_HOSTILE_CHARS = st.text(st.sampled_from("()[]<>\"' \n\t\\`|{}*_!.,:;中文%#?&=/"), max_size=24)


@settings(max_examples=300, deadline=None)
@given(tail=_HOSTILE_CHARS, form=st.sampled_from(FORMS), prose=st.sampled_from(["", "。", ")"]))
def test_a_hostile_location_is_written_as_one_link_or_not_at_all(
    tail: str, form: str, prose: str
) -> None:
    text = form.format(url="https://old.example/p") + prose + "\n"
    final_url = "https://new.example/" + tail
    before = _links("post.md", text)
    assert sum(before.values()) == 1
    reviewed = review(text, _redirected(text, final_url), DeadMode.ANNOTATE)
    fixed = apply(text, reviewed.edits)
    after = _links("post.md", fixed)
    # Exactly one link, the same kind, on the new host: nothing added, nothing removed.
    assert sum(after.values()) == 1
    [(kind, url)] = after
    assert kind == next(iter(before))[0]
    if reviewed.edits:
        assert urlsplit(url).scheme == "https"
        assert urlsplit(url).hostname == "new.example"
        assert "](javascript" not in fixed.lower()
    else:
        assert fixed == text
        assert reviewed.refused  # said, never silently skipped


@pytest.mark.parametrize("form", FORMS)
def test_a_plain_location_is_still_written_in_every_form(form: str) -> None:
    text = form.format(url="https://old.example/p") + "\n"
    reviewed = review(text, _redirected(text, "https://new.example/q_(x)"), DeadMode.ANNOTATE)
    assert reviewed.refused == []
    assert _links("post.md", apply(text, reviewed.edits)).keys() == {
        (next(iter(_links("post.md", text)))[0], "https://new.example/q_(x)")
    }


def test_never_a_downgrade_to_http() -> None:
    text = "[zhihu](https://zhuanlan.zhihu.com/p/1)\n"
    reviewed = review(text, _redirected(text, "http://zhuanlan.zhihu.com/p/1"), DeadMode.KEEP)
    assert reviewed.edits == []
    assert "downgrade" in reviewed.refused[0]


@pytest.mark.parametrize("copy", ["javascript:alert(1)", "data:text/html,<script>x</script>"])
def test_an_archived_copy_that_is_not_a_web_url_is_never_written(copy: str) -> None:
    text = "[gone](https://gone.example/p)\n"
    results = [
        Result(link, link.url, Verdict(Status.DEAD, "http-404"), wayback=copy)
        for link in extract_text("post.md", text)
    ]
    for mode in (DeadMode.REPLACE, DeadMode.ANNOTATE):
        reviewed = review(text, results, mode)
        assert reviewed.edits == []
        assert reviewed.refused


# --- the attack, end to end, against a server on 127.0.0.1 -------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "blog" / ".git").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "blog")
    return tmp_path / "blog"


def test_fix_against_a_hostile_server_writes_no_markup(simweb: SimulatedWeb, project: Path) -> None:
    simweb.add_route(
        Route("cdn.example.com", "*", headers=(("Content-Type", "text/html"),), body=b"<p>ok")
    )
    lines = []
    for number, location in enumerate(HOSTILE):
        path = f"/moved-{number}"
        simweb.add_route(Route("docs.example.org", path, statuses=(301,), location=location))
        for form in FORMS[:5]:
            lines.append(form.format(url=f"https://docs.example.org{path}"))
    text = "\n\n".join(lines) + "\n"
    (project / "post.md").write_text(text, encoding="utf-8")
    before = _links("post.md", text)
    result = CliRunner().invoke(app, ["fix", "post.md", *web_cli_args(simweb)])
    assert result.exit_code == 0, result.stderr
    fixed = (project / "post.md").read_text(encoding="utf-8")
    after = _links("post.md", fixed)
    assert sum(after.values()) == sum(before.values())
    assert "](javascript" not in fixed  # no Markdown link of the server's making
    assert "[click]" not in fixed
    assert "[more]" not in fixed
    assert "[next]" not in fixed
    assert "<script" not in fixed
    assert "<img" not in fixed
    hosts = {urlsplit(url).hostname for _, url in after}
    assert hosts <= {"docs.example.org", "cdn.example.com"}
    assert any(urlsplit(url).hostname == "cdn.example.com" for _, url in after)  # some rewritten


def test_fix_never_writes_through_a_symlink_that_leaves_the_tree(
    simweb: SimulatedWeb, project: Path
) -> None:
    text = "[moved](https://github.com/matterport/Mask_RCNN)\n"
    outside = project.parent / "outside.md"
    outside.write_text(text, encoding="utf-8")
    inside = project / "real.md"
    inside.write_text(text, encoding="utf-8")
    (project / "escape.md").symlink_to(outside)
    (project / "alias.md").symlink_to(inside)
    result = CliRunner().invoke(
        app, ["fix", "escape.md", "alias.md", "--no-cache", *web_cli_args(simweb)]
    )
    assert result.exit_code == 0, result.stderr
    assert outside.read_text(encoding="utf-8") == text
    assert (project / "escape.md").is_symlink()
    assert "escape.md: not written" in result.stderr
    assert (project / "alias.md").is_symlink()  # the link is kept, its file fixed
    assert "matterport/Mask-RCNN" in inside.read_text(encoding="utf-8")


def test_a_zhihu_column_that_moves_to_http_is_no_rename(simweb: SimulatedWeb) -> None:
    """zhuanlan.zhihu.com's 302 to a new slug is a renamed column [Z17]; to http:// it is
    a downgrade, never a link for `fix` to follow (issue 25, item 13)."""
    import asyncio

    from linkcheck.engine.checker import check
    from linkcheck.models import Link, LinkKind, Scope

    from .conftest import web_config

    page = b'<html><body><script id="js-initialData">{}</script></body></html>'
    simweb.add_route(
        Route(
            "zhuanlan.zhihu.com",
            "/downgraded",
            statuses=(302,),
            location="http://zhuanlan.zhihu.com/elsewhere",
        )
    )
    simweb.add_route(
        Route(
            "zhuanlan.zhihu.com", "/elsewhere", headers=(("Content-Type", "text/html"),), body=page
        )
    )
    url = "https://zhuanlan.zhihu.com/downgraded"
    link = Link("post.md", 1, 1, LinkKind.BARE, Scope.EXTERNAL, url, url)
    [result] = asyncio.run(check([link], web_config(simweb, wayback=False))).results
    assert result.verdict.status is not Status.REDIRECTED, result.verdict
    assert not (result.verdict.final_url or "").startswith("http://zhuanlan")


def test_fix_links_a_published_copy_never_a_path_into_the_state_folder(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """issue 28, item 3: `fix --dead annotate` once linked ../.linkcheck/archive/…, which no
    site publishes. With --publish-dir the copy is published with the site and linked at
    its URL there (the site's baseurl included); without, nothing is written, and it says
    so."""
    site = tmp_path / "site"
    (site / ".git").mkdir(parents=True)
    (site / "_config.yml").write_text("baseurl: /blog\n", encoding="utf-8")
    (site / "_posts").mkdir()
    post = site / "_posts" / "2020-01-01-a.md"
    url = "https://docs.example.org/soon-gone"
    post.write_text(f"[将要消失的页面]({url})\n", encoding="utf-8")
    page = b"<!doctype html><title>Soon gone</title><p>The text a reader came for."
    simweb.add_route(
        Route("docs.example.org", "/soon-gone", headers=(("Content-Type", "text/html"),), body=page)
    )
    monkeypatch.chdir(site)
    archived = CliRunner().invoke(app, ["archive", "_posts", *web_cli_args(simweb)])
    assert archived.exit_code == 0, archived.stderr
    simweb.add_route(Route("docs.example.org", "/soon-gone", statuses=(404,)))  # now dead
    args = ["fix", "_posts", "--no-cache", *web_cli_args(simweb)]
    unpublished = CliRunner().invoke(app, args)
    assert unpublished.exit_code == 0, unpublished.stderr
    assert ".linkcheck" not in post.read_text(encoding="utf-8")
    assert "no copy its readers can open" in unpublished.stderr
    published = CliRunner().invoke(app, [*args, "--publish-dir", "archive"])
    assert published.exit_code == 0, published.stderr
    text = post.read_text(encoding="utf-8")
    assert ".linkcheck" not in text
    [link] = [
        found.url for found in extract_text(str(post), text) if found.url.startswith("/blog/")
    ]
    assert link.startswith("/blog/archive/")
    assert link.endswith("/page.html")
    copy = site / link.removeprefix("/blog/")
    assert "The text a reader came for." in copy.read_text(encoding="utf-8")
    assert (site / "archive").is_dir()


@pytest.mark.parametrize("mode", [DeadMode.REPLACE, DeadMode.ANNOTATE])
def test_a_published_copy_is_written_at_its_site_path(mode: DeadMode) -> None:
    text = "[gone](https://gone.example/p)\n"
    results = [
        Result(link, link.url, Verdict(Status.DEAD, "http-404"))
        for link in extract_text("post.md", text)
    ]
    copy = "/blog/archive/20261203T000000Z-0123abcd/page.html"
    reviewed = review(text, results, mode, {("https://gone.example/p", "post.md"): copy})
    assert reviewed.refused == []
    assert copy in apply(text, reviewed.edits)
    assert review(text, results, mode).edits == []  # no copy a reader can open: nothing


def test_a_published_copy_is_linked_from_each_citing_post_s_own_folder(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a repository no generator publishes (GitHub renders it), the link is a path from
    each post's folder: two posts in different folders citing one dead URL get two paths,
    each to the same published copy."""
    repo = tmp_path / "notes"
    (repo / ".git").mkdir(parents=True)
    url = "https://docs.example.org/cited-twice"
    posts = [repo / "a" / "one.md", repo / "b" / "c" / "two.md"]
    for post in posts:
        post.parent.mkdir(parents=True)
        post.write_text(f"[cited]({url})\n", encoding="utf-8")
    page = b"<!doctype html><title>Cited twice</title><p>Kept for both posts."
    simweb.add_route(
        Route(
            "docs.example.org", "/cited-twice", headers=(("Content-Type", "text/html"),), body=page
        )
    )
    monkeypatch.chdir(repo)
    archived = CliRunner().invoke(app, ["archive", ".", *web_cli_args(simweb)])
    assert archived.exit_code == 0, archived.stderr
    simweb.add_route(Route("docs.example.org", "/cited-twice", statuses=(404,)))
    args = ["fix", ".", "--no-cache", "--publish-dir", "archive", *web_cli_args(simweb)]
    fixed = CliRunner().invoke(app, args)
    assert fixed.exit_code == 0, fixed.stderr
    copies = set()
    for post in posts:
        text = post.read_text(encoding="utf-8")
        [link] = [f.url for f in extract_text(str(post), text) if f.url.endswith("page.html")]
        assert not link.startswith("/")
        copies.add((post.parent / link).resolve())
    [copy] = copies
    assert copy.is_relative_to((repo / "archive").resolve())
    assert "Kept for both posts." in copy.read_text(encoding="utf-8")
