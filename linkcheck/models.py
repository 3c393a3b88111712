"""Frozen records that flow through the pipeline (see DESIGN.md §1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class LinkKind(StrEnum):
    """How a link is written in the source."""

    INLINE = "inline"  # [text](url)
    REFERENCE = "reference"  # [text][label] resolved to its definition
    AUTOLINK = "autolink"  # <https://…>
    BARE = "bare"  # a URL in running text (GFM autolink extension)
    IMAGE = "image"  # ![alt](src)
    HTML = "html"  # a URL attribute of an HTML tag


class Scope(StrEnum):
    """Where a link points, which decides how (and whether) it is checked."""

    EXTERNAL = "external"  # http(s) / ftp, fetched over the network
    LOCAL = "local"  # relative or site-absolute path, checked on disk
    FRAGMENT = "fragment"  # "#anchor" in the same document
    MAIL = "mail"  # mailto:
    OTHER = "other"  # javascript:, data:, tel: … never checked


# The reason of a relative link that works from its source file but not from the page the
# generator publishes (a date permalink adds folders); its final_url is the path that works.
BROKEN_UNDER_PERMALINK = "broken-under-permalink"


@dataclass(frozen=True, slots=True)
class Link:
    """One occurrence of a link in a source file.

    ``raw`` is the destination exactly as written (the characters at ``line``:``column``);
    ``url`` is what the syntax means by it: escapes and entities decoded, ``www.`` given
    its scheme. Network-ready normalisation lives in :func:`linkcheck.extract.normalize`.
    """

    file: str
    line: int  # 1-based
    column: int  # 1-based, in Unicode code points
    kind: LinkKind
    scope: Scope
    raw: str
    url: str
    text: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.url)

    def __reduce__(self) -> tuple[type[Link], tuple[object, ...]]:
        # Pickled as its fields: 4x faster than a frozen dataclass's default, which is
        # what an extraction worker's answer costs (extract/parallel.py).
        fields = (self.file, self.line, self.column, self.kind, self.scope, self.raw, self.url)
        return (Link, (*fields, self.text))


@dataclass(frozen=True, slots=True)
class Target:
    """A URL ready to fetch: normalised, unwrapped, fragment split off."""

    url: str
    fragment: str | None = None
    wrapped_in: str | None = None  # the redirector URL it was unwrapped from, if any


# Exchange.error kinds that say "we could not reach the network at all". A refused
# connection or a timeout means something is out there, so they never make a run offline.
OFFLINE_FAILURES = frozenset({"dns-nxdomain", "dns-failure", "network-unreachable"})


class Status(StrEnum):
    """The verdict on one URL. Closed: reports, cache and history rely on these five."""

    ALIVE = "alive"
    REDIRECTED = "redirected"  # works, but the link should be replaced by final_url
    DEAD = "dead"  # positive evidence only: 404/410, NXDOMAIN, a host rule's marker
    UNKNOWN = "unknown"  # we could not see: blocked, rate-limited, timeout, offline …
    EXCLUDED = "excluded"  # not checked, by rule or by the user's choice


@dataclass(frozen=True, slots=True)
class Hop:
    """One response in a redirect chain."""

    url: str
    status: int
    location: str | None = None


@dataclass(frozen=True, slots=True)
class Exchange:
    """What fetching one URL produced: every hop, the final response's head and the first
    bytes of its body, or the error that stopped it."""

    url: str
    hops: tuple[Hop, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # of the final response, names lower-cased
    body: bytes = b""  # decoded, at most the configured classification limit
    error: str | None = None  # an error kind: timeout, tls, dns-nxdomain, … (see fetch.py)
    error_detail: str | None = None
    attempts: int = 1

    @property
    def final_status(self) -> int | None:
        return self.hops[-1].status if self.hops else None

    @property
    def final_url(self) -> str:
        return self.hops[-1].url if self.hops else self.url

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key == lowered), None)


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    reason: str  # machine-readable and stable, e.g. "http-404", "timeout", "wechat-deleted"
    final_url: str | None = None  # where a redirected link should now point
    detail: str | None = None  # one human sentence
    hops: tuple[Hop, ...] = ()
    from_cache: bool = False
    rule: str | None = None  # the host rule that decided, if one did


@dataclass(frozen=True, slots=True)
class UrlHistory:
    url: str
    last_status: Status
    last_checked: float
    last_success: float | None
    first_failure: float | None
    consecutive_failures: int


# (done, total, note): URLs fetched so far, URLs to fetch, the time left and pending hosts.
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class Result:
    link: Link
    target: str | None  # the URL fetched, for external links
    verdict: Verdict
    history: UrlHistory | None = None
    snapshot: str | None = None  # a dead link's newest local snapshot (page.html)
    wayback: str | None = None  # a dead link's newest Wayback Machine capture
    remapped: bool = False  # target is what a --remap made of the link's URL
    acknowledged: bool = False  # dead, and the author has dealt with it (annotated or ack)


@dataclass(frozen=True)
class CheckReport:
    results: tuple[Result, ...]
    offline: bool = False
    fetched: int = 0  # unique URLs a server answered in this run (not those never connected)
    cached: int = 0  # unique URLs answered from the cache
    warnings: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None  # (K, N) when the run checked one shard of N

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.verdict.status is status)


def fails(result: Result, fail_on: tuple[Status, ...], fail_on_acknowledged: bool) -> bool:
    """Whether the result fails the run: its status is one of --fail-on, and it is not a
    dead link the author has acknowledged (unless --fail-on-acknowledged)."""
    if result.verdict.status not in fail_on:
        return False
    return fail_on_acknowledged or not result.acknowledged


def link_record(link: Link) -> dict[str, object]:
    """A link's place and form as the JSON outputs write it (extract's and the report's)."""
    return {
        "file": link.file,
        "line": link.line,
        "column": link.column,
        "kind": link.kind.value,
        "scope": link.scope.value,
        "url": link.raw,
    }


# A record of scalars in a list at depth 1 of a document, laid out as json.dumps(indent=2)
# lays it out there, by the C encoder (which indent turns off): 27,000 records in 0.2 s, not 3 s.
_FLAT_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",\n      ", ": "))


def flat_json(record: dict[str, object]) -> str:
    """One record of a list at depth 1 of a JSON document, indented as indent=2 would."""
    return "    {\n      " + _FLAT_ENCODER.encode(record)[1:-1] + "\n    }"
