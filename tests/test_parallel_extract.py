"""The fan-out of extraction (and of a listing's rendering) to processes gives exactly the
serial answer, in order.

Run in a fresh interpreter: the fan-out refuses to fork a process that has threads, and
the test process may have some left by other tests."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys

import pytest

PROBE = r"""
import multiprocessing
from linkcheck.collect import Source
from linkcheck.extract.parallel import (
    PARALLEL_THRESHOLD_CHARS, extract_and_render, extract_sources,
)

pools = []
real = multiprocessing.get_context
def counted(method=None):
    pools.append(method)
    return real(method)
multiprocessing.get_context = counted

line = "See [a](https://a.example/{n}) and https://b.example/{n}?q=1 in 中文。\n\n"
per_post = 40
count = PARALLEL_THRESHOLD_CHARS // (len(line) * per_post) + 2
sources = [
    Source(f"post-{p}.md", "".join(line.format(n=p * per_post + i) for i in range(per_post)),
           "utf-8")
    for p in range(count)
]
serial = extract_sources(sources, workers=1)
assert pools == [], pools
fanned = extract_sources(sources, workers=2)
assert pools == ["fork"], pools
assert len(serial) == 2 * per_post * count, len(serial)
assert fanned == serial
assert serial[0].url == "https://a.example/0" and serial[1].url == "https://b.example/0?q=1"

# A rendering made in the workers (a closure: fork, not pickle, carries it there) comes
# back beside its link, in the same order as the serial pass makes it.
def render(link):
    return f"{link.url}@{link.line}:{link.column}"
links, rendered = extract_and_render(sources, render, workers=2)
assert pools == ["fork", "fork"], pools
assert links == serial
assert rendered == [render(link) for link in serial]
assert extract_and_render(sources, None, workers=2)[1] == []
print("ok")
"""


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="the fan-out needs fork"
)
def test_fan_out_matches_the_serial_extraction() -> None:
    run = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
