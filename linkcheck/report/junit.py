"""JUnit XML: a test suite per file, a test case per link; --fail-on statuses fail."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from xml.etree import ElementTree as ET

from ..models import CheckReport, Result, Status
from .base import ReportOptions, copies, failing

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


class JUnitReporter:
    def render(self, report: CheckReport, options: ReportOptions) -> Iterator[str]:
        """The document in pieces, a suite (a file) at a time: a test case per link is
        27,000 elements at the real blog's size, never all held at once. The totals the
        root carries are counted first."""
        suites = [list(group) for _, group in groupby(report.results, key=lambda r: r.link.file)]
        if not suites:
            root = ET.Element("testsuites", name="linkcheck", tests="0", failures="0", skipped="0")
            yield _XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"
            return
        failures = sum(1 for result in report.results if failing(result, options))
        skipped = sum(1 for result in report.results if _skipped(result, options))
        yield (
            f'{_XML_DECLARATION}<testsuites name="linkcheck" tests="{len(report.results)}" '
            f'failures="{failures}" skipped="{skipped}">'
        )
        for results in suites:
            suite = _suite(results, options)
            ET.indent(suite, level=1)  # laid out as ET.indent lays out the whole document
            yield "\n  " + ET.tostring(suite, encoding="unicode")
        yield "\n</testsuites>\n"


def _skipped(result: Result, options: ReportOptions) -> bool:
    excluded = result.verdict.status is Status.EXCLUDED or result.acknowledged
    return excluded and not failing(result, options)


def _suite(results: list[Result], options: ReportOptions) -> ET.Element:
    file = results[0].link.file
    suite = ET.Element("testsuite", name=file)
    suite_failures = suite_skipped = 0
    for result in results:
        link, verdict = result.link, result.verdict
        case = ET.SubElement(
            suite,
            "testcase",
            name=link.raw,
            classname=f"{file}:{link.line}:{link.column}",
            file=file,
            line=str(link.line),
        )
        message = f"{verdict.status.value}: {verdict.reason}"
        if result.acknowledged:
            message += " (acknowledged)"
        if failing(result, options):
            suite_failures += 1
            failure = ET.SubElement(case, "failure", message=message, type=verdict.reason)
            failure.text = "\n".join(
                [verdict.detail or verdict.final_url or message, *copies(result)]
            )
        elif _skipped(result, options):
            suite_skipped += 1
            ET.SubElement(case, "skipped", message=message)
        elif verdict.status is not Status.ALIVE:
            out = ET.SubElement(case, "system-out")
            out.text = f"{message} {verdict.detail or verdict.final_url or ''}".strip()
    suite.set("tests", str(len(results)))
    suite.set("failures", str(suite_failures))
    suite.set("skipped", str(suite_skipped))
    return suite
