"""Extract from many sources on every core (and render what a listing writes of each link).

Extraction is pure and CPU-bound, so a large blog is split across processes. Forked workers
read the sources from the parent's memory (copy-on-write), so only the small Link records
travel back. Measured on bench/extract.py's blog (2 cores): 0.85 s against 1.0 s in one
process; below PARALLEL_THRESHOLD_CHARS, as for a pre-commit hook's few posts, one process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence

from ..collect import Source
from ..models import Link
from . import extract_text

# Below this much text a pool costs more than it saves (measured: ~60 ms to start two workers).
PARALLEL_THRESHOLD_CHARS = 1_500_000
# What the pool being run works on: a forked worker finds it here, so only ranges are sent.
_shared: Sequence[Source] = ()
_render: Callable[[Link], str] | None = None


def _extract_range(bounds: tuple[int, int]) -> tuple[list[Link], list[str]]:
    start, end = bounds
    links = [
        link for source in _shared[start:end] for link in extract_text(source.path, source.text)
    ]
    return links, [_render(link) for link in links] if _render is not None else []


def _chunks(sources: Sequence[Source], count: int) -> list[tuple[int, int]]:
    """Contiguous ranges of about equal text size."""
    total = sum(len(source.text) for source in sources)
    bounds: list[tuple[int, int]] = []
    start = size = 0
    for index, source in enumerate(sources):
        size += len(source.text)
        if size >= total / count * (len(bounds) + 1) and index + 1 < len(sources):
            bounds.append((start, index + 1))
            start = index + 1
    bounds.append((start, len(sources)))
    return bounds


def extract_sources(sources: Sequence[Source], workers: int | None = None) -> list[Link]:
    return extract_and_render(sources, None, workers)[0]


def extract_and_render(
    sources: Sequence[Source], render: Callable[[Link], str] | None, workers: int | None = None
) -> tuple[list[Link], list[str]]:
    """The sources' links, and render(link) for each (none without render), made in the
    same workers as the extraction: a listing's records (`extract --format json`) cost
    their share of the cores rather than a serial pass after it."""
    global _shared, _render
    workers = workers or len(os.sched_getaffinity(0))
    total = sum(len(source.text) for source in sources)
    serial = (
        workers < 2
        or total < PARALLEL_THRESHOLD_CHARS
        or threading.active_count() > 1  # forking a threaded process is unsafe
    )
    if not serial:
        import multiprocessing  # 11 ms at every start, for a fan-out only

        serial = "fork" not in multiprocessing.get_all_start_methods()
    if serial:
        links = [link for source in sources for link in extract_text(source.path, source.text)]
        return links, [render(link) for link in links] if render is not None else []
    _shared, _render = sources, render
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_extract_range, _chunks(sources, workers * 4))
    finally:
        _shared, _render = (), None
    return (
        [link for links, _ in parts for link in links],
        [record for _, rendered in parts for record in rendered],
    )
