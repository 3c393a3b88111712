"""JUnit XML: a test suite per file, a test case per link; --fail-on statuses fail."""

from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree as ET

from ..models import CheckReport, Status
from .base import ReportOptions, copies, failing


class JUnitReporter:
    def render(self, report: CheckReport, options: ReportOptions) -> str:
        root = ET.Element("testsuites", name="linkcheck")
        total = failures = skipped = 0
        for file, group in groupby(report.results, key=lambda r: r.link.file):
            results = list(group)
            suite = ET.SubElement(root, "testsuite", name=file)
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
                elif verdict.status is Status.EXCLUDED or result.acknowledged:
                    suite_skipped += 1
                    ET.SubElement(case, "skipped", message=message)
                elif verdict.status is not Status.ALIVE:
                    out = ET.SubElement(case, "system-out")
                    out.text = f"{message} {verdict.detail or verdict.final_url or ''}".strip()
            suite.set("tests", str(len(results)))
            suite.set("failures", str(suite_failures))
            suite.set("skipped", str(suite_skipped))
            total += len(results)
            failures += suite_failures
            skipped += suite_skipped
        root.set("tests", str(total))
        root.set("failures", str(failures))
        root.set("skipped", str(skipped))
        ET.indent(root)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(root, encoding="unicode")
            + "\n"
        )
