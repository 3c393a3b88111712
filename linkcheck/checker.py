"""The engine: links → unique targets → cache → fetch → classify → record (DESIGN.md §1).

Every URL is fetched once per run, however many posts cite it; its verdict is attributed to
every place it occurs. The engine never prints: progress goes to a callback, failures are
data, and run-level errors are exceptions.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from .addresses import is_private_host, url_problem
from .classify import classify
from .config import Config
from .extract.normalize import normalize
from .local import check_local
from .models import Exchange, Link, Scope, Status, Verdict
from .state import State, UrlHistory

Progress = Callable[[int, int], None]
# Failures that say "we could not reach the network at all". A refused connection or a
# timeout means something is out there, so they never make a run offline.
_OFFLINE_FAILURES = frozenset({"dns-nxdomain", "dns-failure", "network-unreachable"})


@dataclass(frozen=True, slots=True)
class Result:
    link: Link
    target: str | None  # the URL fetched, for external links
    verdict: Verdict
    history: UrlHistory | None = None
    snapshot: str | None = None  # a dead link's newest local snapshot (page.html)
    wayback: str | None = None  # a dead link's newest Wayback Machine capture


@dataclass(frozen=True)
class CheckReport:
    results: tuple[Result, ...]
    offline: bool = False
    fetched: int = 0  # unique URLs requested in this run
    cached: int = 0  # unique URLs answered from the cache
    warnings: tuple[str, ...] = ()

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.verdict.status is status)


class Plan:
    """What to do with each link before any request is made."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._exclude = [re.compile(p) for p in config.exclude]
        self._include = [re.compile(p) for p in config.include]
        self._roots = [Path(r) for r in config.root_dir]
        self.wrappers: dict[Link, str | None] = {}  # the wrapper URL a link's target came out of

    def decide(self, link: Link) -> tuple[str | None, Verdict | None]:
        """(target URL to fetch, None) or (None, verdict known without the network)."""
        if link.scope is Scope.MAIL:
            return None, Verdict(Status.EXCLUDED, "mail", detail="e-mail addresses are not checked")
        if link.scope is Scope.OTHER:
            return None, Verdict(Status.EXCLUDED, "scheme", detail="not a web link")
        if link.scope is Scope.FRAGMENT:
            return None, Verdict(Status.EXCLUDED, "fragment", detail="same-page anchor")
        if self._excluded(link.url):
            return None, Verdict(Status.EXCLUDED, "excluded", detail="matches --exclude")
        if link.scope is Scope.LOCAL:
            if link.file == "-":
                return None, Verdict(Status.UNKNOWN, "no-base", detail="read from stdin")
            return None, check_local(link.url, link.file, self._roots)
        target = normalize(link.url)
        if self._excluded(target.url):
            return None, Verdict(Status.EXCLUDED, "excluded", detail="matches --exclude")
        problem = url_problem(target.url)
        if problem is not None:
            return None, Verdict(Status.UNKNOWN, "invalid-url", detail=problem)
        host = urlsplit(target.url).hostname or ""
        if not self._config.include_private and is_private_host(host):
            return None, Verdict(
                Status.EXCLUDED,
                "private-host",
                detail="loopback or private address (--include-private)",
            )
        self.wrappers[link] = target.wrapped_in
        return target.url, None

    def decide_all(self, links: Sequence[Link]) -> list[tuple[Link, str | None, Verdict | None]]:
        """For each link: (link, target to fetch or None, verdict known now or None)."""
        return [(link, *self.decide(link)) for link in links]

    def _excluded(self, url: str) -> bool:
        if not any(p.search(url) for p in self._exclude):
            return False
        return not any(p.search(url) for p in self._include)


async def check(
    links: Sequence[Link],
    config: Config,
    *,
    state: State | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    plan = Plan(config)
    decided = plan.decide_all(links)
    targets = sorted({target for _, target, _ in decided if target is not None})
    verdicts: dict[str, Verdict] = {}
    if state is not None and config.cache:
        verdicts.update(state.cached(targets, max_age=config.max_cache_age))
    cached = len(verdicts)
    to_fetch = [url for url in targets if url not in verdicts]
    if config.offline:
        to_fetch = _within_budget(to_fetch, 0, state, verdicts, why="--offline")
    elif config.budget is not None and len(to_fetch) > config.budget:
        to_fetch = _within_budget(to_fetch, config.budget, state, verdicts)
    exchanges: dict[str, Exchange] = {}
    if not to_fetch:  # a warm cache: no network, and no network stack to import
        return assemble(
            decided,
            verdicts,
            state,
            plan.wrappers,
            offline=False,
            fetched=0,
            cached=cached,
            min_failures=config.min_failures,
        )
    from .fetch import Fetcher, fetch_settings

    fetcher = Fetcher(fetch_settings(config))
    done = 0
    if progress is not None:
        progress(0, len(to_fetch))

    async def fetch_one(url: str) -> None:
        nonlocal done
        exchange = await fetcher.fetch(url)
        if exchange.error in _OFFLINE_FAILURES:  # decided once the run's evidence is in
            exchanges[url] = Exchange(
                url, exchange.hops, error=exchange.error, error_detail=exchange.error_detail
            )
        else:
            verdicts[url] = classify(exchange, names_resolve=False)
            if config.soft_404 and verdicts[url].status is Status.ALIVE:
                verdicts[url] = await _soft_404(exchange, verdicts[url])
            if state is not None:  # committed now: a killed run keeps what it learnt
                state.record(url, verdicts[url], cache=config.cache)
        done += 1
        if progress is not None:
            progress(done, len(to_fetch))

    probes: dict[tuple[str, str], asyncio.Task[Exchange]] = {}

    async def _soft_404(exchange: Exchange, alive: Verdict) -> Verdict:
        """One probe per site folder, shared by every link in it."""
        from .soft404 import judge, probe_url

        if alive.rule is not None or exchange.final_status != 200:
            return alive  # a host rule already read the page
        parts = urlsplit(exchange.final_url)
        key = (parts.netloc, parts.path.rsplit("/", 1)[0])
        if key not in probes:
            probes[key] = asyncio.ensure_future(fetcher.fetch(probe_url(exchange.final_url)))
        return judge(exchange, await probes[key]) or alive

    try:
        await asyncio.gather(*(fetch_one(url) for url in to_fetch))
    finally:
        await fetcher.aclose()
    evidence = fetcher.evidence
    # Offline: nothing connected, no public name resolved, and every fetch failed for want
    # of a network (DESIGN.md §3: inferred from the run's own attempts, never by probing).
    offline = bool(to_fetch) and not evidence.online and len(exchanges) == len(to_fetch)
    for url, exchange in exchanges.items():
        if offline:
            verdicts[url] = Verdict(
                Status.UNKNOWN,
                "offline",
                None,
                "the network is unreachable from here: no host answered "
                f"and no name resolved ({exchange.error})",
            )
        else:
            verdicts[url] = classify(exchange, names_resolve=evidence.public_name_resolved)
            if state is not None:
                state.record(url, verdicts[url], cache=config.cache)
    return assemble(
        decided,
        verdicts,
        state,
        plan.wrappers,
        offline=offline,
        fetched=len(to_fetch),
        cached=cached,
        min_failures=config.min_failures,
    )


def confirmed(verdict: Verdict, history: UrlHistory | None, min_failures: int) -> Verdict:
    """--min-failures: a link is reported dead only after failing that many runs in a row,
    so one bad night on a flaky host opens no issue."""
    if verdict.status is not Status.DEAD or min_failures <= 1:
        return verdict
    streak = history.consecutive_failures if history is not None else 1
    if streak >= min_failures:
        return verdict
    return replace(
        verdict,
        status=Status.UNKNOWN,
        reason="dead-unconfirmed",
        detail=f"{verdict.reason}: failed {streak} run(s) in a row; reported dead "
        f"after {min_failures}",
    )


def _within_budget(
    urls: list[str],
    budget: int,
    state: State | None,
    verdicts: dict[str, Verdict],
    why: str = "--budget",
) -> list[str]:
    """--budget: fetch the URLs checked longest ago (never checked first); the others keep
    their last verdict, however old, or are unknown when they have none yet. --offline is
    a budget of nothing."""
    last = state.last_verdicts(urls) if state is not None else {}
    ordered = sorted(urls, key=lambda url: (url in last, last[url][1] if url in last else 0))
    for url in ordered[budget:]:
        if url in last:
            verdict = last[url][0]
            detail = f"{verdict.detail or verdict.reason} (not re-checked this run: {why})"
            verdicts[url] = replace(verdict, detail=detail)
        else:
            reason = "budget" if why == "--budget" else "not-checked-offline"
            verdicts[url] = Verdict(Status.UNKNOWN, reason, None, f"not checked yet ({why})")
    return ordered[:budget]


def assemble(
    decided: list[tuple[Link, str | None, Verdict | None]],
    verdicts: dict[str, Verdict],
    state: State | None,
    wrappers: dict[Link, str | None],
    *,
    offline: bool,
    fetched: int,
    cached: int,
    min_failures: int = 1,
) -> CheckReport:
    from .rules.wechat import pasted_captcha

    targets = {target for _, target, _ in decided if target is not None}
    histories = state.histories(targets) if state is not None else {}
    results = []
    for link, target, verdict in decided:
        final = verdict if verdict is not None else verdicts[target or ""]
        wrapper = wrappers.get(link)
        if wrapper is not None and target is not None:
            final = pasted_captcha(wrapper, target, final)
        history = histories.get(target or "")
        final = confirmed(final, history, min_failures)
        results.append(Result(link, target, final, history))
    results.sort(key=lambda r: r.link.sort_key)
    return CheckReport(tuple(results), offline, fetched, cached)
