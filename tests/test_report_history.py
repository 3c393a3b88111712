"""`linkcheck report`, --min-failures and --budget, over several runs on one state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import check_post

runner = CliRunner()
URLS = [f"https://history.test/{name}" for name in ("fails-once", "fails-always", "recovers")]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "post.md").write_text("\n\n".join(URLS) + "\n", encoding="utf-8")
    return tmp_path


def check(web: SimulatedWeb, *args: str) -> dict[str, dict[str, object]]:
    result = check_post(web, *args)
    assert result.exit_code in (0, 1), result.stderr
    return {r["url"]: r for r in json.loads(result.stdout)["results"]}


def report(*args: str) -> dict[str, dict[str, object]]:
    result = runner.invoke(app, ["report", "post.md", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.stderr
    return {r["url"]: r for r in json.loads(result.stdout)["results"]}


def test_report_after_three_runs(simweb: SimulatedWeb, project: Path) -> None:
    streaks = []
    for _ in range(3):
        streaks.append({url: r["consecutive_failures"] for url, r in check(simweb).items()})
    assert streaks == [
        {URLS[0]: 1, URLS[1]: 1, URLS[2]: 1},
        {URLS[0]: 0, URLS[1]: 2, URLS[2]: 2},
        {URLS[0]: 0, URLS[1]: 3, URLS[2]: 0},
    ]
    before = len(simweb.requests)
    rendered = report()
    assert len(simweb.requests) == before  # the report asks nobody
    once, always, recovered = (rendered[url] for url in URLS)
    assert (once["status"], once["consecutive_failures"]) == ("alive", 0)
    assert (always["status"], always["reason"], always["consecutive_failures"]) == (
        "dead",
        "http-404",
        3,
    )
    assert always["failing_since"] is not None
    assert (recovered["status"], recovered["failing_since"]) == ("alive", None)
    markdown = runner.invoke(app, ["report", "post.md", "--format", "markdown"]).stdout
    assert "failing 3 runs in a row" in markdown
    assert "fails-once" not in markdown  # alive now: not in the issue body


def test_min_failures_keeps_a_flaky_link_from_being_dead(
    simweb: SimulatedWeb, project: Path
) -> None:
    # Status sequences are shared by the module's server: use the links that never change.
    gone, fine = URLS[1], "https://history.test/ok"
    (project / "post.md").write_text(f"{gone}\n\n{fine}\n", encoding="utf-8")
    first = check(simweb, "--min-failures", "2")
    assert (first[gone]["status"], first[gone]["reason"]) == ("unknown", "dead-unconfirmed")
    assert first[fine]["status"] == "alive"
    second = check(simweb, "--min-failures", "2")
    assert (second[gone]["status"], second[gone]["reason"]) == ("dead", "http-404")
    assert report("--min-failures", "3")[gone]["reason"] == "dead-unconfirmed"


def test_budget_checks_the_stalest_urls_first(simweb: SimulatedWeb, project: Path) -> None:
    (project / "post.md").write_text(
        "\n\n".join(f"https://history.test/ok?n={i}" for i in range(5)) + "\n", encoding="utf-8"
    )
    before = len(simweb.requests)
    first = check(simweb, "--budget", "2")
    assert len(simweb.requests) - before == 2
    assert sorted(r["reason"] for r in first.values()) == ["budget"] * 3 + ["http-200"] * 2
    second = check(simweb, "--budget", "3")
    fetched_now = {r.target for r in simweb.requests[before + 2 :]}
    fetched_first = {r.target for r in simweb.requests[before : before + 2]}
    assert not fetched_now & fetched_first  # never-checked URLs went first
    assert {r["status"] for r in second.values()} == {"alive"}


def test_report_without_history_is_a_clear_error(project: Path) -> None:
    result = runner.invoke(app, ["report", "post.md"])
    assert result.exit_code == 2
    assert "run `linkcheck check` first" in result.stderr


def test_offline_mode_asks_nobody(simweb: SimulatedWeb, project: Path) -> None:
    (project / "post.md").write_text(
        "https://history.test/ok?offline=1\n\nhttps://history.test/ok?offline=2\n", encoding="utf-8"
    )
    check(simweb, "--budget", "1")
    before = len(simweb.requests)
    offline = check(simweb, "--offline")
    assert len(simweb.requests) == before
    reasons = sorted(r["reason"] for r in offline.values())
    assert reasons == ["http-200", "not-checked-offline"]
    known = next(r for r in offline.values() if r["reason"] == "http-200")
    assert known["status"] == "alive"
    assert "--offline" in str(known["detail"])


def test_the_json_report_makes_each_record_as_it_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """27,000 records are never held at once: the report is pieces, each made when asked."""
    from linkcheck.config import Config
    from linkcheck.models import CheckReport, Link, LinkKind, Result, Scope, Status, Verdict
    from linkcheck.report import ReportOptions, json_report

    made: list[int] = []
    record = json_report._record

    def counted(result: Result) -> dict[str, object]:
        made.append(result.link.line)
        return record(result)

    monkeypatch.setattr(json_report, "_record", counted)
    results = tuple(
        Result(
            Link("p.md", i, 1, LinkKind.BARE, Scope.EXTERNAL, "u", f"https://x.test/{i}", "t"),
            f"https://x.test/{i}",
            Verdict(Status.ALIVE, "http-200", None, None),
        )
        for i in range(1, 101)
    )
    options = ReportOptions(fail_on=Config().fail_on, fail_on_acknowledged=False)
    pieces = iter(json_report.JsonReporter().render(CheckReport(results), options))
    next(pieces)  # the head
    next(pieces)  # the results' opening bracket
    first = next(pieces)
    assert made == [1]
    assert '"line": 1,' in first
    rest = list(pieces)
    assert made == list(range(1, 101))
    assert len(rest) == 99 + 2  # the other records, the closing bracket, the warnings


def test_the_sarif_report_in_pieces_is_laid_out_exactly_as_json_dumps_would() -> None:
    """Its results are made one by one, each placed where json.dumps would have put it."""
    import json as json_module

    from linkcheck.config import Config
    from linkcheck.models import CheckReport, Link, LinkKind, Result, Scope, Status, Verdict
    from linkcheck.report import ReportOptions
    from linkcheck.report.sarif import SarifReporter

    odd = 'quote " back\\slash\nnew line\t tab 中文 💩 \u2028 "results": []'
    statuses = (Status.DEAD, Status.ALIVE, Status.UNKNOWN, Status.REDIRECTED)
    results = tuple(
        Result(
            Link("p.md", i, 1, LinkKind.BARE, Scope.EXTERNAL, odd, f"https://x.test/{i}", odd),
            f"https://x.test/{i}",
            Verdict(statuses[i % 4], f"reason-{i % 3}", "https://moved.test/", odd),
        )
        for i in range(1, 30)
    )
    options = ReportOptions(fail_on=Config().fail_on, fail_on_acknowledged=False)
    for report, count in ((CheckReport(results), 21), (CheckReport(()), 0)):
        pieces = list(SarifReporter().render(report, options))
        text = "".join(pieces)
        document = json_module.loads(text)
        assert text == json_module.dumps(document, ensure_ascii=False, indent=2) + "\n"
        assert len(document["runs"][0]["results"]) == count
        assert len(pieces) == (count + 2 if count else 1)  # head, each result, tail


def test_the_junit_report_in_pieces_is_laid_out_as_elementtree_lays_out_the_whole() -> None:
    """A suite (a file) at a time, totals first; the text ET.indent gives the whole tree."""
    from xml.etree import ElementTree as ET

    from linkcheck.config import Config
    from linkcheck.models import CheckReport, Link, LinkKind, Result, Scope, Status, Verdict
    from linkcheck.report import ReportOptions
    from linkcheck.report.junit import JUnitReporter

    odd = 'quote " <b>&amp;</b>\nnew line\t 中文 💩'
    statuses = (Status.DEAD, Status.ALIVE, Status.UNKNOWN, Status.EXCLUDED)
    results = tuple(
        Result(
            Link(
                f"p{i // 10}.md",
                i,
                1,
                LinkKind.BARE,
                Scope.EXTERNAL,
                odd,
                f"https://x.test/{i}",
                odd,
            ),
            f"https://x.test/{i}",
            Verdict(statuses[i % 4], "reason", None, odd),
            acknowledged=i == 8,  # dead, and acknowledged: skipped, not failed
        )
        for i in range(1, 30)
    )
    options = ReportOptions(fail_on=Config().fail_on, fail_on_acknowledged=False)
    for report, suites in ((CheckReport(results), 3), (CheckReport(()), 0)):
        pieces = list(JUnitReporter().render(report, options))
        text = "".join(pieces)
        declaration, _, body = text.partition("\n")
        assert declaration == '<?xml version="1.0" encoding="UTF-8"?>'
        root = ET.fromstring(body)
        ET.indent(root)
        assert body == ET.tostring(root, encoding="unicode") + "\n"
        assert len(root) == suites
        assert len(pieces) == (suites + 2 if suites else 1)  # head, each suite, the end
        if suites:
            assert root.get("tests") == "29"
            dead = sum(1 for r in results if r.verdict.status is Status.DEAD)
            assert root.get("failures") == str(dead - 1)
            assert int(root.get("skipped") or 0) == sum(
                1 for s in root for case in s if case.find("skipped") is not None
            )


def test_the_markdown_and_github_reports_in_pieces_read_as_whole_texts() -> None:
    """Line by line as they are made, and the same text as when they were made whole."""
    from linkcheck.config import Config
    from linkcheck.models import CheckReport, Link, LinkKind, Result, Scope, Status, Verdict
    from linkcheck.report import ReportOptions
    from linkcheck.report.github import GitHubReporter
    from linkcheck.report.markdown import MarkdownReporter

    def result(line: int, status: Status) -> Result:
        url = f"https://x.test/{line}"
        link = Link("p.md", line, 1, LinkKind.BARE, Scope.EXTERNAL, url, url, "t")
        return Result(link, url, Verdict(status, "http-404", None, "gone"))

    options = ReportOptions(fail_on=Config().fail_on, fail_on_acknowledged=False)
    alive = CheckReport((result(1, Status.ALIVE),))
    assert "".join(MarkdownReporter().render(alive, options)) == (
        "## linkcheck report\n\n"
        "1 link (1 unique URL): 0 dead, 0 redirected, 0 unknown, 1 alive, 0 excluded.\n\n"
        "Every link checked is alive.\n"
    )
    mixed = CheckReport((result(1, Status.DEAD), result(2, Status.ALIVE), result(3, Status.DEAD)))
    pieces = list(MarkdownReporter().render(mixed, options))
    assert "".join(pieces) == (
        "## linkcheck report\n\n"
        "3 links (3 unique URLs): 2 dead, 0 redirected, 0 unknown, 1 alive, 0 excluded.\n\n"
        "### Dead links (2)\n\n"
        "| Post | Line | Link | Why |\n"
        "| --- | --- | --- | --- |\n"
        "| `p.md` | 1:1 | <https://x.test/1> | `http-404`: gone |\n"
        "| `p.md` | 3:1 | <https://x.test/3> | `http-404`: gone |\n"
    )
    assert len(pieces) == 5  # the head, the section's head, a row each, the section's end
    lines = list(GitHubReporter().render(mixed, options))
    assert len(lines) == 3
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
    assert lines[0].startswith("::error file=p.md,line=1,col=1,")


def test_the_json_report_is_laid_out_exactly_as_json_dumps_would() -> None:
    """The report writes its records with the C encoder; the text must not change."""
    import json as json_module

    from linkcheck.config import Config
    from linkcheck.models import CheckReport, Link, LinkKind, Result, Scope, Status, Verdict
    from linkcheck.report import ReportOptions
    from linkcheck.report.json_report import JsonReporter

    odd = 'quote " back\\slash\nnew line\t tab 中文 💩 \u2028'
    results = tuple(
        Result(
            Link("p.md", i, 1, LinkKind.BARE, Scope.EXTERNAL, odd, f"https://x.test/{i}", odd),
            f"https://x.test/{i}",
            Verdict(Status.DEAD if i % 2 else Status.ALIVE, "http-404", None, odd),
        )
        for i in range(1, 50)
    )
    for report in (CheckReport(results, warnings=(odd,)), CheckReport(())):
        text = "".join(
            JsonReporter().render(
                report, ReportOptions(fail_on=Config().fail_on, fail_on_acknowledged=False)
            )
        )
        document = json_module.loads(text)
        assert text == json_module.dumps(document, ensure_ascii=False, indent=2) + "\n"
