"""Capture one page for the archive: its redirect chain and its images, raw, into a staging
folder (docs/SOURCES.md, "The archive").

Bodies are streamed to files as they came over the wire (de-chunked, still content-encoded),
each capped; redirects are followed by hand so every hop is recorded. Images come from
`src`, `srcset` and the lazy attributes (`data-src` for WeChat, `data-original` /
`data-actualsrc` for Zhihu) and, inside WeChat's `#js_content`, inline `background-image`.
They are fetched with no Referer: mmbiz.qpic.cn answers a foreign Referer with a
placeholder image (docs/SOURCES.md, "Requests, redirects and politeness").
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from ..browser.network import NetworkRecord
from ..browser.second_opinion import browser_page, seen_through_browser
from ..browser.session import Rendering
from ..decode import decode_page
from ..engine.classify import classify
from ..extract.html_scan import srcset_candidates
from ..fetch.bodies import decode_body
from ..fetch.fetcher import Download, DownloadError, Fetcher
from ..fetch.redirects import REDIRECT_STATUSES, RedirectChain
from ..models import Exchange, Hop, Status, Verdict
from ..rules import browser_can_pass
from ..rules.base import Rule
from .readable import IMAGE_ATTRIBUTES, document_base

PAGE_LIMIT = 32 * 1024 * 1024
ASSET_LIMIT = 16 * 1024 * 1024
MAX_ASSETS = 200
# An SVG image is kept inside the readable copy as a data: URL (see SVG_EXTENSION): Zhihu's
# equations and badges are a few kilobytes; a larger drawing stays in the WARC only.
SVG_LIMIT = 512 * 1024
# Its file in assets/ is named as text: an .svg opened by itself is a document whose
# scripts run (on the blog's own site, once published); in <img> it runs nothing.
SVG_EXTENSION = "svg.txt"
SVG_MIME = "image/svg+xml"
# Stylesheets: <link rel=stylesheet> and their @imports, two levels deep, within a budget.
MAX_SHEETS = 16
SHEET_LIMIT = 2 * 1024 * 1024
_IMPORT_DEPTH = 2
# What a sheet asks for: @import's target, and every url() (fonts, backgrounds).
_SHEET_IMPORT = re.compile(
    r"@import\s+(?:url\(\s*)?['\"]?([^'\"\)\s;]+)['\"]?\s*\)?[^;]*;?", re.IGNORECASE
)
_SHEET_URL = re.compile(r"url\(\s*['\"]?([^'\"\)]+?)['\"]?\s*\)", re.IGNORECASE)
_CSS_COMMENTS = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
# Fonts by their first bytes (never by the URL): WOFF2, WOFF, TrueType, OpenType.
_FONTS: tuple[tuple[bytes, str, str], ...] = (
    (b"wOF2", "font/woff2", "woff2"),
    (b"wOFF", "font/woff", "woff"),
    (b"\x00\x01\x00\x00", "font/ttf", "ttf"),
    (b"OTTO", "font/otf", "otf"),
)
_BACKGROUND = re.compile(r"background(?:-image)?\s*:[^;]*url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
_MAGIC: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"WEBP", 8, "image/webp", "webp"),
    (b"ftypavif", 4, "image/avif", "avif"),
)


# The verdicts a snapshot is made of.
_KEPT = (Status.ALIVE, Status.REDIRECTED)


class CaptureError(Exception):
    """The page could not be fetched at all."""


@dataclass(frozen=True)
class Sheet:
    """A stylesheet the page links, as text; its url() are read against its own URL."""

    url: str
    text: str


@dataclass
class Recorded:
    """One exchange and the file holding its raw body."""

    download: Download
    body: Path
    started: datetime


@dataclass
class Asset:
    url: str  # as the page refers to it, resolved
    recorded: Recorded
    sha256: str
    mime: str
    ext: str
    data: Path  # the decoded bytes


@dataclass
class Capture:
    requested_url: str
    hops: list[Recorded]
    html: str | None  # the decoded page, when it is HTML
    verdict: Verdict
    assets: list[Asset] = field(default_factory=list)  # the images kept for the copy
    requisites: list[Recorded] = field(default_factory=list)  # every image fetch, kept or not
    # A cited file that is no page (a PDF, an image …): its decoded bytes, and its name in
    # the snapshot (document.pdf), so the readable copy can link the file itself.
    document: Path | None = None
    document_name: str | None = None
    # The stylesheets the page links, each after the sheets it imports (cascade order).
    sheets: list[Sheet] = field(default_factory=list)
    # --browser: the page as Chromium drew it (its drawings, its exchanges for the WARC);
    # html is its DOM when the browser saw the page (rendered_page).
    rendering: Rendering | None = None
    rendered_page: bool = False
    # The client met a challenge and the browser passed it: the snapshot is the browser's
    # page, and its WARC holds the browser's exchanges for it, not the client's challenge
    # (a replay at the capture's time would show the challenge, which reloads forever).
    through_browser: bool = False

    @property
    def final(self) -> Recorded:
        return self.hops[-1]

    @property
    def final_url(self) -> str:
        return self.final.download.url

    @property
    def page_url(self) -> str:
        """Where the page of html is: the browser's last document, else the last hop."""
        if self.rendered_page and self.rendering is not None:
            return self.rendering.url
        return self.final_url

    @property
    def page_status(self) -> int:
        if self.rendered_page and self.rendering is not None and self.rendering.status:
            return self.rendering.status
        return self.final.download.status

    @property
    def page_record(self) -> NetworkRecord | None:
        """The browser's record of the page's document, when the snapshot is the browser's
        page (through_browser); None when it is the client's last hop."""
        if not self.through_browser or self.rendering is None:
            return None
        rendering = self.rendering
        documents = [
            record
            for record in rendering.records
            if record.resource_type == "Document"
            and record.url == rendering.url
            and record.status == rendering.status
        ]
        return documents[-1] if documents else None

    @property
    def captured_at(self) -> datetime:
        record = self.page_record
        if record is not None:
            return datetime.fromtimestamp(record.started, UTC)
        return self.hops[0].started

    def page_headers(self) -> tuple[tuple[str, str], ...]:
        record = self.page_record
        return (
            record.response_headers if record is not None else self.final.download.response_headers
        )

    def page_truncated(self) -> bool:
        record = self.page_record
        return record.truncated if record is not None else self.final.download.truncated

    def page_payload(self) -> bytes:
        """The page's body as recorded (the client's bytes, or the browser's document)."""
        record = self.page_record
        return record.body if record is not None else self.final.body.read_bytes()


def sniff_image(data: bytes) -> tuple[str, str] | None:
    """(mime, extension) from the first bytes; never from the URL or the headers."""
    for magic, offset, mime, ext in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return mime, ext
    return None


def sniff_font(data: bytes) -> tuple[str, str] | None:
    for magic, mime, ext in _FONTS:
        if data.startswith(magic):
            return mime, ext
    return None


def is_svg(data: bytes) -> bool:
    """An SVG document: its first element is <svg> (after an XML declaration, comments or
    a doctype), within its first kilobyte."""
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<svg"):
        return True
    return start.startswith((b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in start


# The kinds of cited file a reader's browser opens by itself, by their first bytes.
_DOCUMENTS = ((b"%PDF-", "pdf"),)


def _extension(data: bytes, content_type: str | None) -> str:
    """A cited file's extension, from its first bytes (never from the URL): pdf, an
    image's, txt for text, else bin (a download, never run)."""
    for magic, ext in _DOCUMENTS:
        if data.startswith(magic):
            return ext
    image = sniff_image(data)
    if image is not None:
        return image[1]
    if (content_type or "").lower().startswith("text/plain"):
        return "txt"
    return "bin"


def image_urls(tree: LexborHTMLParser, base_url: str) -> list[str]:
    """Every image the parsed page shows, resolved, in order, without duplicates."""
    base_url = document_base(tree, base_url)
    found: list[str] = []
    for node in tree.css("img, source"):
        attributes = node.attributes
        for name in IMAGE_ATTRIBUTES:
            value = attributes.get(name)
            if value and not value.startswith("data:"):
                found.append(value.strip())
                break
        srcset = attributes.get("srcset") or attributes.get("data-srcset")
        if srcset:
            found.extend(url for _, url in srcset_candidates(srcset))
    content = tree.css_first("#js_content")
    if content is not None:
        for node in content.traverse(include_text=False):
            style = node.attributes.get("style") or ""
            found.extend(match.group(1) for match in _BACKGROUND.finditer(style))
    resolved = []
    for url in found:
        absolute = urljoin(base_url, url)
        if urlsplit(absolute).scheme in ("http", "https"):
            resolved.append(absolute)
    return list(dict.fromkeys(resolved))[:MAX_ASSETS]


async def _record(
    fetcher: Fetcher, url: str, folder: Path, name: str, limit: int, timeout: float
) -> Recorded:
    body = folder / f"{name}.raw"
    started = datetime.now(UTC)
    with body.open("wb") as sink:
        download = await fetcher.download(url, sink, limit=limit, timeout=timeout)
    return Recorded(download, body, started)


async def capture(
    fetcher: Fetcher,
    url: str,
    staging: Path,
    *,
    timeout: float,
    max_redirects: int,
    first: tuple[Rule, ...] = (),
    render: Callable[[str], Awaitable[Rendering | None]] | None = None,
) -> Capture:
    """Fetch url, its redirects and its images into staging/raw/. Raises CaptureError.

    With render (--browser), an HTML page is also drawn by the browser, and the readable
    copy is made from the DOM it ended with: what scripts wrote is kept (a page built by
    its scripts, or one behind a challenge the browser passes, is archived as a reader
    sees it); its images and sheets are then those of that DOM."""
    raw = staging / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    hops: list[Recorded] = []
    chain = RedirectChain(url, max_redirects)
    try:
        while True:
            recorded = await _record(
                fetcher, chain.current, raw, f"page-{len(hops)}", PAGE_LIMIT, timeout
            )
            hops.append(recorded)
            location = recorded.download.header("location") or ""
            if recorded.download.status not in REDIRECT_STATUSES or not location:
                break
            stop = chain.follow(location)
            if stop is not None:
                raise CaptureError(f"{url}: {stop[0]} ({stop[1]})")
    except DownloadError as error:
        raise CaptureError(f"{chain.current}: {error}") from error
    final = hops[-1].download
    body = decode_body(
        hops[-1].body.read_bytes(), final.header("content-encoding") or "", PAGE_LIMIT
    )
    exchange = Exchange(
        url,
        tuple(
            Hop(h.download.url, h.download.status, h.download.header("location") or None)
            for h in hops
        ),
        tuple((k.lower(), v) for k, v in final.response_headers),
        body[: 64 * 1024],
    )
    verdict = classify(exchange, names_resolve=True, first=first)
    content_type = final.header("content-type")
    is_html = "html" in (content_type or "").lower() or body.lstrip()[:1] == b"<"
    html = decode_page(body, content_type) if is_html else None
    result = Capture(url, hops, html, verdict)
    passable = verdict.status is Status.UNKNOWN and browser_can_pass(exchange)
    if render is not None and html is not None and (verdict.status in _KEPT or passable):
        result.rendering = await render(final.url)
        _take_rendering(result, exchange, first)
        html, verdict = result.html, result.verdict
    whole = not final.truncated and 0 < len(body) < PAGE_LIMIT  # a file cut short is none
    if html is None and verdict.status in _KEPT and whole:
        result.document = raw / "document.data"
        result.document.write_bytes(body)
        result.document_name = f"document.{_extension(body, content_type)}"
    if html is None or verdict.status not in _KEPT:
        return result
    tree = LexborHTMLParser(html)  # parsed once for its sheets and its images
    sheet_urls, images = stylesheet_urls(tree, result.page_url), image_urls(tree, result.page_url)
    del tree  # a large page's tree is not held while its requisites download
    sheets = _Sheets(fetcher, raw, timeout, result)
    for sheet_url in sheet_urls:
        await sheets.take(sheet_url, 0)
    wanted = [*images, *sheet_references(result.sheets)]
    await _images(fetcher, list(dict.fromkeys(wanted))[:MAX_ASSETS], raw, timeout, result)
    return result


def _take_rendering(result: Capture, exchange: Exchange, first: tuple[Rule, ...]) -> None:
    """The rendered DOM becomes the page when the browser saw the page: the one the client
    saw, or (behind a challenge a browser passes) the one it reached, judged by the same
    rules. A challenge still there, or an error page, leaves the capture as it was."""
    rendering = result.rendering
    if rendering is None or rendering.status is None or not rendering.html:
        return
    seen = browser_page(
        result.requested_url, rendering.url, rendering.status, rendering.html.encode()[: 64 * 1024]
    )
    if browser_can_pass(seen):
        return
    if result.verdict.status in _KEPT:
        # The same page, drawn: not one its scripts sent the browser on to (a login wall).
        if rendering.url.partition("#")[0] == result.final_url.partition("#")[0]:
            result.html, result.rendered_page = rendering.html, True
    elif result.verdict.status is Status.UNKNOWN and browser_can_pass(exchange):
        judged = classify(seen, names_resolve=True, first=first)
        if judged.status is Status.ALIVE:
            result.verdict = seen_through_browser(judged)
            result.html, result.rendered_page = rendering.html, True
            result.through_browser = True


def stylesheet_urls(tree: LexborHTMLParser, base_url: str) -> list[str]:
    """The parsed page's <link rel=stylesheet> sheets, resolved, in order (MAX_SHEETS at
    most)."""
    base_url = document_base(tree, base_url)
    found = []
    for node in tree.css("link[href]"):
        if "stylesheet" not in (node.attributes.get("rel") or "").lower().split():
            continue
        absolute = urljoin(base_url, (node.attributes.get("href") or "").strip())
        if urlsplit(absolute).scheme in ("http", "https"):
            found.append(absolute)
    return list(dict.fromkeys(found))[:MAX_SHEETS]


def sheet_references(sheets: list[Sheet]) -> list[str]:
    """What the sheets' url() name (fonts, backgrounds), resolved against each sheet."""
    found = []
    for sheet in sheets:
        css = _SHEET_IMPORT.sub("", _CSS_COMMENTS.sub("", sheet.text))
        for match in _SHEET_URL.finditer(css):
            target = match.group(1).strip()
            if target.startswith(("data:", "#")):
                continue
            absolute = urljoin(sheet.url, target)
            if urlsplit(absolute).scheme in ("http", "https"):
                found.append(absolute)
    return found


class _Sheets:
    """Fetches stylesheets into the capture (every fetch a WARC record), each sheet's
    imports first, MAX_SHEETS in all and _IMPORT_DEPTH imports deep."""

    def __init__(self, fetcher: Fetcher, folder: Path, timeout: float, result: Capture) -> None:
        self._fetcher, self._folder, self._timeout = fetcher, folder, timeout
        self._result = result
        self._seen: set[str] = set()

    async def take(self, url: str, depth: int) -> None:
        if url in self._seen or len(self._seen) >= MAX_SHEETS:
            return
        self._seen.add(url)
        name = f"sheet-{len(self._seen)}"
        try:
            recorded = await _record(
                self._fetcher, url, self._folder, name, SHEET_LIMIT, self._timeout
            )
        except DownloadError:
            return  # a missing sheet leaves the page readable
        self._result.requisites.append(recorded)
        download = recorded.download
        if not 200 <= download.status < 300 or download.truncated:
            return
        data = decode_body(
            recorded.body.read_bytes(), download.header("content-encoding") or "", SHEET_LIMIT
        )
        text = decode_page(data, download.header("content-type"))
        if depth < _IMPORT_DEPTH:
            for match in _SHEET_IMPORT.finditer(_CSS_COMMENTS.sub("", text)):
                imported = urljoin(url, match.group(1).strip())
                if urlsplit(imported).scheme in ("http", "https"):
                    await self.take(imported, depth + 1)
        self._result.sheets.append(Sheet(url, text))


async def _images(
    fetcher: Fetcher, urls: list[str], folder: Path, timeout: float, result: Capture
) -> None:
    async def one(index: int, url: str) -> tuple[Recorded | None, Asset | None]:
        try:
            recorded = await _record(fetcher, url, folder, f"asset-{index}", ASSET_LIMIT, timeout)
        except DownloadError:
            return None, None  # a missing image leaves the page readable
        download = recorded.download
        if not 200 <= download.status < 300 or download.truncated:
            return recorded, None
        data = decode_body(
            recorded.body.read_bytes(), download.header("content-encoding") or "", ASSET_LIMIT
        )
        kind = sniff_image(data) or sniff_font(data)
        if kind is None and is_svg(data) and len(data) <= SVG_LIMIT:
            kind = (SVG_MIME, SVG_EXTENSION)
        if kind is None:
            return recorded, None
        decoded = folder / f"asset-{index}.data"
        decoded.write_bytes(data)
        asset = Asset(url, recorded, hashlib.sha256(data).hexdigest(), kind[0], kind[1], decoded)
        return recorded, asset

    for recorded, asset in await asyncio.gather(*(one(i, u) for i, u in enumerate(urls))):
        if recorded is not None:
            result.requisites.append(recorded)
        if asset is not None:
            result.assets.append(asset)
