"""The plan: what to do with each link before any request is made (DESIGN.md §1): the
URL to fetch (normalised, wrappers unwrapped, each cited URL planned once), or the verdict
known without the network (excluded, mail, local files, private addresses, invalid URLs)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..domains import hostname_of
from ..extract.normalize import normalize
from ..fetch.addresses import is_private_host, url_problem
from ..models import Link, Scope, Status, Verdict
from ..patterns import compile_pattern
from ..site import Sites
from ..site.decide import own_domain_verdict, site_verdict
from .local import check_local


@dataclass(frozen=True, slots=True)
class _External:
    """What the plan decided for one external URL, however often it is cited."""

    target: str | None  # the URL to fetch
    verdict: Verdict | None  # or the verdict known without the network
    wrapped_in: str | None = None  # the wrapper URL the target came out of
    remapped: bool = False  # the target is what a --remap made of the URL


class Plan:
    """What to do with each link before any request is made."""

    def __init__(self, config: Config, *, ignored: frozenset[Link] = frozenset()) -> None:
        self._config = config
        self._ignored = ignored  # turned off by a disable comment in their source
        self._exclude = [
            *((compile_pattern(p, where="exclude"), "matches --exclude") for p in config.exclude),
            *(
                (compile_pattern(p, where=".linkcheckignore"), "matches .linkcheckignore")
                for p in config.linkcheckignore
            ),
        ]
        self._include = [compile_pattern(p, where="include") for p in config.include]
        self._remap = [
            (compile_pattern(p, where="remap"), replacement) for p, replacement in config.remap
        ]
        self._roots = [Path(r) for r in config.root_dir]
        self.sites = Sites(tuple(self._roots), config.slug_dialect, config.base_url)
        self.wrappers: dict[Link, str | None] = {}  # the wrapper URL a link's target came out of
        self.remapped: set[Link] = set()  # links checked at the URL a --remap made of theirs
        self._external: dict[str, _External] = {}

    def decide(self, link: Link) -> tuple[str | None, Verdict | None]:
        """(target URL to fetch, None) or (None, verdict known without the network)."""
        if link in self._ignored:
            return None, Verdict(
                Status.EXCLUDED, "inline-ignore", detail="turned off by a disable comment"
            )
        if link.scope is Scope.MAIL:
            return None, Verdict(Status.EXCLUDED, "mail", detail="e-mail addresses are not checked")
        if link.scope is Scope.OTHER:
            return None, Verdict(Status.EXCLUDED, "scheme", detail="not a web link")
        if link.scope is Scope.FRAGMENT:
            in_page = site_verdict(link.url, link.file, self.sites) if link.file != "-" else None
            return None, in_page or Verdict(Status.EXCLUDED, "fragment", detail="same-page anchor")
        excluded = self._excluded(link.url)
        if excluded is not None:
            return None, Verdict(Status.EXCLUDED, "excluded", detail=excluded)
        if link.scope is Scope.LOCAL:
            if link.file == "-":
                return None, Verdict(Status.UNKNOWN, "no-base", detail="read from stdin")
            decided_in_site = site_verdict(link.url, link.file, self.sites)
            return None, decided_in_site or check_local(link.url, link.file, self._roots)
        own = own_domain_verdict(link.url, link.file, self.sites) if link.file != "-" else None
        if own is not None:  # the blog's own domain: decided from its sources
            return None, own
        decided = self._external.get(link.url)
        if decided is None:  # a URL cited many times is planned once
            decided = self._external[link.url] = self._decide_external(link.url)
        if decided.wrapped_in is not None:
            self.wrappers[link] = decided.wrapped_in
        if decided.remapped:
            self.remapped.add(link)
        return decided.target, decided.verdict

    def _decide_external(self, url: str) -> _External:
        target = normalize(url)
        excluded = self._excluded(target.url)
        if excluded is not None:
            return _External(None, Verdict(Status.EXCLUDED, "excluded", detail=excluded))
        checked = self._remapped(target.url)
        remapped = checked != target.url
        problem = url_problem(checked)
        if problem is not None:
            invalid = Verdict(Status.UNKNOWN, "invalid-url", detail=problem)
            return _External(None, invalid, remapped=remapped)
        host = hostname_of(checked) or ""
        if not self._config.include_private and is_private_host(host):
            private = Verdict(
                Status.EXCLUDED,
                "private-host",
                detail="loopback or private address (--include-private)",
            )
            return _External(None, private, remapped=remapped)
        return _External(checked, None, target.wrapped_in, remapped)

    def _remapped(self, url: str) -> str:
        """--remap: the first pattern that matches rewrites the URL (normalised again)."""
        for pattern, replacement in self._remap:
            if pattern.search(url):
                return normalize(pattern.sub(replacement, url)).url
        return url

    def decide_all(self, links: Sequence[Link]) -> list[tuple[Link, str | None, Verdict | None]]:
        """For each link: (link, target to fetch or None, verdict known now or None)."""
        return [(link, *self.decide(link)) for link in links]

    def _excluded(self, url: str) -> str | None:
        """Why url is excluded (--exclude or .linkcheckignore, unless --include), or None."""
        why = next((why for pattern, why in self._exclude if pattern.search(url)), None)
        if why is None or any(p.search(url) for p in self._include):
            return None
        return why


def shard_of(url: str, count: int) -> int:
    """Which of count shards (1..count) checks url: a stable hash of the normalised URL, so
    the same URL lands in the same shard in every run, whoever cites it, in any order."""
    digest = hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count + 1


def in_shard(
    decided: list[tuple[Link, str | None, Verdict | None]], shard: tuple[int, int]
) -> list[tuple[Link, str | None, Verdict | None]]:
    """The links shard (K, N) reports: those whose URL falls in it; the links decided
    without the network (local files, fragments, exclusions) go to shard 1 alone."""
    index, count = shard
    return [
        entry
        for entry in decided
        if (entry[1] is None and index == 1)
        or (entry[1] is not None and shard_of(entry[1], count) == index)
    ]
