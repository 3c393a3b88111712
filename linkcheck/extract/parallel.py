"""Extract from many sources on every core.

Extraction is pure and CPU-bound, so a large blog is split across processes. Forked workers
read the sources from the parent's memory (copy-on-write), so only the small Link records
travel back. Measured on bench/extract.py's blog (2 cores): 0.85 s against 1.0 s in one
process; below PARALLEL_THRESHOLD_CHARS, as for a pre-commit hook's few posts, one process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

from ..collect import Source
from ..models import Link
from . import extract_text

# Below this much text a pool costs more than it saves (measured: ~60 ms to start two workers).
PARALLEL_THRESHOLD_CHARS = 1_500_000
_shared: Sequence[Source] = ()


def _extract_range(bounds: tuple[int, int]) -> list[Link]:
    start, end = bounds
    return [
        link for source in _shared[start:end] for link in extract_text(source.path, source.text)
    ]


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
    global _shared
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
        return [link for source in sources for link in extract_text(source.path, source.text)]
    _shared = sources
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_extract_range, _chunks(sources, workers * 4))
    finally:
        _shared = ()
    return [link for part in parts for link in part]
