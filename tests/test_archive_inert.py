"""Archived pages are inert (issue 11 §1): the known mutation-XSS families, comment tricks
and every way to load something, archived from a hostile page and opened in real headless
Chromium. A beacon server on 127.0.0.1 counts what the page manages to load or run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from linkcheck.archive.readable import CSP, Banner, UnsafeCopy, readable_copy, verify_inert
from linkcheck.archive.store import Archive
from linkcheck.cli import app
from linkcheck.testing.simweb import SimulatedWeb, running

from .conftest import render_in_chromium, web_cli_args

runner = CliRunner()


def payloads(beacon: str) -> str:
    """One hostile page; every family reports to beacon/<family> if it gets to run or load."""

    def run(name: str) -> str:
        return f"fetch('{beacon}/{name}');document.title='PWNED-{name}'"

    return f"""<!-- <head> <body> --><!DOCTYPE html>
<html><head><title>Hostile</title>
<base href="{beacon}/base/">
<link rel="stylesheet" href="{beacon}/link">
<link rel="stylesheet" href="https://hostile.test/sheet.css">
<meta http-equiv="refresh" content="0;url={beacon}/refresh">
<style>@import url({beacon}/css-import); body {{ background: url({beacon}/css-bg) }}
p {{ background: u\\72l({beacon}/css-escaped) }}</style>
<script>{run("script")}</script>
</head><body onload="{run("body-onload")}">
<p>正文 survives.</p>
<img src="https://hostile.test/drawing.svg" alt="an SVG image with scripts in it">
<math><mtext><table><mglyph><style><img src="{beacon}/math-mglyph" onerror="{run("math-js")}">
</style></mglyph></table></mtext></math>
<svg><style><img src="{beacon}/svg-style" onerror="{run("svg-style-js")}"></style></svg>
<svg></p><style><a id="</style><img src={beacon}/svg-p onerror={run("svg-p-js")}>">
</a></style></svg>
<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img src={beacon}/math-textarea>">
</path></textarea></mtext></svg></mglyph></mi></math>
<noscript><p title="</noscript><img src={beacon}/noscript onerror={run("noscript-js")}>">
</p></noscript>
<template><img src="{beacon}/template" onerror="{run("template-js")}"></template>
<svg><![CDATA[><img src={beacon}/cdata onerror={run("cdata-js")}>]]></svg>
<form><math><mtext></form><form><mglyph><style></math>
<img src={beacon}/form-math onerror={run("form-js")}>
<a href="javascript:{run("href-js")}">a</a> <a href=" JaVaScRiPt:{run("href-js-2")}">b</a>
<img src="{beacon}/img" onerror="{run("img-js")}"><img srcset="{beacon}/srcset 2x">
<div style="background: url({beacon}/style-url)">x</div>
<div style="width: expression(alert(1)); background: url({beacon}/expression)">y</div>
<iframe src="{beacon}/iframe"></iframe><object data="{beacon}/object"></object>
<embed src="{beacon}/embed"><video poster="{beacon}/poster"></video>
<form action="{beacon}/form"><button formaction="{beacon}/formaction">go</button></form>
<input type="image" src="{beacon}/input-image">
<details open ontoggle="{run("details-js")}">z</details>
</body></html>"""


def hostile_svg(beacon: str) -> str:
    """An SVG image that beacons if its scripts run or its references load: as a document
    opened by itself it does; as an <img>, never."""
    return f"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"
     onload="fetch('{beacon}/svg-onload')">
<script>fetch('{beacon}/svg-script'); document.title = 'PWNED-svg';</script>
<image href="{beacon}/svg-image" width="10" height="10"/>
<rect width="40" height="20" fill="teal"/></svg>"""


def hostile_sheet(beacon: str) -> str:
    """A linked stylesheet whose every load reports to the beacon: an @import, a
    background, a font, an escaped url(."""
    return f"""@import url({beacon}/sheet-import);
@font-face {{ font-family: Evil; src: url({beacon}/sheet-font); }}
body {{ background: url("{beacon}/sheet-bg"); font-family: Evil; }}
p {{ background: u\\72l({beacon}/sheet-escaped); }}
"""


@pytest.fixture(scope="module")
def beacon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedWeb]:
    root = tmp_path_factory.mktemp("beacon")
    (root / "beacon.test").mkdir()
    with running(root, tmp_path_factory.mktemp("beacon-ca")) as web:
        yield web


@pytest.fixture(scope="module")
def hostile(
    tmp_path_factory: pytest.TempPathFactory, beacon: SimulatedWeb
) -> Iterator[tuple[SimulatedWeb, str]]:
    root = tmp_path_factory.mktemp("hostile-web")
    (root / "hostile.test").mkdir()
    page = payloads(f"http://127.0.0.1:{beacon.http_port}")
    (root / "hostile.test" / "page.html").write_text(page, encoding="utf-8")
    drawing = hostile_svg(f"http://127.0.0.1:{beacon.http_port}")
    (root / "hostile.test" / "sheet.css").write_text(
        hostile_sheet(f"http://127.0.0.1:{beacon.http_port}"), encoding="utf-8"
    )
    (root / "hostile.test" / "drawing.svg").write_text(drawing, encoding="utf-8")
    with running(root, tmp_path_factory.mktemp("hostile-ca")) as web:
        yield web, page


@pytest.fixture(scope="module")
def archived(hostile: tuple[SimulatedWeb, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    web, _ = hostile
    project = tmp_path_factory.mktemp("project")
    (project / ".git").mkdir()
    (project / "post.md").write_text("https://hostile.test/page\n", encoding="utf-8")
    keep = web_cli_args(web)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        result = runner.invoke(app, ["archive", "post.md", *keep])
    assert result.exit_code == 0, result.stderr + result.stdout
    store = Archive(project / ".linkcheck" / "archive")
    latest = store.latest("https://hostile.test/page")
    assert latest is not None, result.stdout
    return store.root / latest.folder / "page.html"


def test_the_copy_is_built_from_the_tree(archived: Path) -> None:
    text = archived.read_text(encoding="utf-8")
    tree = LexborHTMLParser(text)
    head = tree.head
    assert head is not None
    assert head.child is not None
    assert head.child.attributes.get("http-equiv") == "Content-Security-Policy"
    assert head.child.attributes.get("content") == CSP
    assert tree.body is not None
    assert "正文 survives." in tree.body.text()
    lowered = text.lower()
    for forbidden in ("<script", "<iframe", "<svg", "<math", "<object", "<embed", "<base",
                      "<link", "<form", "<noscript", "<template", "javascript:", "@import",
                      "expression("):  # fmt: skip
        assert forbidden not in lowered, forbidden
    # The beacon's address may survive as inert text (a CSS escape with its backslash
    # gone), never as something that loads.
    assert not re.search(r"url\(\s*['\"]?\s*http", lowered)
    for node in tree.root.traverse() if tree.root else ():
        assert not any(name.lower().startswith("on") for name in node.attributes), node.tag
        for name in ("src", "srcset", "href", "poster", "data", "action", "formaction"):
            value = node.attributes.get(name) or ""
            assert "127.0.0.1" not in value, (node.tag, name)


def _hits(beacon: SimulatedWeb, since: int) -> list[str]:
    return [request.target for request in beacon.requests[since:]]


def assert_inert_in_chromium(page: Path, beacon: SimulatedWeb) -> None:
    """Opened in Chromium, the page loads nothing from the beacon and runs no script."""
    before = len(beacon.requests)
    dom = render_in_chromium(page)
    assert _hits(beacon, before) == []
    title = dom.css_first("title")
    assert title is not None
    assert "PWNED" not in title.text()


def test_chromium_loads_and_runs_nothing_from_the_copy(
    archived: Path, beacon: SimulatedWeb
) -> None:
    assert_inert_in_chromium(archived, beacon)


def test_without_its_csp_the_copy_is_still_inert(archived: Path, beacon: SimulatedWeb) -> None:
    """The sanitiser holds on its own: the CSP is a second wall, not the only one."""
    bare = archived.with_name("no-csp.html")
    text = archived.read_text(encoding="utf-8")
    bare.write_text(text.replace("Content-Security-Policy", "X-Removed"), encoding="utf-8")
    assert_inert_in_chromium(bare, beacon)


def test_the_payload_page_itself_does_fire(
    hostile: tuple[SimulatedWeb, str], beacon: SimulatedWeb, tmp_path: Path
) -> None:
    """The control: the captured page, opened as it came, hits the beacon, so the tests
    above would see an escape."""
    _, page = hostile
    raw = tmp_path / "raw.html"
    raw.write_text(page, encoding="utf-8")
    before = len(beacon.requests)
    render_in_chromium(raw)
    assert len(_hits(beacon, before)) >= 5


def test_the_check_refuses_what_is_not_inert() -> None:
    banner = Banner("t", "https://example.com/", "2026-01-01T00:00:00Z", 200, "id")
    good = readable_copy("<p>x</p>", "https://example.com/", {}, banner)
    verify_inert(good)
    for bad in (
        good.replace("<p>", '<p onclick="x()">'),
        good.replace("<p>", "<script>x()</script><p>"),
        good.replace("<p>", '<img src="https://evil.example/x.png"><p>'),
        good.replace("<p>", '<p style="background:url(https://evil.example/x)">'),
        good.replace("Content-Security-Policy", "X-Nothing"),
    ):
        with pytest.raises(UnsafeCopy):
            verify_inert(bad)


def test_an_svg_image_is_kept_inside_the_copy_and_never_as_a_document(
    archived: Path, beacon: SimulatedWeb, tmp_path: Path
) -> None:
    """issue 28, item 1: the SVG image is in the copy, as a data: URL of its own bytes in
    an <img> (where its scripts never run); its file in assets/ is named as text, so
    nothing of the snapshot opens it as a document. The control: the same SVG opened by
    itself does beacon."""
    import base64

    tree = LexborHTMLParser(archived.read_text(encoding="utf-8"))
    sources = [img.attributes.get("src") or "" for img in tree.css("img")]
    inline = [s for s in sources if s.startswith("data:image/svg+xml;base64,")]
    assert len(inline) == 1
    drawing = base64.b64decode(inline[0].split(",", 1)[1]).decode()
    assert "<svg" in drawing
    assert "svg-script" in drawing
    assets = archived.parent / "assets"
    assert [p.suffix for p in assets.iterdir() if "svg" in p.name] == [".txt"]
    assert not list(archived.parent.rglob("*.svg"))
    opened = tmp_path / "drawing.svg"
    opened.write_text(drawing, encoding="utf-8")
    before = len(beacon.requests)
    render_in_chromium(opened)
    assert "/svg-script" in _hits(beacon, before)
