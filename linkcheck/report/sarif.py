"""SARIF 2.1.0 for GitHub code scanning: a rule per reason, a result per problem link."""

from __future__ import annotations

import json

from ..models import CheckReport, Result
from ..version import __version__
from .base import ReportOptions, explanation, problems, severity

_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


class SarifReporter:
    def render(self, report: CheckReport, options: ReportOptions) -> str:
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
        results = [_result(result, options, rule_ids) for result in found]
        document = {
            "$schema": _SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {"name": "linkcheck", "version": __version__, "rules": rules}
                    },
                    "results": results,
                }
            ],
        }
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


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
