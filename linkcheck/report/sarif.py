"""SARIF 2.1.0 for GitHub code scanning: a rule per reason, a result per problem link."""

from __future__ import annotations

import json

from ..models import CheckReport, Status
from ..version import __version__
from .base import ReportOptions, copies, problems

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
        results = []
        for result in found:
            link, verdict = result.link, result.verdict
            level = (
                "error"
                if verdict.status in options.fail_on
                else ("warning" if verdict.status is Status.REDIRECTED else "note")
            )
            text = f"{verdict.status.value} ({verdict.reason}): {link.raw}"
            if verdict.final_url and verdict.status is Status.REDIRECTED:
                text += f" now at {verdict.final_url}"
            elif verdict.detail:
                text += f": {verdict.detail}"
            for copy in copies(result):
                text += f". {copy}"
            results.append(
                {
                    "ruleId": verdict.reason,
                    "ruleIndex": rule_ids.index(verdict.reason),
                    "level": level,
                    "message": {"text": text},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": link.file},
                                "region": {
                                    "startLine": link.line,
                                    "startColumn": link.column,
                                    "endColumn": link.column + len(link.raw),
                                },
                            }
                        }
                    ],
                }
            )
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
