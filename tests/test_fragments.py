"""--check-fragments: external #fragments against the anchors of the page fetched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linkcheck.engine.fragments import PageAnchors, fragment_verdict
from linkcheck.models import Status, Verdict
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import check_post

ALIVE = Verdict(Status.ALIVE, "http-200")
STATIC = PageAnchors(frozenset({"install", "usage"}), complete=True, scripted=False)
CUT = PageAnchors(frozenset(), complete=False, scripted=False)  # over the body limit
SCRIPTED = PageAnchors(frozenset({"root"}), complete=True, scripted=True)
GITHUB_README = PageAnchors(frozenset({"user-content-install"}), complete=True, scripted=True)
GITHUB_FILE = PageAnchors(frozenset(), complete=True, scripted=True)  # a file view


@pytest.mark.parametrize(
    ("fragment", "page", "url", "reason"),
    [
        ("install", STATIC, "https://docs.test/guide", "http-200"),
        ("%E9%85%8D", PageAnchors(frozenset({"配"}), True, False), "https://d.test/", "http-200"),
        ("instal", STATIC, "https://docs.test/guide", "fragment-missing"),
        (":~:text=Install", STATIC, "https://docs.test/guide", "http-200"),  # a text fragment
        ("/settings/profile", STATIC, "https://app.test/", "http-200"),  # an app's route
        ("page=3", STATIC, "https://docs.test/paper", "http-200"),  # viewer state
        ("top", STATIC, "https://docs.test/guide", "http-200"),
        ("nothing", CUT, "https://d.test/", "fragment-unverified"),
        ("route", SCRIPTED, "https://d.test/", "fragment-unverified"),
        ("install", GITHUB_README, "https://github.com/octo/tool", "http-200"),
        ("L10-L20", GITHUB_FILE, "https://github.com/octo/tool/blob/main/setup.py", "http-200"),
        ("missing", GITHUB_README, "https://github.com/octo/tool", "fragment-missing"),
    ],
)
def test_a_fragment_against_the_pages_anchors(
    fragment: str, page: PageAnchors, url: str, reason: str
) -> None:
    assert fragment_verdict(fragment, url, ALIVE, page).reason == reason


def test_a_missing_fragment_names_the_nearest_anchors() -> None:
    verdict = fragment_verdict("instal", "https://docs.test/guide", ALIVE, STATIC)
    assert verdict.status is Status.DEAD
    assert verdict.detail == "the page has no anchor #instal; nearest: #install"


POST = """\
https://docs.example.org/guide#install

https://docs.example.org/guide#配置

https://docs.example.org/guide#legacy-anchor

https://docs.example.org/guide#nothing-here

https://docs.example.org/app#route

https://github.com/octo/tool#install

https://github.com/octo/tool#missing

https://github.com/octo/tool/blob/main/setup.py#L10-L20
"""


def _reasons(output: str) -> dict[str, str]:
    return {r["url"]: r["reason"] for r in json.loads(output)["results"]}


def test_check_fragments_on_the_simulated_web(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "post.md").write_text(POST, encoding="utf-8")
    result = check_post(simweb, "--check-fragments")
    assert result.exit_code == 1, result.output
    reasons = _reasons(result.stdout)
    assert reasons["https://docs.example.org/guide#install"].startswith("http-2")
    assert reasons["https://docs.example.org/guide#配置"].startswith("http-2")
    assert reasons["https://docs.example.org/guide#legacy-anchor"].startswith("http-2")
    assert reasons["https://docs.example.org/guide#nothing-here"] == "fragment-missing"
    assert reasons["https://docs.example.org/app#route"] == "fragment-unverified"
    assert reasons["https://github.com/octo/tool#install"] != "fragment-missing"
    assert reasons["https://github.com/octo/tool#missing"] == "fragment-missing"
    assert reasons["https://github.com/octo/tool/blob/main/setup.py#L10-L20"] != (
        "fragment-missing"
    )
    # Without the option, a fragment is not the checker's business.
    plain = _reasons(check_post(simweb).stdout)
    assert plain["https://docs.example.org/guide#nothing-here"].startswith("http-2")


def test_pages_cited_with_a_fragment_are_read_again_despite_the_cache(
    simweb: SimulatedWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache keeps verdicts, not anchors: a warm run reads those pages again, so the
    answer does not change between a cold and a warm run."""
    from typer.testing import CliRunner

    from linkcheck.cli import app

    from .conftest import web_cli_args

    monkeypatch.chdir(tmp_path)
    (tmp_path / "post.md").write_text(
        "https://docs.example.org/guide#nothing-here\n\nhttps://docs.example.org/guide\n",
        encoding="utf-8",
    )
    command = ["check", "post.md", "--format", "json", "--no-wayback", "--check-fragments"]
    for _ in range(2):
        simweb.requests.clear()
        result = CliRunner().invoke(app, [*command, *web_cli_args(simweb)])
        assert _reasons(result.stdout)["https://docs.example.org/guide#nothing-here"] == (
            "fragment-missing"
        )
        assert [r.target for r in simweb.requests if r.host == "docs.example.org"] == ["/guide"]
