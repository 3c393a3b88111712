"""The engine: links → unique targets → cache → fetch → classify → record (DESIGN.md §1).

Every URL is fetched once per run, however many posts cite it; its verdict is attributed to
every place it occurs. The engine never prints: progress goes to a callback, failures are
data, and run-level errors are exceptions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..config import Config
from ..models import (
    OFFLINE_FAILURES,
    CheckReport,
    Exchange,
    Link,
    Progress,
    Result,
    Status,
    UrlHistory,
    Verdict,
)
from ..state import FLUSH_SECONDS, State
from .classify import classify, configured_rules, through_wrapper
from .fragments import PageAnchors, fragment_verdict, page_anchors
from .plan import Plan, in_shard
from .schedule import FetchStage, Pace, by_host, plan_line

if TYPE_CHECKING:
    from ..browser.second_opinion import SecondOpinion
    from ..fetch.fetcher import Fetcher
    from ..fetch.options import FetchSettings


async def check(
    links: Sequence[Link],
    config: Config,
    *,
    state: State | None = None,
    progress: Progress | None = None,
    notice: Callable[[str], None] | None = None,
    on_verdict: Callable[[str, Verdict], None] | None = None,
    deadline: float | None = None,
    ignored: frozenset[Link] = frozenset(),
) -> CheckReport:
    """notice gets the up-front plan (one line); on_verdict each URL's verdict as it is
    known (the Wayback stage starts its lookups from there); deadline is a time.monotonic()
    after which no fetch starts (default: now + config.max_time)."""
    plan = Plan(config, ignored=ignored)
    decided = plan.decide_all(links)
    if config.shard is not None:
        decided = in_shard(decided, config.shard)
    targets = sorted({target for _, target, _ in decided if target is not None})
    verdicts: dict[str, Verdict] = {}
    if state is not None and config.cache:
        verdicts.update(state.cached(targets, max_age=config.max_cache_age))
    # --check-fragments: pages cited with a #fragment are read again, for their anchors.
    wanted = _cited_with_fragments(decided) if config.check_fragments else set()
    for target in wanted:
        verdicts.pop(target, None)
    anchors: dict[str, PageAnchors] = {}
    cached = len(verdicts)
    to_fetch = [url for url in targets if url not in verdicts]
    if config.offline:
        to_fetch = _within_budget(to_fetch, 0, state, verdicts, why="--offline")
    elif config.budget is not None and len(to_fetch) > config.budget:
        to_fetch = _within_budget(to_fetch, config.budget, state, verdicts)
    offline, answered = False, 0
    if not to_fetch and targets and notice is not None:  # a run answered without the network
        notice(plan_line(len(targets), {}, cached, lambda host: Pace(1, 0.0)))
    if to_fetch:  # a warm cache needs no network, and no network stack to import
        from ..fetch.fetcher import Fetcher
        from ..settings import fetch_settings

        if deadline is None and config.max_time is not None:
            deadline = time.monotonic() + config.max_time
        fetcher = Fetcher(fetch_settings(config), deadline=deadline)
        if notice is not None:
            counts = {host: len(urls) for host, urls in by_host(to_fetch).items()}
            time_left = None if deadline is None else deadline - time.monotonic()
            pace_of = _pace_of(fetcher.settings)
            notice(plan_line(len(targets), counts, cached, pace_of, time_left))
        judge = _Judge(fetcher, config, state, verdicts, on_verdict, wanted, anchors)
        if config.browser:
            judge.opinion = _second_opinion(config, fetcher, judge, notice)
        try:
            offline, answered = await _fetch_stage(
                fetcher, judge, to_fetch, config, state, verdicts, progress, deadline
            )
        finally:
            if judge.opinion is not None:  # closed on every way out, Ctrl-C included
                await judge.opinion.session.close()
    report = assemble(
        decided,
        verdicts,
        state,
        plan,
        offline=offline,
        fetched=answered,
        cached=cached,
        min_failures=config.min_failures,
        anchors=anchors,
    )
    unread = [f"{problem}; its links are judged by their files" for problem in plan.sites.problems]
    return replace(report, warnings=(*report.warnings, *unread))


def _second_opinion(
    config: Config, fetcher: Fetcher, judge: _Judge, notice: Callable[[str], None] | None
) -> SecondOpinion | None:
    from ..browser.second_opinion import SecondOpinion
    from ..browser.session import BrowserSession
    from ..settings import browser_settings

    settings = browser_settings(config)
    if settings is None:
        if notice is not None:
            notice(
                "--browser: no Chromium found (install Debian's chromium, or give "
                "--browser-path); pages behind a challenge stay unknown"
            )
        return None
    return SecondOpinion(BrowserSession(settings), fetcher, judge.classify)


def _cited_with_fragments(decided: list[tuple[Link, str | None, Verdict | None]]) -> set[str]:
    return {target for link, target, _ in decided if target is not None and "#" in link.url}


async def _fetch_stage(
    fetcher: Fetcher,
    judge: _Judge,
    to_fetch: list[str],
    config: Config,
    state: State | None,
    verdicts: dict[str, Verdict],
    progress: Progress | None,
    deadline: float | None,
) -> tuple[bool, int]:
    """Fetch and judge to_fetch into verdicts: whether the run turned out offline, and how
    many URLs a server answered (not those skipped at --max-time or never connected)."""
    stage = FetchStage(
        to_fetch,
        _pace_of(fetcher.settings),
        online=lambda: fetcher.evidence.online,
        deadline=deadline,
        grace=config.timeout,
    )
    if progress is not None:
        progress(0, stage.total, "")

    def tick() -> None:
        if progress is not None:
            progress(stage.done, stage.total, stage.note())

    flusher = asyncio.ensure_future(_flush_every(state)) if state is not None else None
    try:
        await stage.run(judge.fetch, after_each=tick)
    finally:
        if flusher is not None:
            flusher.cancel()
        await fetcher.aclose()
    evidence = fetcher.evidence
    # Offline: nothing connected, no public name resolved, and every fetch failed for want
    # of a network (DESIGN.md §3: inferred from the run's own attempts, never by probing).
    offline = stage.stopped == "offline" or (
        not evidence.online and stage.done > 0 and len(judge.unreached) == stage.done
    )
    answered = stage.done - len(judge.unreached)
    if offline:
        left = sorted({*judge.unreached, *stage.unfetched()})
        _keep_last(left, state, verdicts, why="offline", reason="offline", detail=_OFFLINE_DETAIL)
        return True, answered
    for url, exchange in judge.unreached.items():
        judge.decide(url, classify(exchange, names_resolve=evidence.public_name_resolved))
    if stage.stopped == "max-time":
        unfetched = stage.unfetched()
        _keep_last(unfetched, state, verdicts, why="--max-time", reason="max-time")
    return False, answered


def _pace_of(settings: FetchSettings) -> Callable[[str], Pace]:
    def pace_of(host: str) -> Pace:
        policy = settings.policy_for(host)
        return Pace(policy.concurrency, policy.interval)

    return pace_of


async def _flush_every(state: State) -> None:
    """Commit the verdicts recorded so far every FLUSH_SECONDS, however slowly they come."""
    while True:
        await asyncio.sleep(FLUSH_SECONDS)
        state.flush()


_OFFLINE_DETAIL = "the network is unreachable from here: no host answered and no name resolved"


class _Judge:
    """Turns each exchange into a verdict, committed as it arrives (a killed run keeps what
    it learnt). Failures for want of a network wait for the run's evidence (unreached)."""

    def __init__(
        self,
        fetcher: Fetcher,
        config: Config,
        state: State | None,
        verdicts: dict[str, Verdict],
        on_verdict: Callable[[str, Verdict], None] | None,
        wanted: set[str],
        anchors: dict[str, PageAnchors],
    ) -> None:
        self._fetcher = fetcher
        self._wanted = wanted  # pages whose anchors --check-fragments needs
        self._anchors = anchors
        self.opinion: SecondOpinion | None = None  # --browser
        self._config = config
        self._state = state
        self._verdicts = verdicts
        self._on_verdict = on_verdict
        self.unreached: dict[str, Exchange] = {}
        self._first = configured_rules(config)  # the user's rules, before the built-in ones
        self._probes: dict[tuple[str, str], asyncio.Task[Exchange]] = {}

    def classify(self, exchange: Exchange) -> Verdict:
        return classify(exchange, names_resolve=False, first=self._first)

    async def fetch(self, url: str, need: int = 0) -> Exchange:
        """need: how long the host's other URLs will take, the fetcher's priority."""
        earned = self.opinion.earned(url) if self.opinion is not None else 0
        exchange = await self._fetcher.fetch(url, rank=need)
        if exchange.error in OFFLINE_FAILURES:  # decided once the run's evidence is in
            self.unreached[url] = Exchange(
                url, exchange.hops, error=exchange.error, error_detail=exchange.error_detail
            )
            return exchange
        verdict = self.classify(exchange)
        if self.opinion is not None:
            verdict = await self.opinion.reconsider(url, exchange, verdict, earned)
        if self._config.soft_404 and verdict.status is Status.ALIVE:
            verdict = await self._soft_404(exchange, verdict)
        # The anchors of the page that was judged alive (not of a challenge the browser
        # got past: that page's anchors were not read, and its fragment stays unchecked).
        status = exchange.final_status or 0
        if url in self._wanted and verdict.status is Status.ALIVE and 200 <= status < 300:
            found = page_anchors(exchange, self._fetcher.settings.body_limit)
            if found is not None:
                self._anchors[url] = found
        self.decide(url, verdict)
        return exchange

    def decide(self, url: str, verdict: Verdict) -> None:
        self._verdicts[url] = verdict
        if self._state is not None:
            self._state.record(url, verdict, cache=self._config.cache)
        if self._on_verdict is not None:
            self._on_verdict(url, verdict)

    async def _soft_404(self, exchange: Exchange, alive: Verdict) -> Verdict:
        """One probe per site folder, shared by every link in it."""
        from .soft404 import judge, probe_url

        if alive.rule is not None or exchange.final_status != 200:
            return alive  # a host rule already read the page
        parts = urlsplit(exchange.final_url)
        key = (parts.netloc, parts.path.rsplit("/", 1)[0])
        if key not in self._probes:
            probe = self._fetcher.fetch(probe_url(exchange.final_url))
            self._probes[key] = asyncio.ensure_future(probe)
        return judge(exchange, await self._probes[key]) or alive


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
    reason = "budget" if why == "--budget" else "not-checked-offline"
    _keep_last(ordered[budget:], state, verdicts, why=why, reason=reason, last=last)
    return ordered[:budget]


def _keep_last(
    urls: Sequence[str],
    state: State | None,
    verdicts: dict[str, Verdict],
    *,
    why: str,
    reason: str,
    detail: str | None = None,
    last: dict[str, tuple[Verdict, float]] | None = None,
) -> None:
    """URLs not (re-)checked this run: their last verdict, however old, saying so; or
    unknown with reason when they have none yet."""
    if last is None:
        last = state.last_verdicts(list(urls)) if state is not None and urls else {}
    for url in urls:
        if url in last:
            verdict = last[url][0]
            said = f"{verdict.detail or verdict.reason} (not re-checked this run: {why})"
            verdicts[url] = replace(verdict, detail=said)
        else:
            verdicts[url] = Verdict(
                Status.UNKNOWN, reason, None, detail or f"not checked yet ({why})"
            )


def assemble(
    decided: list[tuple[Link, str | None, Verdict | None]],
    verdicts: dict[str, Verdict],
    state: State | None,
    plan: Plan,
    *,
    offline: bool,
    fetched: int,
    cached: int,
    min_failures: int = 1,
    anchors: Mapping[str, PageAnchors] | None = None,
) -> CheckReport:
    """The report: each link's verdict, its target's history, wrappers and remaps applied,
    and a #fragment checked against its page's anchors where they were read."""
    targets = {target for _, target, _ in decided if target is not None}
    histories = state.histories(targets) if state is not None else {}
    results = []
    for link, target, verdict in decided:
        final = verdict if verdict is not None else verdicts[target or ""]
        wrapper = plan.wrappers.get(link)
        if wrapper is not None and target is not None:
            final = through_wrapper(wrapper, target, final)
        history = histories.get(target or "")
        final = confirmed(final, history, min_failures)
        page = anchors.get(target) if anchors and target is not None else None
        if page is not None and final.status is Status.ALIVE and "#" in link.url:
            final = fragment_verdict(link.url.partition("#")[2], target or "", final, page)
        results.append(Result(link, target, final, history, remapped=link in plan.remapped))
    results.sort(key=lambda r: r.link.sort_key)
    return CheckReport(tuple(results), offline, fetched, cached)
