"""What every report format shares: the options, the protocol, counting and wording helpers.

Every format lists results in file, line, column order (never completion order) and says
the same things: what is dead, what moved and where to, what could not be verified and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..domains import hostname_of
from ..models import BROKEN_UNDER_PERMALINK, CheckReport, Result, Status, fails

PROBLEMS = (Status.DEAD, Status.REDIRECTED, Status.UNKNOWN)


@dataclass(frozen=True)
class ReportOptions:
    fail_on: tuple[Status, ...]  # the run's --fail-on (Config holds its default)
    fail_on_acknowledged: bool  # the run's --fail-on-acknowledged
    verbose: bool = False
    quiet: bool = False
    color: bool = False


class Reporter(Protocol):
    def render(self, report: CheckReport, options: ReportOptions) -> str | Iterable[str]:
        """The report's text, whole (the terminal's, which lists problems only) or in
        pieces as they are made: at the real blog's size a report of every link is 27,000
        records, written as they come and never held together."""
        ...


# Verdicts decided from the files of the blog (its site model included), not the network.
_LOCAL_REASONS = ("file-", "page-", "anchor-", "fragment-", BROKEN_UNDER_PERMALINK)


def host_of(result: Result) -> str:
    if result.target is None:
        return "(local)" if result.verdict.reason.startswith(_LOCAL_REASONS) else "(not checked)"
    return hostname_of(result.target) or "(unknown)"


def summary_counts(report: CheckReport) -> Counter[Status]:
    return Counter(result.verdict.status for result in report.results)


def by_host(report: CheckReport) -> list[tuple[str, Counter[Status]]]:
    hosts: dict[str, Counter[Status]] = {}
    for result in report.results:
        host = host_of(result)  # a URL cited many times is parsed once (hostname_of)
        counts = hosts.get(host)
        if counts is None:
            counts = hosts[host] = Counter()
        counts[result.verdict.status] += 1
    return sorted(hosts.items())


def problems(report: CheckReport, statuses: Sequence[Status] = PROBLEMS) -> list[Result]:
    return [r for r in report.results if r.verdict.status in statuses]


def copies(result: Result) -> list[str]:
    """Where a dead link's content survives: our snapshot, the Wayback Machine's capture."""
    found = []
    if result.snapshot:
        found.append(f"snapshot: {result.snapshot}")
    if result.wayback:
        found.append(f"Wayback: {result.wayback}")
    return found


def headline(report: CheckReport) -> str:
    counts = summary_counts(report)
    urls = len({r.target for r in report.results if r.target})
    parts = [
        f"{counts[s]} {s.value}"
        for s in (Status.DEAD, Status.REDIRECTED, Status.UNKNOWN, Status.ALIVE, Status.EXCLUDED)
    ]
    acknowledged = sum(1 for result in report.results if result.acknowledged)
    if acknowledged:
        parts[0] += f" ({acknowledged} acknowledged)"
    links = len(report.results)
    text = (
        f"{links} link{'' if links == 1 else 's'} ({urls} unique URL{'' if urls == 1 else 's'}): "
        + ", ".join(parts)
    )
    if report.offline:
        # Local links are judged offline too, and a missing file is rightly dead.
        text += (
            ". Offline: the network is unreachable, so external links were not checked "
            "(none was declared dead); local links were judged"
        )
    return text


def failing(result: Result, options: ReportOptions) -> bool:
    return fails(result, options.fail_on, options.fail_on_acknowledged)


def severity(result: Result, options: ReportOptions) -> str:
    """error for a result that fails the run, warning for a redirect, note for the rest
    (an acknowledged dead link among them)."""
    if failing(result, options):
        return "error"
    return "warning" if result.verdict.status is Status.REDIRECTED else "note"


def explanation(result: Result, *, moved: str, copy: str) -> str:
    """After the link: where it moved, or why it failed, then its copies, each in the
    reporter's own punctuation (moved and copy are format strings with one {})."""
    verdict = result.verdict
    text = ""
    if verdict.status is Status.REDIRECTED and verdict.final_url:
        text = moved.format(verdict.final_url)
    elif verdict.detail:
        text = f": {verdict.detail}"
    return text + "".join(copy.format(found) for found in copies(result))
