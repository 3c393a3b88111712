"""The archive's `index.html`: every archived URL with its captures over time, its verdict
now, the posts that cite it and links to its readable copies (and a screenshot or PDF where
a snapshot has one). Static and inert, as the copies are: no script at all, its one
stylesheet allowed by its digest, nothing loaded from anywhere (issue 28, item 5)."""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..models import Status, Verdict
from ..version import __version__

_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.4rem; } .url { font-weight: 600; word-break: break-all; }
section { border-top: 1px solid #ddd; padding: .6rem 0; }
.dead { color: #b3261e; } .redirected { color: #9a6700; } .alive { color: #1a7f37; }
.unknown { color: #7a3e9d; } .muted { color: #666; font-size: .9rem; }
ul { margin: .2rem 0 .2rem 1.2rem; padding: 0; }
"""
_DIGEST = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
CSP = f"default-src 'none'; style-src 'sha256-{_DIGEST}'; base-uri 'none'; form-action 'none'"


@dataclass(frozen=True)
class Capture:
    when: str  # ISO time
    page: str  # the readable copy, relative to the index
    title: str | None
    extras: tuple[tuple[str, str], ...] = ()  # (label, relative path): screenshot, PDF


def _web_link(url: str) -> str:
    """The live URL as a link when it is http(s), else as text."""
    shown = html.escape(url)
    if url.lower().startswith(("http://", "https://")):
        return f'<a class="url" href="{shown}" rel="noopener noreferrer">{shown}</a>'
    return f'<span class="url">{shown}</span>'


def render_index(
    captures: Mapping[str, Sequence[Capture]],
    verdicts: Mapping[str, Verdict],
    cited_by: Mapping[str, Sequence[tuple[str, int]]],
) -> str:
    """The page: URLs in order, each with its captures newest first."""
    parts = [
        "<!doctype html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        "<title>linkcheck archive</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Archived pages ({len(captures):,} URLs)</h1>",
        f'<p class="muted">Made by linkcheck {html.escape(__version__)}; each copy loads '
        "nothing from the network.</p>",
    ]
    for url in sorted(captures):
        verdict = verdicts.get(url)
        status = verdict.status.value if verdict else "not checked"
        css = verdict.status.value if verdict and verdict.status is not Status.EXCLUDED else ""
        reason = f" ({html.escape(verdict.reason)})" if verdict else ""
        parts.append(f"<section>{_web_link(url)}")
        parts.append(f'<div>now: <span class="{css}">{html.escape(status)}</span>{reason}</div>')
        parts.append("<ul>")
        for capture in sorted(captures[url], key=lambda c: c.when, reverse=True):
            links = [f'<a href="{html.escape(capture.page)}">readable copy</a>']
            links += [
                f'<a href="{html.escape(path)}">{html.escape(label)}</a>'
                for label, path in capture.extras
            ]
            title = f" — {html.escape(capture.title)}" if capture.title else ""
            parts.append(f"<li>{html.escape(capture.when)}{title}: {' · '.join(links)}</li>")
        parts.append("</ul>")
        places = cited_by.get(url, ())
        if places:
            cited = ", ".join(html.escape(f"{file}:{line}") for file, line in places)
            parts.append(f'<div class="muted">cited by {cited}</div>')
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
