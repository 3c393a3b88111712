"""`linkcheck report --merge`: one report from the JSON reports of a run's shards
(`check --shard K/N`), refused unless they are exactly shards 1..N of one N."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import InputError
from ..models import CheckReport, Link, LinkKind, Result, Scope, Status, UrlHistory, Verdict
from ..report.json_report import SCHEMA
from .check import CheckOutcome
from .pipeline import exit_code_for


def merge_reports(files: Sequence[str], config: Config) -> CheckOutcome:
    """Raises InputError for a file that is not a shard's report, and for a set of shards
    with one missing, repeated, or of another N."""
    if not files:
        raise InputError("--merge needs the JSON reports of the shards")
    documents = [(name, _read(Path(name))) for name in files]
    _check_shards([(name, _shard(name, document)) for name, document in documents])
    results = [
        _result(record, name) for name, document in documents for record in document["results"]
    ]
    results.sort(key=lambda result: result.link.sort_key)
    summaries = [document["summary"] for _, document in documents]
    report = CheckReport(
        tuple(results),
        offline=any(bool(summary.get("offline")) for summary in summaries),
        fetched=sum(int(summary.get("fetched", 0)) for summary in summaries),
        cached=sum(int(summary.get("cached", 0)) for summary in summaries),
        warnings=tuple(
            f"shard {_shard(name, document)[0]}: {warning}"
            for name, document in documents
            for warning in document.get("warnings", [])
        ),
    )
    return CheckOutcome(report, exit_code_for(report, config))


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not a JSON report: {error}") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise InputError(f"{path}: not a linkcheck JSON report (schema {SCHEMA})")
    if not isinstance(document.get("results"), list) or not isinstance(
        document.get("summary"), dict
    ):
        raise InputError(f"{path}: a {SCHEMA} report without its results or summary")
    return document


def _shard(name: str, document: dict[str, Any]) -> tuple[int, int]:
    shard = document.get("shard")
    if not isinstance(shard, dict):
        raise InputError(f"{name}: not a shard's report (it was checked without --shard)")
    index, count = shard.get("index"), shard.get("count")
    if not isinstance(index, int) or not isinstance(count, int) or not 1 <= index <= count:
        raise InputError(f"{name}: its shard {shard!r} is not K of N")
    return index, count


def _check_shards(shards: list[tuple[str, tuple[int, int]]]) -> None:
    counts = {count for _, (_, count) in shards}
    if len(counts) > 1:
        said = ", ".join(f"{name} is {index}/{count}" for name, (index, count) in shards)
        raise InputError(f"the reports come from different shardings: {said}")
    count = counts.pop()
    seen: dict[int, str] = {}
    for name, (index, _) in shards:
        if index in seen:
            raise InputError(f"shard {index}/{count} given twice: {seen[index]} and {name}")
        seen[index] = name
    missing = sorted(set(range(1, count + 1)) - set(seen))
    if missing:
        raise InputError(
            f"shard{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} of {count} "
            f"missing (given: {', '.join(map(str, sorted(seen)))}): a merged report would "
            "leave their links out"
        )


def _result(record: dict[str, Any], name: str) -> Result:
    try:
        target = record["target"]
        link = Link(
            record["file"],
            int(record["line"]),
            int(record["column"]),
            LinkKind(record["kind"]),
            Scope(record.get("scope") or (Scope.EXTERNAL if target else Scope.LOCAL)),
            record["url"],
            record["url"],
            record.get("text"),
        )
        status = Status(record["status"])
        verdict = Verdict(
            status,
            record["reason"],
            record.get("final_url"),
            record.get("detail"),
            from_cache=bool(record.get("from_cache")),
            rule=record.get("rule"),
        )
        streak = int(record.get("consecutive_failures") or 0)
        since = record.get("failing_since")
        history = (
            UrlHistory(
                target,
                status,
                0.0,
                None,
                datetime.fromisoformat(since).timestamp() if since else None,
                streak,
            )
            if target and (streak or since)
            else None
        )
        return Result(
            link,
            target,
            verdict,
            history,
            record.get("snapshot"),
            record.get("wayback"),
            remapped=bool(record.get("remapped")),
            acknowledged=bool(record.get("acknowledged")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"{name}: a result that does not read: {error!r}") from None
