"""`linkcheck report --merge`: one report from the JSON reports of a run's shards
(`check --shard K/N`), refused unless they are exactly shards 1..N of one N."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeGuard, TypeVar
from urllib.parse import urlsplit

from ..config import MAX_SHARDS, Config
from ..errors import InputError
from ..models import CheckReport, Link, LinkKind, Result, Scope, Status, UrlHistory, Verdict
from ..report.json_report import SCHEMA
from .check import CheckOutcome
from .pipeline import exit_code_for

E = TypeVar("E", bound=Enum)


# Bounds on what one shard's report may hold: far above a real blog's (27,310 links), far
# below what would take the merge's memory (issue 25, item 8).
MAX_REPORT_BYTES = 512 << 20
MAX_RESULTS = 1_000_000
MAX_TEXT = 8192  # a URL, a file name, a reason, a detail
MAX_COUNT = 10**9
_REASON = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def merge_reports(files: Sequence[str], config: Config) -> CheckOutcome:
    """Raises InputError for a file that is not a shard's report, and for a set of shards
    with one missing, repeated, or of another N. Every field is checked for its type and
    bounds before anything is merged: the reports are files a CI run downloaded."""
    if not files:
        raise InputError("--merge needs the JSON reports of the shards")
    documents = [(name, _read(Path(name))) for name in files]
    shards = [(name, _shard(name, document)) for name, document in documents]
    _check_shards(shards)
    now = time.time()
    results = [
        _result(record, f"{name}: result {number}", now)
        for name, document in documents
        for number, record in enumerate(document["results"], start=1)
    ]
    results.sort(key=lambda result: result.link.sort_key)
    summaries = [(name, document["summary"]) for name, document in documents]
    report = CheckReport(
        tuple(results),
        offline=any(_flag(summary, "offline", f"{name}: summary") for name, summary in summaries),
        fetched=sum(_count(summary, "fetched", f"{name}: summary") for name, summary in summaries),
        cached=sum(_count(summary, "cached", f"{name}: summary") for name, summary in summaries),
        warnings=tuple(
            f"shard {index}: {warning}"
            for (name, document), (_, (index, _)) in zip(documents, shards, strict=True)
            for warning in _warnings(document, name)
        ),
    )
    return CheckOutcome(report, exit_code_for(report, config))


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise InputError(f"{path}: larger than {MAX_REPORT_BYTES >> 20} MiB: not a report")
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise InputError(f"{path}: not a JSON report: {error}") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise InputError(f"{path}: not a linkcheck JSON report (schema {SCHEMA})")
    results = document.get("results")
    if not isinstance(results, list) or not isinstance(document.get("summary"), dict):
        raise InputError(f"{path}: a {SCHEMA} report without its results or summary")
    if len(results) > MAX_RESULTS:
        raise InputError(f"{path}: more than {MAX_RESULTS:,} results: not a shard's report")
    return document


def _shard(name: str, document: dict[str, Any]) -> tuple[int, int]:
    shard = document.get("shard")
    if not isinstance(shard, dict):
        raise InputError(f"{name}: not a shard's report (it was checked without --shard)")
    index, count = shard.get("index"), shard.get("count")
    if not _is_int(index) or not _is_int(count) or not 1 <= index <= count <= MAX_SHARDS:
        raise InputError(f"{name}: its shard {shard!r} is not K of N (N at most {MAX_SHARDS:,})")
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


# --- the fields of a report, each read for its type and bounds ----------------------------


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _flag(table: dict[str, Any], key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise InputError(f"{where}: {key} must be true or false, not {value!r:.40}")
    return value


def _count(table: dict[str, Any], key: str, where: str, *, least: int = 0) -> int:
    value = table.get(key, least)
    if not _is_int(value) or not least <= value <= MAX_COUNT:
        raise InputError(f"{where}: {key} must be a whole number from {least}, not {value!r:.40}")
    return value


def _text(table: dict[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT or (required and not value):
        raise InputError(f"{where}: {key} must be text of at most {MAX_TEXT:,} characters")
    return value


def _web_url(table: dict[str, Any], key: str, where: str) -> str | None:
    """An http(s) URL, or None: what a report may point a reader or `fix` at."""
    value = _text(table, key, where)
    if value is not None and not value.lower().startswith(("http://", "https://")):
        raise InputError(f"{where}: {key} must be an http(s) URL, not {value!r:.60}")
    return value


def _snapshot(table: dict[str, Any], where: str) -> str | None:
    """A local snapshot's path (a file path, never a URL with a scheme such as javascript:;
    a one-letter scheme is a Windows drive)."""
    value = _text(table, "snapshot", where)
    if value is not None and len(_scheme(value)) > 1:
        raise InputError(f"{where}: snapshot must be a file path, not {value!r:.60}")
    return value


def _scheme(value: str) -> str:
    try:
        return urlsplit(value.strip()).scheme
    except ValueError:
        return "?invalid"


def _choice(table: dict[str, Any], key: str, where: str, kind: type[E]) -> E:
    value = table.get(key)
    try:
        return kind(value)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise InputError(f"{where}: {key} must be one of {known}, not {value!r:.40}") from None


def _warnings(document: dict[str, Any], name: str) -> list[str]:
    warnings = document.get("warnings", [])
    if not isinstance(warnings, list) or not all(
        isinstance(w, str) and len(w) <= MAX_TEXT for w in warnings
    ):
        raise InputError(f"{name}: warnings must be a list of texts")
    return warnings


def _result(record: object, where: str, now: float) -> Result:
    if not isinstance(record, dict):
        raise InputError(f"{where}: not a result")
    target = _text(record, "target", where)
    scope = (
        _choice(record, "scope", where, Scope)
        if record.get("scope") is not None
        else (Scope.EXTERNAL if target else Scope.LOCAL)
    )
    url = _text(record, "url", where, required=True)
    assert url is not None
    link = Link(
        _text(record, "file", where, required=True) or "",
        _count(record, "line", where, least=1),
        _count(record, "column", where, least=1),
        _choice(record, "kind", where, LinkKind),
        scope,
        url,
        url,
        _text(record, "text", where),
    )
    status = _choice(record, "status", where, Status)
    reason = _text(record, "reason", where, required=True) or ""
    if not _REASON.fullmatch(reason):
        raise InputError(f"{where}: reason must be lower-case letters, digits and -")
    verdict = Verdict(
        status,
        reason,
        _web_url(record, "final_url", where)
        if scope is Scope.EXTERNAL
        else _text(record, "final_url", where),
        _text(record, "detail", where),
        from_cache=_flag(record, "from_cache", where),
        rule=_text(record, "rule", where),
    )
    streak = _count(record, "consecutive_failures", where)
    since = _timestamp(record, "failing_since", where, now)
    history = (
        UrlHistory(target, status, 0.0, None, since, streak)
        if target and (streak or since)
        else None
    )
    return Result(
        link,
        target,
        verdict,
        history,
        _snapshot(record, where),
        _web_url(record, "wayback", where),
        remapped=_flag(record, "remapped", where),
        acknowledged=_flag(record, "acknowledged", where),
    )


def _timestamp(table: dict[str, Any], key: str, where: str, now: float) -> float | None:
    """An ISO date, no later than now (a date in the future would outlive every streak)."""
    value = _text(table, key, where)
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(value).timestamp()
    except (ValueError, OverflowError, OSError):
        raise InputError(f"{where}: {key} must be an ISO date, not {value!r:.40}") from None
    return min(stamp, now)
