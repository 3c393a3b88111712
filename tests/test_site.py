"""Links to the blog's own pages, decided from its sources (issue 15): the site model of a
Jekyll blog, heading ids in each generator's dialect, and the verdicts they give."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.site.anchors import markdown_anchors
from linkcheck.site.jekyll import read_jekyll
from linkcheck.site.slugs import HeadingIds

from .conftest import REPO, check_golden

runner = CliRunner()
JEKYLL_BLOG = REPO / "fixtures" / "jekyll-blog"
LINKS_POST = "_posts/2019-1-5-Links.markdown"


# --- heading ids, as each generator documents them ------------------------------------------


def test_kramdown_ids_follow_its_own_parser() -> None:
    """kramdown's auto_ids (its test case block/04_header/with_auto_ids): leading
    non-letters dropped, ASCII only, "section" for what is left empty, repeats numbered."""
    ids = HeadingIds("kramdown")
    headings = [
        "This is a header",
        "12. Another one-1-here",
        "Do ^& it now",
        "Hallo",
        "Not now",
        "Hallo",
        "23232",
        "33333",
        "hallO",
        "深度学习",
    ]
    assert [ids.next(h) for h in headings] == [
        "this-is-a-header",
        "another-one-1-here",
        "do--it-now",
        "hallo",
        "not-now",
        "hallo-1",
        "section",
        "section-1",
        "hallo-2",
        "section-2",
    ]


def test_kramdown_gfm_ids_keep_unicode_words_as_jekyll_renders_them() -> None:
    """kramdown-parser-gfm's header ids (its test case header_ids), Jekyll's default input:
    the rendered text, lower-cased, word characters, '-', spaces and tabs kept."""
    text = textwrap.dedent(
        """\
        ### test {#myid}
        ### variable_name
        ### abc def öúß
        ### 192 abc 192
        ### ;.;;
        ### variable_name
        ### variable_name
        ### ;;
        ### before \tafter tab
        ### with `code`
        ### with &nbsp;&auml;&nbsp;space
        ### With "smart" quotes
        ### 深度学习 -- 迁移学习
        """
    )
    assert markdown_anchors(text, "kramdown-gfm") == {
        "myid",
        "variable_name",
        "abc-def-öúß",
        "192-abc-192",
        "variable_name-1",
        "variable_name-2",
        "-1",
        "before--after-tab",
        "with-code",
        "with-äspace",
        "with-smart-quotes",
        "深度学习--迁移学习",
    }


def test_github_ids_keep_letters_digits_hyphens_and_underscores() -> None:
    ids = HeadingIds("github")
    assert [ids.next(h) for h in ["Hello World!", "C++ & Rust", "深度学习", "Hello World!"]] == [
        "hello-world",
        "c--rust",
        "深度学习",
        "hello-world-1",
    ]


def test_a_page_has_its_explicit_ids_toc_and_footnote_anchors() -> None:
    text = textwrap.dedent(
        """\
        ---
        title: a front matter line is no heading
        ---
        * toc
        {:toc}

        # First

        <a name="Pearson"/> <span id='inline'>x</span>

        A paragraph.
        {: #para}

        Text[^note].

        [^note]: The note.

        ```
        # not a heading
        ```
        """
    )
    assert markdown_anchors(text, "kramdown") == {
        "first",
        "markdown-toc",
        "markdown-toc-first",
        "Pearson",
        "inline",
        "para",
        "fn:note",
        "fnref:note",
    }


def test_an_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="kramdown-gfm"):
        HeadingIds("goldmark-ish")


# --- the Jekyll site model -----------------------------------------------------------------


def _site(tmp_path: Path, config: str, posts: dict[str, str]) -> Path:
    (tmp_path / "_config.yml").write_text(config, encoding="utf-8")
    for name, front in posts.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{front}\n---\n\n# Body\n", encoding="utf-8")
    return tmp_path


POST = "_posts/2016-8-2-Machine_Learning_2.markdown"


@pytest.mark.parametrize(
    ("permalink", "url"),
    [
        ("date", "/ml/2016/08/02/Machine_Learning_2.html"),
        ("pretty", "/ml/2016/08/02/Machine_Learning_2/"),
        ("ordinal", "/ml/2016/215/Machine_Learning_2.html"),
        ("none", "/ml/Machine_Learning_2.html"),
        ("/blog/:year/:i_month/:slug/", "/blog/2016/8/machine-learning-2/"),
        (
            "/:categories/:short_year-:month-:i_day-:title:output_ext",
            "/ml/16-08-2-Machine_Learning_2.html",
        ),
    ],
)
def test_a_posts_url_under_each_permalink_style(tmp_path: Path, permalink: str, url: str) -> None:
    site = read_jekyll(_site(tmp_path, f"permalink: {permalink}\n", {POST: "category: ML"}))
    page = site.page_at(url)
    assert page is not None
    assert page.source.name == Path(POST).name


def test_front_matter_permalink_categories_and_category_folders(tmp_path: Path) -> None:
    root = _site(
        tmp_path,
        "baseurl: /notes\nurl: https://example.org\n",
        {
            POST: "categories: [Deep, Learning]",
            "_posts/2017-1-1-Moved.md": "permalink: /moved/here/",
            "dl/_posts/2018-6-9-Transfer.md": "category: acceleration",
            "_posts/2019-2-3-Spaced.md": "category: DL acceleration",
            "_posts/2019-2-4-Hidden.md": "published: false",
        },
    )
    site = read_jekyll(root)
    found = {
        path: (page.source.name if (page := site.page_at(path)) else None)
        for path in [
            "/deep/learning/2016/08/02/Machine_Learning_2.html",
            "/notes/deep/learning/2016/08/02/Machine_Learning_2.html",  # under baseurl
            "/deep/learning/2016/08/02/Machine_Learning_2",  # served without .html
            "/moved/here/",
            "/dl/acceleration/2018/06/09/Transfer.html",
            "/dl/acceleration/2019/02/03/Spaced.html",  # the real blog's spelling
            "/dl%20acceleration/2019/02/03/Spaced.html",  # Jekyll's code's
            "/2019/02/04/Hidden.html",
        ]
    }
    first = "2016-8-2-Machine_Learning_2.markdown"
    assert found == {
        "/deep/learning/2016/08/02/Machine_Learning_2.html": first,
        "/notes/deep/learning/2016/08/02/Machine_Learning_2.html": first,
        "/deep/learning/2016/08/02/Machine_Learning_2": first,
        "/moved/here/": "2017-1-1-Moved.md",
        "/dl/acceleration/2018/06/09/Transfer.html": "2018-6-9-Transfer.md",
        "/dl/acceleration/2019/02/03/Spaced.html": "2019-2-3-Spaced.md",
        "/dl%20acceleration/2019/02/03/Spaced.html": "2019-2-3-Spaced.md",
        "/2019/02/04/Hidden.html": None,
    }
    assert site.domains == ("example.org",)
    assert site.dialect == "kramdown-gfm"  # Jekyll's default kramdown input


def test_pages_collections_and_the_kramdown_input(tmp_path: Path) -> None:
    root = _site(
        tmp_path,
        "kramdown:\n  input: kramdown\ncollections:\n  notes:\n    output: true\n",
        {"about.md": "permalink: /about/", "docs/guide.md": "title: Guide", "_notes/a.md": "x: 1"},
    )
    (root / "docs" / "index.md").write_text("# Docs\n", encoding="utf-8")  # no front matter
    site = read_jekyll(root)
    assert [
        site.page_at(p) is not None
        for p in ("/about/", "/docs/guide.html", "/docs/", "/notes/a.html")
    ] == [True] * 4
    assert site.dialect == "kramdown"


# --- verdicts on a small Jekyll blog -------------------------------------------------------


@pytest.fixture
def blog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "blog"
    shutil.copytree(JEKYLL_BLOG, copy)
    monkeypatch.chdir(copy)
    return copy


def _verdicts(output: str) -> str:
    report = json.loads(output)
    rows = []
    for r in report["results"]:
        rows.append(
            f"{r['line']}:{r['column']} {r['url']}  {r['status']} {r['reason']}  "
            f"{r['final_url'] or ''}  {r['detail'] or ''}".rstrip()
        )
    return "\n".join(rows) + "\n"


def test_the_jekyll_blog_golden_verdicts(blog: Path) -> None:
    """Every rule on one post: post links by permalink (categories split), anchors made as
    kramdown makes them (case-insensitive like the real blog, <a name>, the TOC, layout ids),
    a post that is not there, the own domain, the page's own anchors, images."""
    result = runner.invoke(app, ["check", LINKS_POST, "--offline", "--format", "json"])
    assert result.exit_code == 1, result.output
    check_golden("jekyll.check.txt", _verdicts(result.stdout))


def test_the_real_blogs_cases(blog: Path) -> None:
    """The real blog's cases (from its statistics, not its posts), in our own fixtures: an
    anchor that lives in the next post of a series, a ../images link the date permalink
    breaks, a picture filed in the wrong imgN folder."""
    result = runner.invoke(app, ["check", LINKS_POST, "--offline", "--format", "json"])
    by_url = {r["url"]: r for r in json.loads(result.stdout)["results"]}
    assert by_url["/ml/2016/08/02/Machine_Learning_2.html#Jensen"]["reason"] == "fragment-missing"
    assert by_url["/ml/2016/08/03/Machine_Learning_3.html#Jensen"]["status"] == "alive"
    assert by_url["/ml/2016/08/02/Machine_Learning_2.html#BAZEL"]["status"] == "alive"
    assert by_url["../images/a.png"]["reason"] == "broken-under-permalink"
    assert by_url["../images/a.png"]["final_url"] == "/images/a.png"
    assert "/images/img4/git.jpg" in by_url["/images/img3/git.jpg"]["detail"]


def test_fix_writes_the_path_that_works_under_the_permalink(blog: Path) -> None:
    result = runner.invoke(app, ["fix", LINKS_POST])
    assert result.exit_code == 0, result.output
    text = (blog / LINKS_POST).read_text(encoding="utf-8")
    assert "![broken under the permalink](/images/a.png)" in text
    assert "../images" not in text


def test_extract_shows_the_post_a_permalink_reaches(blog: Path) -> None:
    result = runner.invoke(app, ["extract", LINKS_POST, "--format", "json"])
    paths = {r["url"]: r.get("path") for r in json.loads(result.stdout)["links"]}
    assert paths["/ml/2016/08/03/Machine_Learning_3.html#Jensen"] == (
        "_posts/2016-8-3-Machine_Learning_3.markdown"
    )
    assert paths["/images/a.png"] == "images/a.png"
    assert paths["../images/a.png"] is None  # nothing on the published site


def test_the_slug_dialect_can_be_set(blog: Path) -> None:
    """Under kramdown's own parser a CJK heading's id is "section": the link is dead."""
    result = runner.invoke(
        app, ["check", LINKS_POST, "--offline", "--format", "json", "--slug-dialect", "kramdown"]
    )
    by_url = {r["url"]: r for r in json.loads(result.stdout)["results"]}
    assert by_url["/ml/2016/08/02/Machine_Learning_2.html#相关系数"]["reason"] == "fragment-missing"
    assert (
        "as kramdown makes them"
        in by_url["/ml/2016/08/02/Machine_Learning_2.html#相关系数"]["detail"]
    )


def test_without_a_config_file_pages_stay_unknown(blog: Path) -> None:
    (blog / "_config.yml").unlink()
    result = runner.invoke(app, ["check", LINKS_POST, "--offline", "--format", "json"])
    by_url = {r["url"]: r for r in json.loads(result.stdout)["results"]}
    assert by_url["/ml/2016/08/09/Machine_Learning_9.html"]["reason"] == "page-not-in-sources"
    assert by_url["#nowhere"]["status"] == "excluded"


def test_a_plugin_that_writes_pages_makes_a_missing_page_unknown(blog: Path) -> None:
    config = blog / "_config.yml"
    config.write_text(config.read_text() + "  - jekyll-archives\n", encoding="utf-8")
    post = blog / "_posts" / "2019-1-6-More.markdown"
    post.write_text("---\n---\n[tags](/tags/ml/)\n[post](/ml/2016/08/09/Gone.html)\n")
    result = runner.invoke(
        app, ["check", str(post.relative_to(blog)), "--offline", "--format", "json"]
    )
    by_url = {r["url"]: r["reason"] for r in json.loads(result.stdout)["results"]}
    # a post's URL shape is still a post that is not there; other pages may be the plugin's
    assert by_url == {
        "/tags/ml/": "page-not-in-sources",
        "/ml/2016/08/09/Gone.html": "page-missing",
    }


# --- no request for what the site model decides --------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_error(500)

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[str]]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.requests.clear()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_links_to_the_blogs_own_address_are_never_requested(
    blog: Path, recorder: tuple[str, list[str]]
) -> None:
    address, requests = recorder
    post = blog / "_posts" / "2019-1-7-Mirror.markdown"
    post.write_text(
        f"---\n---\n{address}/ml/2016/08/03/Machine_Learning_3.html#Jensen\n\n"
        f"{address}/ml/2016/08/03/Gone.html\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "check",
            str(post.relative_to(blog)),
            "--base-url",
            address,
            "--include-private",
            "--format",
            "json",
        ],
    )
    verdicts = [r["reason"] for r in json.loads(result.stdout)["results"]]
    assert verdicts == ["anchor-exists", "page-missing"]
    assert requests == []


# --- Hugo ----------------------------------------------------------------------------------

HUGO_SITE = REPO / "fixtures" / "hugo-site"


def test_the_hugo_site_golden_verdicts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permalinks by section, slugs urlized, page bundles and their files, static/, the
    goldmark (github) heading ids, taxonomy pages and feeds Hugo writes on its own."""
    shutil.copytree(HUGO_SITE, tmp_path / "site")
    monkeypatch.chdir(tmp_path / "site")
    command = ["check", "content/posts/second.md", "--offline", "--format", "json"]
    result = runner.invoke(app, command)
    assert result.exit_code == 1, result.output
    check_golden("hugo.check.txt", _verdicts(result.stdout))


def _hugo(tmp_path: Path, config: str, files: dict[str, str]) -> Path:
    (tmp_path / "hugo.toml").write_text(config, encoding="utf-8")
    for name, text in files.items():
        path = tmp_path / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("config", "url"),
    [
        ("", "/posts/my-first-post/"),
        ("uglyURLs = true", "/posts/my-first-post.html"),
        ('[permalinks]\nposts = "/:year/:month/:day/:filename/"', "/2024/03/05/my-first-post/"),
        ('[permalinks.page]\nposts = "/:sections/:title/"', "/posts/hello-world/"),
    ],
)
def test_a_hugo_pages_url(tmp_path: Path, config: str, url: str) -> None:
    from linkcheck.site.hugo import hugo_config, read_hugo

    root = _hugo(
        tmp_path,
        f'baseURL = "https://example.org/"\n{config}\n',
        {"posts/My First Post.md": "---\ntitle: Hello World\ndate: 2024-03-05\n---\n"},
    )
    site = read_hugo(root, hugo_config(root) or {})
    assert site.page_at(url) is not None, sorted(site._pages)


def test_hugo_front_matter_url_slug_drafts_and_case(tmp_path: Path) -> None:
    from linkcheck.site.hugo import hugo_config, read_hugo

    root = _hugo(
        tmp_path,
        'baseURL = "https://example.org/docs/"\ndisablePathToLower = true\n',
        {
            "Guide/Setup.md": "+++\ntitle = 'Setup'\n+++\n",
            "Guide/moved.md": "---\nurl: /elsewhere/\n---\n",
            "Guide/draft.md": "---\ndraft: true\n---\n",
            "Guide/_index.md": "---\ntitle: Guide\n---\n",
        },
    )
    site = read_hugo(root, hugo_config(root) or {})
    assert site.base_path == "/docs"
    assert site.domains == ("example.org",)
    assert site.page_at("/docs/Guide/Setup/") is not None
    assert site.page_at("/Guide/Setup/") is not None  # written without the base path
    assert site.page_at("/elsewhere/") is not None
    assert site.page_at("/Guide/draft/") is None
    assert site.page_at("/Guide/") is not None


def test_a_config_toml_is_hugos_only_when_it_says_base_url(tmp_path: Path) -> None:
    from linkcheck.site.hugo import hugo_config

    (tmp_path / "config.toml").write_text('title = "not hugo"\n', encoding="utf-8")
    assert hugo_config(tmp_path) is None
    (tmp_path / "config.toml").write_text('baseURL = "https://example.org/"\n', encoding="utf-8")
    assert hugo_config(tmp_path) == {"baseURL": "https://example.org/"}


def test_github_ascii_ids_drop_accents_and_other_scripts() -> None:
    """Hugo's autoHeadingIDType github-ascii."""
    ids = HeadingIds("github-ascii")
    assert [ids.next(h) for h in ["Café au lait", "深度学习 notes"]] == ["cafe-au-lait", "-notes"]


# --- MkDocs --------------------------------------------------------------------------------


def test_the_mkdocs_site_golden_verdicts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative links resolved from the Markdown file (MkDocs rewrites them), pages at
    directory URLs under site_url's path, heading ids as Python-Markdown's toc makes them
    (a Chinese heading is "_1"), a mkdocs.yml with !!python/name: tags."""
    shutil.copytree(REPO / "fixtures" / "mkdocs-site", tmp_path / "site")
    monkeypatch.chdir(tmp_path / "site")
    result = runner.invoke(app, ["check", "docs", "--offline", "--format", "json"])
    assert result.exit_code == 1, result.output
    check_golden("mkdocs.check.txt", _verdicts(result.stdout))


def test_mkdocs_ids_follow_python_markdowns_toc() -> None:
    """Python-Markdown's toc slugify and unique(): ASCII only, "-" joins words, repeats
    and empty ids numbered with "_"."""
    ids = HeadingIds("mkdocs")
    headings = ["Hello World!", "Hello World!", "深度学习", "迁移学习", "Žlutý kůň", "a -- b"]
    assert [ids.next(h) for h in headings] == [
        "hello-world",
        "hello-world_1",
        "_1",
        "_2",
        "zluty-kun",
        "a-b",
    ]


def test_a_hexo_site_is_not_read_as_jekyll(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hexo's config is _config.yml too, with Jekyll-like permalinks but its posts in
    source/_posts: read as Jekyll, its live posts would look missing. Left to the files."""
    (tmp_path / "_config.yml").write_text("permalink: :year/:month/:day/:title/\n")
    posts = tmp_path / "source" / "_posts"
    posts.mkdir(parents=True)
    (posts / "hello.md").write_text(
        "---\ntitle: Hello\ndate: 2020-01-02\n---\n[me](/2020/01/02/hello/)\n"
    )
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["check", "source/_posts/hello.md", "--offline", "--format", "json"]
    )
    [only] = json.loads(result.stdout)["results"]
    assert (only["status"], only["reason"]) == ("unknown", "page-not-in-sources")


# --- a repository read on GitHub -----------------------------------------------------------


def _check_readme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> list[dict[str, str]]:
    """`check README.md --offline` in a repository of its own (a .git, no generator)."""
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "README.md").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "README.md", "--offline", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    results: list[dict[str, str]] = json.loads(result.stdout)["results"]
    return results


def test_anchors_between_markdown_files_of_a_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No generator, a .git: links are read as GitHub renders the files, so a #fragment into
    a Markdown file is checked with GitHub's ids; everything else is judged by the files."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\n## Install the tool\n\n## 配置\n")
    text = (
        "# Intro\n\n"
        "[ok](docs/guide.md#install-the-tool) [cjk](docs/guide.md#配置) "
        "[missing](docs/guide.md#setup) [here](#intro) [not here](#outro) "
        "[file](docs/guide.md) [gone](docs/gone.md#x) [page](/some/page.html)\n"
    )
    reasons = {r["url"]: r["reason"] for r in _check_readme(tmp_path, monkeypatch, text)}
    assert reasons == {
        "docs/guide.md#install-the-tool": "anchor-exists",
        "docs/guide.md#配置": "anchor-exists",
        "docs/guide.md#setup": "fragment-missing",
        "#intro": "anchor-exists",
        "#outro": "fragment-missing",
        "docs/guide.md": "file-exists",
        "docs/gone.md#x": "file-missing",
        "/some/page.html": "page-not-in-sources",
    }


def test_a_site_configuration_that_cannot_be_read_is_a_warning(
    blog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (blog / "_config.yml").write_text("permalink: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["check", LINKS_POST, "--offline", "--format", "json"])
    report = json.loads(result.stdout)
    assert any("_config.yml: cannot be read" in w for w in report["warnings"]), report["warnings"]
    by_url = {r["url"]: r["reason"] for r in report["results"]}
    assert by_url["/ml/2016/08/09/Machine_Learning_9.html"] == "page-not-in-sources"


@pytest.mark.parametrize("marker", ["package.json", "conf.py", "book.toml", ".vitepress"])
def test_a_repository_with_another_generator_is_left_to_the_file_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marker: str
) -> None:
    """Eleventy, Sphinx, mdBook … make heading ids their own way: not read as GitHub's."""
    (tmp_path / marker).mkdir() if marker.startswith(".") else (tmp_path / marker).write_text("")
    [only] = _check_readme(tmp_path, monkeypatch, "# Intro\n\n[x](#hello-world)\n")
    assert only["reason"] == "fragment"  # excluded, as before the site model


def test_a_malformed_url_in_a_site_is_a_verdict(blog: Path) -> None:
    post = blog / "_posts" / "2019-1-8-Odd.markdown"
    post.write_text("---\n---\n[odd](https://[notes.example.org/x)\n", encoding="utf-8")
    command = ["check", str(post.relative_to(blog)), "--offline", "--format", "json"]
    result = runner.invoke(app, command)
    assert result.exit_code != 4, result.output
    [only] = json.loads(result.stdout)["results"]
    assert only["reason"] == "invalid-url"


@pytest.mark.parametrize("link", ["a%00b.md#x", "%00#x", "docs/%00.png", "/x%00.html#y"])
def test_a_path_no_file_can_have_is_a_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, link: str
) -> None:
    """%00 decodes to a NUL byte, which no file name holds (the fuzz tests found it)."""
    [only] = _check_readme(tmp_path, monkeypatch, f"# Intro\n\n[x]({link})\n")
    assert only["status"] in ("dead", "unknown", "excluded")


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://Example.org:443/blog/", ("example.org", "/blog")),
        ("http://localhost:4000", ("localhost:4000", "")),
        ("notes.example.org", ("notes.example.org", "")),
        ("https://[bad/", ("", "")),
    ],
)
def test_a_sites_address(url: str, address: tuple[str, str]) -> None:
    from linkcheck.site.model import address_of

    assert address_of(url) == address


def test_the_own_domain_is_its_host_and_port(blog: Path) -> None:
    """A site served at localhost:4000 (a common `url` while writing) does not own every
    port of localhost: a tutorial's http://localhost:8080/ stays what it was."""
    config = blog / "_config.yml"
    config.write_text(
        config.read_text().replace("https://notes.example.org", "http://localhost:4000")
    )
    post = blog / "_posts" / "2019-1-9-Local.markdown"
    page = "/ml/2016/08/03/Machine_Learning_3.html"
    post.write_text(f"---\n---\nhttp://localhost:4000{page}\n\nhttp://localhost:8080{page}\n")
    command = ["check", str(post.relative_to(blog)), "--offline", "--format", "json"]
    result = runner.invoke(app, command)
    reasons = {r["url"]: r["reason"] for r in json.loads(result.stdout)["results"]}
    assert reasons == {
        f"http://localhost:4000{page}": "page-exists",
        f"http://localhost:8080{page}": "private-host",
    }


def test_an_html_page_with_empty_front_matter_is_a_page(tmp_path: Path) -> None:
    """`---` then `---` makes a file a page to Jekyll, rendered at its permalink (here the
    pretty style's /about/), not a file copied as it is."""
    root = _site(tmp_path, "permalink: pretty\n", {})
    (root / "about.html").write_text("---\n---\n<h1>About</h1>\n", encoding="utf-8")
    (root / "plain.html").write_text("<h1>Copied as it is</h1>\n", encoding="utf-8")
    site = read_jekyll(root)
    assert site.page_at("/about/") is not None
    assert site.page_at("/plain/") is None


# --- start-up: yaml is read only for a site whose generator is configured in it ------------

YAML_PROBE = r"""
import sys
from pathlib import Path
from linkcheck.site import Sites

plain, jekyll = Path(sys.argv[1]), Path(sys.argv[2])
site = Sites().site_of(str(plain / "post.md"))
assert site is not None and site.generator == "github", site
assert "yaml" not in sys.modules and "tomllib" not in sys.modules, "imported for no config"
site = Sites().site_of(str(jekyll / "_posts" / "2019-1-5-Links.markdown"))
assert site is not None and site.generator == "jekyll", site
assert "yaml" in sys.modules
print("ok")
"""


def test_a_site_without_a_generator_config_does_not_import_yaml(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    (plain / ".git").mkdir(parents=True)
    (plain / "post.md").write_text("[a](https://a.example/)\n", "utf-8")
    run = subprocess.run(
        [sys.executable, "-c", YAML_PROBE, str(plain), str(JEKYLL_BLOG)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
