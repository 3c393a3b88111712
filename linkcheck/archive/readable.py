"""The readable copy: a self-contained, script-free page.html (archive.md §5.5, §4).

Made with selectolax from the captured HTML: scripts, frames, embeds, event handlers,
`javascript:` URLs and every remote load are removed, a strict CSP meta forbids the rest;
images point at the local copies; WeChat's hidden body (`#js_content` ships with
`visibility: hidden`) is made visible; a banner shows the title, the source URL and the
capture time. Nothing in the copy reaches the network when it is opened.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

CSP = (
    "default-src 'none'; img-src 'self' data: file:; style-src 'unsafe-inline'; "
    "script-src 'none'; object-src 'none'; frame-src 'none'; connect-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)
_REMOVED = (
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "noscript",
    "template",
    "portal",
    "meta[http-equiv]",
    "link",
    "video",
    "audio",
)
_URL_ATTRIBUTES = (
    "src",
    "srcset",
    "data-src",
    "data-srcset",
    "data-original",
    "data-actualsrc",
    "poster",
    "background",
    "action",
    "formaction",
    "xlink:href",
    "ping",
)
_STYLE_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)['\"]?\s*\)", re.IGNORECASE)
_HIDDEN = re.compile(r"(visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0*)?)\s*;?", re.IGNORECASE)
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


@dataclass(frozen=True)
class Banner:
    title: str
    source_url: str
    captured_at: str  # ISO 8601, UTC
    status: int
    snapshot_id: str


def _image_source(node: LexborNode) -> str | None:
    for name in ("data-src", "data-original", "data-actualsrc", "src"):
        value = node.attributes.get(name)
        if value and not value.startswith("data:"):
            return value.strip()
    return None


def title_of(tree: LexborHTMLParser) -> str:
    for selector in ("#activity-name", 'meta[property="og:title"]', "title", "h1"):
        node = tree.css_first(selector)
        if node is None:
            continue
        text = node.attributes.get("content") if node.tag == "meta" else node.text(strip=True)
        if text and text.strip():
            return text.strip()
    return ""


def content_text(page_html: str) -> str:
    """The text a reader sees: WeChat's #js_content when there is one, else the body."""
    tree = LexborHTMLParser(page_html)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    root = tree.css_first("#js_content") or tree.body
    text = root.text(separator=" ") if root is not None else ""
    return " ".join(text.split())


def readable_copy(
    page_html: str, base_url: str, local_images: Mapping[str, str], banner: Banner
) -> str:
    """local_images maps an image's resolved URL to its path relative to page.html."""
    tree = LexborHTMLParser(page_html)
    for selector in _REMOVED:
        for node in tree.css(selector):
            node.decompose()
    for node in tree.css("img, source"):
        original = _image_source(node)
        local = local_images.get(urljoin(base_url, original)) if original else None
        for name in _URL_ATTRIBUTES:
            if name in node.attributes:
                del node.attrs[name]
        if local is not None:
            node.attrs["src"] = local
        elif node.tag == "source":
            node.decompose()
    root = tree.root
    if root is not None:
        for node in root.traverse(include_text=False):
            _clean_attributes(node, base_url, local_images)
    content = tree.css_first("#js_content")
    if content is not None:  # WeChat's body is hidden until its scripts run
        style = _HIDDEN.sub("", content.attributes.get("style") or "").strip()
        content.attrs["style"] = ("visibility: visible; " + style).strip()
    document = tree.html or ""
    # The CSP first in <head>, before anything it governs; the banner first in <body>.
    document = re.sub(r"<head\b[^>]*>", lambda m: m.group(0) + _head_html(), document, count=1)
    return re.sub(r"<body\b[^>]*>", lambda m: m.group(0) + _banner_html(banner), document, count=1)


def _local_backgrounds(style: str, base_url: str, local_images: Mapping[str, str]) -> str:
    """Inline background images point at their local copies; any other remote url() goes."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1).strip().lower().startswith("data:image/"):
            return match.group(0)  # self-contained, loads nothing
        local = local_images.get(urljoin(base_url, match.group(1)))
        return f"url('{local}')" if local else "none"

    return _STYLE_URL.sub(replace, style)


def _clean_attributes(node: LexborNode, base_url: str, local_images: Mapping[str, str]) -> None:
    for name in list(node.attributes):
        value = node.attributes.get(name) or ""
        lowered = name.lower()
        if lowered.startswith("on") or lowered in ("srcdoc", "ping", "action", "formaction"):
            del node.attrs[name]
        elif lowered == "style" and "url(" in value.lower():
            node.attrs[name] = _local_backgrounds(value, base_url, local_images)
        elif lowered in ("href", "xlink:href"):
            if value.strip().lower().startswith(_UNSAFE_SCHEMES):
                del node.attrs[name]
            elif node.tag == "a":
                node.attrs[name] = urljoin(base_url, value.strip())
                node.attrs["rel"] = "noopener noreferrer"
        elif lowered in _URL_ATTRIBUTES and node.tag not in ("img",):
            del node.attrs[name]


def _head_html() -> str:
    return (
        f'<meta charset="utf-8"><meta name="referrer" content="no-referrer">'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}">'
    )


def _banner_html(banner: Banner) -> str:
    source = html.escape(banner.source_url)
    host = html.escape(urlsplit(banner.source_url).hostname or "")
    return (
        '<div id="linkcheck-banner" style="font: 14px/1.5 sans-serif; background: #fffbe6; '
        'border-bottom: 1px solid #e5d9a6; padding: 8px 12px; margin: 0 0 12px 0">'
        f"<strong>{html.escape(banner.title or host)}</strong><br>"
        f'Archived by linkcheck from <a href="{source}" rel="noopener noreferrer">{source}</a> '
        f"on {html.escape(banner.captured_at)} (HTTP {banner.status}, snapshot "
        f"{html.escape(banner.snapshot_id)}).</div>"
    )
