"""Pieces of the fetcher: Retry-After, --connect-to, per-host politeness."""

from __future__ import annotations

import asyncio
from itertools import pairwise

import pytest

from linkcheck.config import HostConfig
from linkcheck.engine.checker import check
from linkcheck.errors import ConfigError
from linkcheck.extract.markdown import extract_markdown
from linkcheck.fetch.politeness import parse_retry_after
from linkcheck.fetch.routing import ConnectTo
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import web_config


def test_retry_after_in_seconds_and_as_a_date() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412420.0) == 60.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412540.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_connect_to_like_curl() -> None:
    exact = ConnectTo.parse("example.com:443:127.0.0.1:8443")
    assert exact.apply("example.com", 443) == ("127.0.0.1", 8443)
    assert exact.apply("EXAMPLE.com", 443) == ("127.0.0.1", 8443)
    assert exact.apply("example.com", 80) is None
    assert exact.apply("other.com", 443) is None
    any_host = ConnectTo.parse(":443:127.0.0.1:8443")
    assert any_host.apply("whatever.org", 443) == ("127.0.0.1", 8443)
    same_port = ConnectTo.parse("a.org::b.org:")
    assert same_port.apply("a.org", 8080) == ("b.org", 8080)
    with pytest.raises(ConfigError):
        ConnectTo.parse("a.org:443")
    with pytest.raises(ConfigError):
        ConnectTo.parse("a.org:https:b.org:443")


def test_the_interval_between_requests_to_one_host_is_kept(simweb: SimulatedWeb) -> None:
    urls = [f"https://pkgs.org/?n={i}" for i in range(4)]
    links = extract_markdown("p.md", "\n\n".join(urls))
    config = web_config(simweb, hosts={"pkgs.org": HostConfig(concurrency=4, interval=0.3)})
    before = len(simweb.requests)
    asyncio.run(check(links, config))
    arrivals = [r.received for r in simweb.requests[before:] if r.host == "pkgs.org"]
    assert len(arrivals) == 4
    # A politeness contract, not a speed claim: starts are at least the interval apart.
    gaps = [b - a for a, b in pairwise(arrivals)]
    assert min(gaps) >= 0.25, gaps
