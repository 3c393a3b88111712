"""`linkcheck fix`: property tests of the pure core, and the command on real files."""

from __future__ import annotations

import codecs
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.extract.markdown import extract_markdown
from linkcheck.fix import DeadMode, Edit, apply, plan
from linkcheck.models import Result, Status, Verdict
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import web_cli_args

WAYBACK = "https://web.archive.org/web/20200101000000/"


def moved(url: str) -> str:
    return url.replace("https://old", "https://new") + "/moved"


def verdict_for(url: str) -> tuple[Verdict, str | None]:
    if url.startswith(WAYBACK):
        return Verdict(Status.ALIVE, "http-200"), None
    if "/gone" in url:
        return Verdict(Status.DEAD, "http-404"), WAYBACK + url
    if url.startswith("https://old"):
        return Verdict(Status.REDIRECTED, "moved-permanently", moved(url)), None
    return Verdict(Status.ALIVE, "http-200"), None


def results_for(text: str) -> list[Result]:
    results = []
    for link in extract_markdown("post.md", text):
        verdict, wayback = verdict_for(link.url)
        results.append(Result(link, link.url, verdict, None, None, wayback))
    return results


_WORD = st.text(st.sampled_from("abcxyz 中文的链接，。"), min_size=1, max_size=8)
_URL = st.builds(
    lambda kind, host, path: f"https://{kind}{host}.org/{path}",
    st.sampled_from(["old", "live", "live"]),
    st.integers(0, 3),
    st.sampled_from(["a", "b/c", "gone", "x/gone/y", "p?q=1"]),
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 8))):
        url = draw(_URL)
        form = draw(st.sampled_from(["bare", "line", "inline", "image", "auto", "code", "fence"]))
        words = draw(_WORD).strip() or "x"
        if form == "bare":
            blocks.append(f"{words} {url} {words}")
        elif form == "line":
            blocks.append(url)
        elif form == "inline":
            blocks.append(f'{words} [{words}]({url} "title") {words}')
        elif form == "image":
            blocks.append(f"![{words}]({url})")
        elif form == "auto":
            blocks.append(f"<{url}> {words}")
        elif form == "code":
            blocks.append(f"`{url}` {words}")
        else:
            blocks.append(f"```\n{url}\n```")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(block.replace("\n", newline) for block in blocks) + newline


def _outside(text: str, edits: list[Edit]) -> list[str]:
    """The pieces of text between the spans the edits replace."""
    pieces, cursor = [], 0
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for edit in sorted(edits, key=lambda e: (e.line, e.column)):
        offset = starts[edit.line - 1] + edit.column - 1
        pieces.append(text[cursor:offset])
        cursor = offset + len(edit.old)
    pieces.append(text[cursor:])
    return pieces


@settings(max_examples=150, deadline=None)
@given(text=documents(), mode=st.sampled_from([DeadMode.REPLACE, DeadMode.ANNOTATE]))
def test_only_the_rewritten_urls_change(text: str, mode: DeadMode) -> None:
    edits = plan(text, results_for(text), mode)
    fixed = apply(text, edits)
    new_edits = [Edit(e.line, e.column, e.new, e.old) for e in edits]
    # Same pieces around the edits, before and after, in the same order.
    assert _outside(text, edits) == _outside(fixed, _shift(new_edits, edits))


def _shift(new: list[Edit], old: list[Edit]) -> list[Edit]:
    """Positions of the new texts in the fixed document (earlier edits on a line move the
    later ones)."""
    shifted, delta, line = [], 0, 0
    for before, after in sorted(zip(old, new, strict=True), key=lambda p: (p[0].line, p[0].column)):
        if before.line != line:
            line, delta = before.line, 0
        shifted.append(Edit(after.line, after.column + delta, after.old, after.new))
        delta += len(before.new) - len(before.old)
    return shifted


@settings(max_examples=150, deadline=None)
@given(text=documents())
def test_extracting_again_finds_the_new_urls_at_the_same_places(text: str) -> None:
    before = extract_markdown("post.md", text)
    edits = plan(text, results_for(text), DeadMode.REPLACE)
    fixed = apply(text, edits)
    after = extract_markdown("post.md", fixed)
    assert len(after) == len(before)
    expected_columns: dict[tuple[int, int], int] = {}
    for edit in sorted(edits, key=lambda e: (e.line, e.column)):
        expected_columns[(edit.line, edit.column)] = len(edit.new) - len(edit.old)
    for old, new in zip(before, after, strict=True):
        verdict, wayback = verdict_for(old.url)
        wanted = old.url
        if verdict.status is Status.REDIRECTED and verdict.final_url:
            wanted = verdict.final_url
        elif verdict.status is Status.DEAD and wayback:
            wanted = wayback
        assert new.url == wanted
        assert new.kind == old.kind
        shift = sum(
            d
            for (line, column), d in expected_columns.items()
            if line == old.line and column < old.column
        )
        assert (new.line, new.column) == (old.line, old.column + shift)


@settings(max_examples=150, deadline=None)
@given(text=documents(), mode=st.sampled_from([DeadMode.REPLACE, DeadMode.ANNOTATE]))
def test_fixing_twice_changes_nothing_the_second_time(text: str, mode: DeadMode) -> None:
    once = apply(text, plan(text, results_for(text), mode))
    assert plan(once, results_for(once), mode) == []


def test_keep_mode_leaves_dead_links_alone() -> None:
    text = "https://live1.org/gone and https://old2.org/a\n"
    fixed = apply(text, plan(text, results_for(text), DeadMode.KEEP))
    assert fixed == "https://live1.org/gone and https://new2.org/a/moved\n"


def test_html_attributes_are_escaped_and_stale_edits_skipped() -> None:
    text = '<a href="https://old1.org/p?q=1">x</a>\n'
    [edit] = plan(text, results_for(text), DeadMode.REPLACE)
    assert edit.new == "https://new1.org/p?q=1/moved"
    assert apply("something else entirely\n", [edit]) == "something else entirely\n"


# --- the command, on files -------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fix_keeps_encoding_bom_and_line_endings(simweb: SimulatedWeb, project: Path) -> None:
    text = (
        "旧链接：https://github.com/matterport/Mask_RCNN\r\n\r\n"
        "[没了](https://github.com/no-such/repository)\r\n\r\n"
        "```\r\nhttps://github.com/matterport/Mask_RCNN\r\n```\r\n"
    )
    (project / "gbk.md").write_bytes(text.encode("gb18030"))
    (project / "bom.md").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    dry = CliRunner().invoke(app, ["fix", ".", "--dry-run", *_routing(simweb)])
    assert dry.exit_code == 0, dry.stderr
    assert "+旧链接：https://github.com/matterport/Mask-RCNN" in dry.stdout
    assert (project / "gbk.md").read_bytes() == text.encode("gb18030")  # dry run: untouched
    done = CliRunner().invoke(app, ["fix", ".", *_routing(simweb)])
    assert done.exit_code == 0, done.stderr
    expected = text.replace("matterport/Mask_RCNN\r\n\r\n", "matterport/Mask-RCNN\r\n\r\n", 1)
    expected = expected.replace(
        "(https://github.com/no-such/repository)",
        "(https://github.com/no-such/repository) [archived]("
        + WAYBACK
        + "https://github.com/no-such/repository)",
    )
    assert (project / "gbk.md").read_bytes() == expected.encode("gb18030")
    assert (project / "bom.md").read_bytes() == codecs.BOM_UTF8 + expected.encode("utf-8")
    again = CliRunner().invoke(app, ["fix", ".", *_routing(simweb)])
    assert "nothing to fix" in again.stdout


def _routing(web: SimulatedWeb) -> list[str]:
    args = web_cli_args(web)
    routes = []
    for flag, value in pairwise(args):
        if flag in ("--connect-to", "--cacert"):
            routes += [flag, value]
    return routes


def test_an_html_link_is_annotated_beside_its_element_never_inside_it() -> None:
    # The annotation once went right after the URL, inside the href attribute.
    from linkcheck.extract import extract_text

    text = (
        '<p><a href="https://a.example/x" title="a>b">x <b>y</b></a> and '
        "<img src=https://c.example/i.png alt=i></p>\n"
    )
    copy = WAYBACK + "{}"
    results = [
        Result(link, link.url, Verdict(Status.DEAD, "http-404"), wayback=copy.format(link.url))
        for link in extract_text("p.html", text)
    ]
    fixed = apply(text, plan(text, results, DeadMode.ANNOTATE))
    assert fixed == (
        '<p><a href="https://a.example/x" title="a>b">x <b>y</b></a>'
        f' <a href="{WAYBACK}https://a.example/x">archived</a> and '
        "<img src=https://c.example/i.png alt=i>"
        f' <a href="{WAYBACK}https://c.example/i.png">archived</a></p>\n'
    )
