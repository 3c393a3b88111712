"""The HTML report, rendered by a real browser (Debian's Chromium, headless)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import REPO, web_cli_args
from .conftest import render_in_chromium as render

runner = CliRunner()


@pytest.fixture(scope="module")
def reports(simweb: SimulatedWeb, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("html")
    shutil.copytree(REPO / "tests" / "data" / "report-blog", root / "blog")
    shutil.copytree(REPO / "fixtures" / "blog" / "_posts", root / "blog" / "_posts")
    (root / ".git").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        args = ["check", "blog", "--no-cache", *web_cli_args(simweb)]
        html = runner.invoke(app, [*args, "--format", "html", "--output", "report.html"])
        assert html.exit_code == 1, html.stderr
        data = runner.invoke(app, [*args, "--format", "json"])
    return root / "report.html", json.loads(data.stdout)


def test_the_page_is_self_contained(reports: tuple[Path, dict]) -> None:
    source = reports[0].read_text(encoding="utf-8")
    tree = LexborHTMLParser(source)
    assert not [n for n in tree.css("script[src], link[href], img[src], iframe")]
    assert "Content-Security-Policy" in source


def test_it_renders_and_the_numbers_match_the_json_report(reports: tuple[Path, dict]) -> None:
    page, document = reports
    dom = render(page)
    assert dom.css_first("body").attributes.get("data-rendered") == "true"
    summary = {
        card.attributes["data-status"]: int(card.css_first(".count").text())
        for card in dom.css("#summary .card")
    }
    for status in ("dead", "redirected", "unknown", "alive", "excluded"):
        assert summary[status] == document["summary"][status]
    checked = [r for r in document["results"] if r["status"] != "excluded"]
    for chart, key in (("chart-hosts", "host"), ("chart-years", "year")):
        bars = dom.css(f"#{chart} rect.bar")
        assert bars, f"{chart} is drawn"
        for bar in bars:
            name = bar.attributes["data-name"]
            group = [r for r in checked if _key(r, key) == name]
            assert int(bar.attributes["data-dead"]) == sum(r["status"] == "dead" for r in group)
            assert int(bar.attributes["data-total"]) == len(group)
    rows = dom.css("tr.link")
    problems = [r for r in document["results"] if r["status"] in ("dead", "redirected", "unknown")]
    assert len(rows) == len(problems)
    assert Counter(row.attributes["data-status"] for row in rows) == Counter(
        r["status"] for r in problems
    )
    wayback = [a.attributes["href"] for a in dom.css("a.copy")]
    assert (
        "https://web.archive.org/web/20200101000000/https://github.com/no-such/repository"
        in wayback
    )


def test_every_chart_label_and_count_fits_inside_its_chart(reports: tuple[Path, dict]) -> None:
    """The labels (a host, "(local)", a year) and the counts beside the bars, as Chromium
    measures them, lie inside the chart's box: none is cut at either edge."""
    page, _ = reports
    dom = render(page)
    for chart in ("chart-hosts", "chart-years"):
        node = dom.css_first(f"#{chart}")
        width = float(node.attributes["data-width"])
        assert node.attributes["viewBox"].split()[2] == node.attributes["data-width"]
        labels = node.css("text.label")
        values = node.css("text.value")
        assert labels
        assert len(labels) == len(values) == len(node.css("rect.bar"))
        for label in labels:
            assert float(label.attributes["x"]) - float(label.attributes["data-length"]) >= 0
        for value in values:
            end = float(value.attributes["x"]) + float(value.attributes["data-length"])
            assert end <= width
    assert "(local)" in [label.text() for label in dom.css("#chart-hosts text.label")]


def _key(result: dict, key: str) -> str:
    if key == "year":
        from linkcheck.report.html import post_year

        return post_year(result["file"])
    from urllib.parse import urlsplit

    target = result["target"]
    if target is None:
        return "(local)" if result["reason"].startswith(("file-", "page-")) else "(not checked)"
    return urlsplit(target).hostname or "(unknown)"


def test_filters_by_status_and_host(reports: tuple[Path, dict]) -> None:
    page, document = reports
    dom = render(page, "#status=dead&host=github.com")
    visible = [row for row in dom.css("tr.link") if "hidden" not in row.attributes]
    expected = [
        r
        for r in document["results"]
        if r["status"] == "dead" and r["target"] and "://github.com/" in r["target"]
    ]
    assert len(visible) == len(expected) >= 1
    assert all(row.attributes["data-host"] == "github.com" for row in visible)


def test_the_page_data_is_written_a_row_at_a_time_as_one_json_text() -> None:
    """27,000 rows are never held together; joined, the pieces are json.dumps of the whole,
    and a `</script>` in any string cannot end the data's element."""
    from linkcheck.config import Config
    from linkcheck.models import CheckReport, Link, LinkKind, Result, Scope, Status, Verdict
    from linkcheck.report import ReportOptions
    from linkcheck.report.html import HtmlReporter, _data

    hostile = "</script><script>alert(1)</script> 中文"
    results = tuple(
        Result(
            Link("2018-1-2-p.md", i, 1, LinkKind.BARE, Scope.EXTERNAL, hostile, hostile, hostile),
            None,
            Verdict(Status.DEAD, "file-missing", None, hostile),
        )
        for i in range(1, 6)
    )
    report = CheckReport(results)
    pieces = list(_data(report))
    assert len(pieces) == len(results) + 2  # the head, a row each, the end
    text = "".join(pieces)
    assert "</" not in text
    data = json.loads(text.replace("<\\/", "</"))
    assert text == json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    assert [row["detail"] for row in data["results"]] == [hostile] * 5
    options = ReportOptions(fail_on=Config().fail_on, fail_on_acknowledged=False)
    page = "".join(HtmlReporter().render(report, options))
    tree = LexborHTMLParser(page)
    [element] = tree.css("script#linkcheck-data")
    assert json.loads(element.text().replace("<\\/", "</")) == data
    assert len(tree.css("script")) == 2  # the data and the page's own script, no other
