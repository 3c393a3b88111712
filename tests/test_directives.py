"""Disable comments (issue 16): every form, linkcheck's and markdown-link-check's, and the
links they reach are excluded (inline-ignore) without a request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.directives import disabled_spans, is_disabled
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import check_post, web_cli_args

runner = CliRunner()


def _off(text: str) -> list[int]:
    """The lines 1..n whose first column checking is off at."""
    spans = disabled_spans(text)
    return [n for n in range(1, text.count("\n") + 2) if is_disabled(n, 1, spans)]


@pytest.mark.parametrize("tool", ["linkcheck", "markdown-link-check"])
def test_disable_and_enable_turn_a_block_off(tool: str) -> None:
    text = f"a\n<!-- {tool}-disable -->\nb\nc\n<!-- {tool}-enable -->\nd\n"
    assert _off(text) == [3, 4]


@pytest.mark.parametrize("tool", ["linkcheck", "markdown-link-check"])
def test_disable_without_enable_reaches_the_end(tool: str) -> None:
    assert _off(f"a\n<!--{tool}-disable-->\nb\nc") == [3, 4]


@pytest.mark.parametrize("tool", ["linkcheck", "markdown-link-check"])
def test_next_line_and_this_line(tool: str) -> None:
    text = f"a\n<!-- {tool}-disable-next-line -->\nb\nc <!-- {tool}-disable-line -->\nd\n"
    assert _off(text) == [3, 4]


def test_the_span_starts_and_ends_at_the_comments_on_one_line() -> None:
    text = "[a](x) <!-- linkcheck-disable -->[b](y)<!-- linkcheck-enable --> [c](z)"
    spans = disabled_spans(text)
    assert not is_disabled(1, 1, spans)  # [a] before the comment
    assert is_disabled(1, text.index("[b]") + 1, spans)
    assert not is_disabled(1, text.index("[c]") + 1, spans)


def test_a_comment_in_a_code_block_is_an_example_not_a_directive() -> None:
    text = (
        "```html\n<!-- linkcheck-disable -->\n```\n[a](x)\n"
        "~~~~\n<!-- linkcheck-disable-next-line -->\n~~~~\n[b](y)\n"
    )
    assert disabled_spans(text) == []


def test_crlf_lines_count_as_extraction_counts_them() -> None:
    assert _off("a\r\n<!-- linkcheck-disable-next-line -->\r\nb\r\nc") == [3]


def test_ignored_links_are_excluded_without_a_request(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "post.md").write_text(
        "[dead](https://mp.weixin.qq.com/s/deleted)\n"
        "<!-- markdown-link-check-disable-next-line -->\n"
        "[ignored](https://mp.weixin.qq.com/s/expired)\n"
        "<!-- linkcheck-disable -->\n"
        "[also](https://kexue.fm/archives/0000) and [local](./missing.md)\n"
        "<!-- linkcheck-enable -->\n",
        encoding="utf-8",
    )
    before = len(simweb.requests)
    result = check_post(simweb)
    assert result.exit_code == 1, result.stderr
    by_url = {r["url"]: r for r in json.loads(result.stdout)["results"]}
    assert by_url["https://mp.weixin.qq.com/s/deleted"]["status"] == "dead"
    for url in (
        "https://mp.weixin.qq.com/s/expired",
        "https://kexue.fm/archives/0000",
        "./missing.md",
    ):
        assert by_url[url]["status"] == "excluded"
        assert by_url[url]["reason"] == "inline-ignore"
    asked = {r.target for r in simweb.requests[before:]}
    assert "/s/expired" not in asked
    assert "/archives/0000" not in asked
    verbose = runner.invoke(app, ["check", "post.md", "-v", "--no-wayback", *web_cli_args(simweb)])
    assert "inline-ignore" in verbose.stdout
