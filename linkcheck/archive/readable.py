"""The readable copy: a self-contained, script-free page.html.

Built, not cleaned: the captured HTML is parsed (lexbor, the HTML standard's tree
builder), and a new document is written from that tree by an allow-list of HTML elements
and attributes. Everything else goes: scripts, frames, forms, `svg` and `math` (foreign
content, where mutation-XSS lives), comments, event handlers, `javascript:` and every
remote load. Text is escaped, so the only `<` in the output starts a tag we wrote, and the
output parses back to the tree we meant. The document has our own `<head>`, with a strict
CSP first; images point at the local copies; WeChat's hidden body (`#js_content` ships
with `visibility: hidden`) is made visible; a banner shows the title, the source URL and
the capture time. `verify_inert` parses the result again and refuses it unless all of that
holds, so nothing in the copy can run or reach the network when it is opened.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

CSP = (
    "default-src 'none'; img-src 'self' data: file:; font-src 'self' file:; "
    "style-src 'unsafe-inline'; "
    "script-src 'none'; object-src 'none'; frame-src 'none'; connect-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Elements written out as they are (with allowed attributes only). All in the HTML namespace.
_KEPT = _words(
    "a abbr address article aside b bdi bdo big blockquote br caption center cite code "
    "col colgroup dd del details dfn div dl dt em figcaption figure font footer h1 h2 "
    "h3 h4 h5 h6 header hgroup hr i img ins kbd li main mark nav ol p pre q rp rt ruby "
    "s samp section small span strike strong sub summary sup table tbody td tfoot th "
    "thead time tr tt u ul var wbr"
)
_VOID = frozenset({"br", "col", "hr", "img", "wbr"})
# Elements dropped with everything inside them. Any other element is unwrapped: its
# content stays, the tag goes (custom elements, forms, labels, <picture> …).
_DROPPED = _words(
    "script style noscript template iframe frame frameset object embed applet svg math "
    "canvas video audio source track param map area portal head title base link meta "
    "input button select textarea option optgroup datalist output xmp plaintext "
    "noembed noframes dialog slot"
)
_GLOBAL_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir", "style", "align"})
_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    "a": frozenset({"href", "name"}),
    "img": frozenset({"alt", "width", "height"}),
    "table": frozenset({"border", "cellpadding", "cellspacing", "width", "bgcolor"}),
    "td": frozenset({"colspan", "rowspan", "width", "height", "valign", "bgcolor", "headers"}),
    "th": frozenset({"colspan", "rowspan", "width", "height", "valign", "bgcolor", "scope"}),
    "tr": frozenset({"valign", "bgcolor"}),
    "col": frozenset({"span", "width"}),
    "colgroup": frozenset({"span", "width"}),
    "ol": frozenset({"start", "type", "reversed"}),
    "ul": frozenset({"type"}),
    "li": frozenset({"value", "type"}),
    "font": frozenset({"color", "face", "size"}),
    "time": frozenset({"datetime"}),
    "del": frozenset({"datetime"}),
    "ins": frozenset({"datetime"}),
    "details": frozenset({"open"}),
}
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Where a page keeps an image's address, the first found wins: WeChat's lazy data-src;
# Zhihu's data-actualsrc, the picture its script shows, before data-original (the full
# size it links to); then src (often a placeholder when the others are there).
IMAGE_ATTRIBUTES = ("data-src", "data-actualsrc", "data-original", "src")


def document_base(tree: LexborHTMLParser, page_url: str) -> str:
    """The URL the page's relative addresses are read against: its first <base href> when
    that is http(s), else the page's own URL (as a browser reads it)."""
    node = tree.css_first("base[href]")
    href = (node.attributes.get("href") or "").strip() if node is not None else ""
    if href:
        base = urljoin(page_url, href)
        if urlsplit(base).scheme in ("http", "https"):
            return base
    return page_url


_STYLE_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)['\"]?\s*\)", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_IMPORT = re.compile(r"@import[^;]*;?", re.IGNORECASE)
# What no sanitised style may hold: script in old IE and Firefox, or a second way to load.
_CSS_FORBIDDEN = re.compile(r"expression\s*\(|-moz-binding|behavior\s*:|javascript:", re.I)
_HIDDEN = re.compile(r"(visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0*)?)\s*;?", re.IGNORECASE)
_LANG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")


class UnsafeCopy(Exception):
    """The readable copy failed its own safety check; it is not published."""


@dataclass(frozen=True)
class Banner:
    title: str
    source_url: str
    captured_at: str  # ISO 8601, UTC
    status: int
    snapshot_id: str


def _image_source(node: LexborNode) -> str | None:
    for name in IMAGE_ATTRIBUTES:
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


_PICTURES = frozenset({"png", "jpg", "gif", "webp", "avif"})


def file_copy(name: str, source_url: str, title: str) -> str:
    """The readable copy of a cited file that is no page (a PDF, an image …): a link to the
    file, kept beside it under name, and the picture itself for an image; as inert as every
    copy. Raises UnsafeCopy if it does not pass verify_inert (it always should)."""
    shown = html.escape(name)
    picture = f'<p><img src="{shown}" alt=""></p>' if name.rpartition(".")[2] in _PICTURES else ""
    document = (
        f"<!DOCTYPE html><html><head>{_head_html()}<title>{html.escape(title or name)}"
        f"</title></head><body><p>The file cited at {html.escape(source_url)}, as it was "
        f'captured: <a href="{shown}">{shown}</a></p>{picture}</body></html>'
    )
    verify_inert(document)
    return document


def readable_copy(
    page_html: str,
    base_url: str,
    local_images: Mapping[str, str],
    banner: Banner,
    linked_sheets: Sequence[tuple[str, str]] = (),
) -> str:
    """local_images maps an image's (or a font's) resolved URL to its path relative to
    page.html; linked_sheets: the (URL, text) of the stylesheets the page links, kept as
    its look where they pass the same rules as its own <style> (every url() local).
    Raises UnsafeCopy if the result does not pass verify_inert (it always should)."""
    tree = LexborHTMLParser(page_html)
    writer = _Writer(document_base(tree, base_url), local_images)
    linked = "".join(_Writer(url, local_images).sheet(text) for url, text in linked_sheets)
    sheets = linked + "".join(writer.sheet(node.text(deep=True)) for node in _page_styles(tree))
    root = tree.root
    lang = root.attributes.get("lang") if root is not None and root.tag == "html" else None
    lang_attribute = f' lang="{lang}"' if lang and _LANG.match(lang) else ""
    body = tree.body
    content = "".join(writer.children(body)) if body is not None else ""
    title = html.escape(banner.title or urlsplit(banner.source_url).hostname or "", quote=False)
    document = (
        f"<!DOCTYPE html><html{lang_attribute}><head>{_head_html()}<title>{title}</title>"
        f"<style>{sheets}</style></head><body>{_banner_html(banner)}{content}</body></html>"
    )
    verify_inert(document)
    return document


def _page_styles(tree: LexborHTMLParser) -> Iterator[LexborNode]:
    """The page's own <style> sheets in the HTML namespace (not inside svg or math)."""
    for node in tree.css("style"):
        ancestor = node.parent
        while ancestor is not None and ancestor.tag not in ("svg", "math", "template"):
            ancestor = ancestor.parent
        if ancestor is None:
            yield node


class _Writer:
    """Writes an allow-listed copy of a parsed tree; iterative, so depth costs no stack."""

    def __init__(self, base_url: str, local_images: Mapping[str, str]) -> None:
        self._base_url = base_url
        self._local_images = local_images

    def children(self, parent: LexborNode) -> Iterator[str]:
        # Each entry: a node to write, or a closing tag (a str) to emit on the way back.
        stack: list[LexborNode | str] = list(_reversed_children(parent))
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                yield item
                continue
            tag = item.tag or ""
            if tag == "-text":
                yield html.escape(item.text_content or "", quote=False)
            elif tag.startswith(("-", "_", "!")) or tag in _DROPPED:
                continue  # comments, doctype, dropped elements
            elif tag in _KEPT:
                yield self._start_tag(item, tag)
                if tag not in _VOID:
                    stack.append(f"</{tag}>")
                    stack.extend(_reversed_children(item))
            else:
                stack.extend(_reversed_children(item))  # unwrapped

    def _start_tag(self, node: LexborNode, tag: str) -> str:
        attributes = self._attributes(node, tag)
        written = "".join(
            f' {name}="{_attribute_value(value)}"' for name, value in attributes.items()
        )
        return f"<{tag}{written}>"

    def _attributes(self, node: LexborNode, tag: str) -> dict[str, str]:
        allowed = _GLOBAL_ATTRIBUTES | _ATTRIBUTES.get(tag, frozenset())
        kept: dict[str, str] = {}
        for name, value in node.attributes.items():
            name = name.lower()
            if name in allowed and name not in ("href", "style"):
                kept[name] = value or ""
        style = node.attributes.get("style")
        if style:
            cleaned = self._style(style, hidden_ok=kept.get("id") != "js_content")
            if cleaned:
                kept["style"] = cleaned
        if kept.get("id") == "js_content":  # WeChat's body is hidden until its scripts run
            kept["style"] = ("visibility: visible; " + kept.get("style", "")).strip()
        if tag == "a":
            href = self._href(node.attributes.get("href"))
            if href is not None:
                kept["href"] = href
                kept["rel"] = "noopener noreferrer"
        if tag == "img":
            original = _image_source(node)
            local = self._local_images.get(urljoin(self._base_url, original)) if original else None
            if local is not None:
                kept["src"] = local
        return kept

    def _href(self, value: str | None) -> str | None:
        """Links stay links (they load nothing until clicked), to web pages and mail only."""
        if not value or not value.strip():
            return None
        value = "".join(value.split())  # browsers ignore white space in a URL's scheme
        if value.startswith("#"):
            return value
        try:
            absolute = urljoin(self._base_url, value)
            scheme = urlsplit(absolute).scheme.lower()
        except ValueError:
            return None
        return absolute if scheme in _LINK_SCHEMES else None

    def _style(self, style: str, *, hidden_ok: bool = True) -> str:
        css = self._css(style)
        return css if hidden_ok else _HIDDEN.sub("", css).strip()

    def sheet(self, text: str) -> str:
        return self._css(text)

    def _css(self, text: str) -> str:
        """CSS that loads nothing remote and cannot run: comments, escapes and @import go,
        url() points at a local copy or becomes none; anything else suspicious drops it all.
        Escapes go because they can spell url( or a closing tag in ways a regex misses."""
        css = _CSS_IMPORT.sub("", _CSS_COMMENT.sub("", text)).replace("\\", "")
        css = css.replace("<", "")  # no "</style" can end the sheet early
        if _CSS_FORBIDDEN.search(css):
            return ""
        return _STYLE_URL.sub(self._local_url, css).strip()

    def _local_url(self, match: re.Match[str]) -> str:
        target = match.group(1).strip()
        if target.lower().startswith("data:image/") and '"' not in target:
            return f'url("{target}")'  # self-contained, loads nothing
        local = self._local_images.get(urljoin(self._base_url, target))
        return f"url('{local}')" if local else "none"


def _attribute_value(value: str) -> str:
    """Escaped for a double-quoted attribute (a single quote needs no escape there)."""
    return html.escape(value, quote=False).replace('"', "&quot;")


def _reversed_children(node: LexborNode) -> list[LexborNode]:
    children = []
    child = node.child
    while child is not None:
        children.append(child)
        child = child.next
    children.reverse()
    return children


def verify_inert(document: str) -> None:
    """Parse the copy again and refuse it unless nothing in it can run or load."""
    tree = LexborHTMLParser(document)
    head = tree.head
    first = head.child if head is not None else None
    if (
        first is None
        or first.tag != "meta"
        or (first.attributes.get("http-equiv") or "").lower() != "content-security-policy"
        or first.attributes.get("content") != CSP
    ):
        raise UnsafeCopy("the readable copy does not start its <head> with the CSP")
    allowed = _KEPT | {"html", "head", "body", "meta", "title", "style"}
    root = tree.root
    for node in root.traverse(include_text=False) if root is not None else ():
        tag = node.tag or ""
        if tag.startswith(("-", "_", "!")):
            continue
        if tag not in allowed:
            raise UnsafeCopy(f"the readable copy holds a <{tag}> element")
        for name, value in node.attributes.items():
            _verify_attribute(tag, name.lower(), value or "")
    for node in tree.css("style"):
        _verify_css(node.text(deep=True))


# An image carried inside the copy (an SVG, whose scripts an <img> never runs).
_INLINE_IMAGE = re.compile(r"data:image/(?:svg\+xml|png|jpeg|gif|webp|avif);base64,[A-Za-z0-9+/=]*")


def _verify_attribute(tag: str, name: str, value: str) -> None:
    squeezed = "".join(value.split()).lower()
    if name.startswith("on") or "javascript:" in squeezed or "vbscript:" in squeezed:
        raise UnsafeCopy(f"the readable copy has {name}= on <{tag}>")
    if name == "src":
        remote = urlsplit(value).scheme or value.startswith("//")
        inline = tag == "img" and _INLINE_IMAGE.fullmatch(value)  # an image inside the copy
        if remote and not inline:
            raise UnsafeCopy(f"the readable copy loads {value[:80]!r}")
    if name == "style":
        _verify_css(value)


def _verify_css(css: str) -> None:
    if _CSS_FORBIDDEN.search(css) or "@import" in css.lower():
        raise UnsafeCopy("the readable copy has CSS that could run or load")
    for match in _STYLE_URL.finditer(css):
        target = match.group(1).strip().lower()
        if not (target.startswith(("assets/", "data:image/")) or target == ""):
            raise UnsafeCopy(f"the readable copy's CSS loads {match.group(1)!r}")


def _head_html() -> str:
    return (
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}">'
        '<meta charset="utf-8"><meta name="referrer" content="no-referrer">'
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
