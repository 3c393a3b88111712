"""SARIF 2.1.0 for GitHub code scanning: a rule per reason, a result per problem link."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..models import CheckReport, Result
from ..version import __version__
from .base import ReportOptions, explanation, problems, severity

_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_RESULT_INDENT = " " * 8  # a result's depth in the document: runs[0].results[i]


class SarifReporter:
    def render(self, report: CheckReport, options: ReportOptions) -> Iterator[str]:
        """The document in pieces, each result made as it is written: an offline run of
        27,000 links has as many results, 19 MB of text a run need never hold."""
        found = problems(report)
        reasons = sorted(
            {(r.verdict.status.value, r.verdict.reason) for r in found}, key=lambda pair: pair[1]
        )
        rule_ids = [reason for _, reason in reasons]
        rules = [
            {
                "id": reason,
                "name": reason.replace("-", " ").title().replace(" ", ""),
                "shortDescription": {"text": f"Link {status}: {reason}"},
            }
            for status, reason in reasons
        ]
        document = {
            "$schema": _SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {"name": "linkcheck", "version": __version__, "rules": rules}
                    },
                    "results": [],
                }
            ],
        }
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if not found:
            yield text
            return
        # The results go where json.dumps wrote their empty list (the run's last key), each
        # laid out as it would have laid it out there: eight spaces in.
        head, _, tail = text.rpartition('"results": []')
        yield head + '"results": [\n'
        for index, result in enumerate(found):
            record = json.dumps(_result(result, options, rule_ids), ensure_ascii=False, indent=2)
            yield (
                (",\n" if index else "")
                + _RESULT_INDENT
                + record.replace("\n", "\n" + _RESULT_INDENT)
            )
        yield "\n" + _RESULT_INDENT[:-2] + "]" + tail


def _result(result: Result, options: ReportOptions, rule_ids: list[str]) -> dict[str, object]:
    link, verdict = result.link, result.verdict
    text = f"{verdict.status.value} ({verdict.reason}): {link.raw}"
    text += explanation(result, moved=" now at {}", copy=". {}")
    region = {
        "startLine": link.line,
        "startColumn": link.column,
        "endColumn": link.column + len(link.raw),
    }
    return {
        "ruleId": verdict.reason,
        "ruleIndex": rule_ids.index(verdict.reason),
        "level": severity(result, options),
        "message": {"text": text},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": link.file}, "region": region}}
        ],
    }
