"""JSON: every result, versioned schema `linkcheck.report/1`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

from ..models import CheckReport, Result, Status, flat_json, link_record
from .base import ReportOptions, by_host, summary_counts

SCHEMA = "linkcheck.report/1"


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _record(result: Result) -> dict[str, object]:
    link, verdict, history = result.link, result.verdict, result.history
    return {
        **link_record(link),
        "target": result.target,
        "remapped": result.remapped,
        "text": link.text,
        "status": verdict.status.value,
        "reason": verdict.reason,
        "final_url": verdict.final_url,
        "detail": verdict.detail,
        "rule": verdict.rule,
        "snapshot": result.snapshot,
        "wayback": result.wayback,
        "from_cache": verdict.from_cache,
        "acknowledged": result.acknowledged,
        "failing_since": _iso(history.first_failure) if history else None,
        "consecutive_failures": history.consecutive_failures if history else 0,
    }


class JsonReporter:
    def render(self, report: CheckReport, options: ReportOptions) -> Iterator[str]:
        """The report in pieces, each result's record made as it is written: at 27,000
        results the whole text is tens of MB, which a run need never hold (nor its list
        of parts, nor its encoding)."""
        counts = summary_counts(report)
        shard = report.shard
        head = {
            "schema": SCHEMA,
            "shard": {"index": shard[0], "count": shard[1]} if shard else None,
            "summary": {
                "links": len(report.results),
                "urls": len({r.target for r in report.results if r.target}),
                "fetched": report.fetched,
                "cached": report.cached,
                "offline": report.offline,
                "acknowledged": sum(1 for r in report.results if r.acknowledged),
                **{status.value: counts[status] for status in Status},
            },
            "hosts": [
                {"host": host, **{status.value: c[status] for status in Status}}
                for host, c in by_host(report)
            ],
        }
        yield json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "results": '
        if report.results:
            yield "[\n"
            for index, result in enumerate(report.results):
                yield (",\n" if index else "") + flat_json(_record(result))
            yield "\n  ]"
        else:
            yield "[]"
        yield ',\n  "warnings": ' + _nested(list(report.warnings)) + "\n}\n"


def _nested(value: object) -> str:
    """value as json.dumps(indent=2) writes it one level down."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
