"""The bare-URL scanner: GFM's autolink extension, made right for Chinese prose.

Pure functions over one string. The rules follow the GFM spec's "Autolinks (extension)"
(www., http(s)://, ftp://, e-mail) and cmark-gfm's trailing-punctuation handling, with one
addition for text where URLs are glued to Chinese prose.

The CJK boundary rule, decided from the real blog linkcheck is built for (25 places where
non-ASCII text follows a URL, in 817 posts):

* Every one of the 11 genuine Chinese-path URLs enters Chinese *at the start of a path
  segment* (``/item/图灵机``, ``/wiki/迁移学习``, ``/tag/强化学习/``, ``/pdf/生成模型-…``) and sits
  on a line of its own.
* Every one of the 14 glued-prose cases enters Chinese in the *middle* of an ASCII token
  (``source.android.com下``, ``updates.xml的内容``, ``…Ew看破``), with full-width
  punctuation (``/，``), or is itself preceded by Chinese (``见https://…``, ``（https://…``).

So: a URL preceded by a CJK character is embedded in prose and ends at the first CJK
character. Otherwise a CJK *letter* may continue the URL only right after ``/ = # ( _ -``
(the start of a segment, query value or fragment); from then on the URL may hold any
non-space character (``当变分推断（variational-inference）遇上…/`` stays whole), and trailing
CJK punctuation and unbalanced full-width brackets are trimmed like ASCII ones. Non-CJK
non-ASCII characters (``Maxwell–Boltzmann``, accented letters) follow GFM: they are part of
the URL.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

# What may start a URL. A scheme is read backwards from its "://": searching for literals
# is four times faster than for the schemes' case-insensitive letters.
_START_RE = re.compile(r"://|www\.|@")
_SCHEMES = ("https", "http", "ftp")
_AUTHORITY_END = re.compile(r"[/?#]")
_WWW_HOST_END = re.compile(r"[/?#:]")
_RUN_RE = re.compile(r"[^\s<]*")
_EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_")
_EMAIL_DOMAIN_RE = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")
_ENTITY_TAIL_RE = re.compile(r"&[A-Za-z0-9]+;$")
_HOST_RE = re.compile(r"[\w.-]+", re.UNICODE)

# GFM: www. autolinks must follow start of text, whitespace, or one of these.
_WWW_PRECEDERS = frozenset("*_~(")
_ASCII_TRAILING = frozenset("?!.,:*_~'\";")
_SEGMENT_STARTERS = frozenset("/=#(_-")
_CLOSERS = {
    ")": "(",
    "]": "[",
    "）": "（",
    "】": "【",
    "」": "「",
    "』": "『",
    "》": "《",
    "〉": "〈",
}
# Punctuation of Chinese prose that is not in a CJK block: curly quotes, em dash, ellipsis.
_PROSE_PUNCTUATION = frozenset("‘’‚‛“”„‟—…")


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs, kana, hangul, CJK punctuation and full-width forms."""
    cp = ord(ch)
    return (
        0x2E80 <= cp <= 0x2FDF
        or 0x3000 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xA960 <= cp <= 0xA97F
        or 0xAC00 <= cp <= 0xD7AF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFE10 <= cp <= 0xFE1F
        or 0xFE30 <= cp <= 0xFE4F
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
        or ch in _PROSE_PUNCTUATION
    )


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


@dataclass(frozen=True, slots=True)
class BareUrl:
    start: int  # offset of the first character in the scanned text
    raw: str  # the characters as written
    url: str  # with the scheme GFM gives it: http:// for www., mailto: for e-mail

    @property
    def is_mail(self) -> bool:
        return self.url.startswith("mailto:")


class Spans:
    """Sorted, non-overlapping [start, end) ranges of text the scanner must not enter."""

    def __init__(self, spans: Sequence[tuple[int, int]] = ()) -> None:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def covering(self, pos: int) -> int | None:
        """The end of the span that contains pos, if any."""
        i = bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self._ends[i]:
            return self._ends[i]
        return None

    def next_start(self, pos: int, default: int) -> int:
        i = bisect_right(self._starts, pos)
        return self._starts[i] if i < len(self._starts) else default

    def previous_end(self, pos: int) -> int:
        i = bisect_right(self._starts, pos) - 1
        return self._ends[i] if i >= 0 else 0


_NO_SPANS = Spans()


def find_bare_urls(text: str, masked: Spans = _NO_SPANS) -> list[BareUrl]:
    """Every bare URL and e-mail address in text, outside the masked spans, in order."""
    found: list[BareUrl] = []
    pos = 0
    end_of_text = len(text)
    while True:
        match = _START_RE.search(text, pos)
        if match is None:
            return found
        token = match.group()
        start = match.start()
        if token == "://":
            start = _scheme_start(text, start)
            if start < pos:
                pos = match.end()
                continue
        inside = masked.covering(start)
        if inside is not None:
            pos = max(inside, match.end())
            continue
        limit = masked.next_start(start, end_of_text)
        if token == "@":
            floor = max(masked.previous_end(start), found_end(found))
            hit = _email_at(text, start, floor, limit)
        elif token == "www.":
            hit = _www_at(text, start, limit)
        else:
            hit = _scheme_url_at(text, start, match.end(), limit)
        if hit is None:
            pos = match.end()
            continue
        found.append(hit)
        pos = hit.start + len(hit.raw)


def _scheme_start(text: str, colon: int) -> int:
    """Where the http(s)/ftp scheme before "://" at colon starts; -1 if there is none.
    cmark-gfm rewinds over ASCII letters only, so "foohttp://" is no link but "见https://"
    and "1http://" are."""
    for scheme in _SCHEMES:
        start = colon - len(scheme)
        if start >= 0 and text[start:colon].lower() == scheme:
            before = text[start - 1] if start > 0 else " "
            return -1 if before.isascii() and before.isalpha() else start
    return -1


def found_end(found: list[BareUrl]) -> int:
    return found[-1].start + len(found[-1].raw) if found else 0


def _scheme_url_at(text: str, start: int, after_scheme: int, limit: int) -> BareUrl | None:
    run = _RUN_RE.match(text, after_scheme, limit)
    rest = run.group() if run else ""
    rest = _cut_at_prose(text, start, after_scheme, rest)
    candidate = _trim_trailing(text[start:after_scheme] + rest, _opened_by_underscore(text, start))
    if not _valid_host(candidate[after_scheme - start :]):
        return None
    return BareUrl(start, candidate, candidate)


def _www_at(text: str, start: int, limit: int) -> BareUrl | None:
    if start > 0:
        before = text[start - 1]
        if not (before.isspace() or before in _WWW_PRECEDERS or is_cjk(before)):
            return None
    run = _RUN_RE.match(text, start, limit)
    run_text = _cut_at_prose(text, start, start, run.group() if run else "")
    candidate = _trim_trailing(run_text, _opened_by_underscore(text, start))
    host = _WWW_HOST_END.split(candidate, maxsplit=1)[0]
    if not _valid_gfm_domain(host):
        return None
    return BareUrl(start, candidate, "http://" + candidate)


def _email_at(text: str, at: int, floor: int, limit: int) -> BareUrl | None:
    local_start = at
    while local_start > floor and text[local_start - 1] in _EMAIL_LOCAL_CHARS:
        local_start -= 1
    if local_start == at:
        return None
    domain = _EMAIL_DOMAIN_RE.match(text, at + 1, limit)
    if domain is None or domain.group()[-1] in "-_":
        return None
    raw = text[local_start : domain.end()]
    return BareUrl(local_start, raw, "mailto:" + raw)


def _valid_gfm_domain(host: str) -> bool:
    """GFM "valid domain": alphanumeric, '_' and '-' segments separated by '.', at least
    one period, no underscore in the last two segments."""
    segments = host.split(".")
    if len(segments) < 2 or not all(segments):
        return False
    if any(not re.fullmatch(r"[\w-]+", s) for s in segments):
        return False
    return all("_" not in s for s in segments[-2:])


def _valid_host(authority_and_rest: str) -> bool:
    authority = _AUTHORITY_END.split(authority_and_rest, maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    if host.startswith("["):  # IPv6 literal
        return "]" in host
    host = host.split(":", 1)[0]
    return bool(host) and _HOST_RE.fullmatch(host) is not None and host[0] not in ".-"


def _opened_by_underscore(text: str, start: int) -> bool:
    """An emphasis opened by `_` right before the URL, which a trailing `_` closes."""
    return start > 0 and text[start - 1] == "_"


def _cut_at_prose(text: str, url_start: int, run_start: int, run: str) -> str:
    """Apply the CJK boundary rule (module docstring) to the run of non-space characters.
    A URL glued to prose (a CJK character right before it, as in 词条：https://…) keeps
    a Chinese path segment only where it starts right after a "/", and only up to the
    first CJK punctuation (the sentence goes on there)."""
    if run.isascii():
        return run
    in_prose = url_start > 0 and is_cjk(text[url_start - 1])
    starters = "/" if in_prose else _SEGMENT_STARTERS
    in_cjk_segment = False
    for i, ch in enumerate(run):
        if not is_cjk(ch):
            continue
        if in_cjk_segment:
            if in_prose and not _is_letter(ch):
                return run[:i]
            continue
        before = run[i - 1] if i > 0 else text[run_start - 1]
        if before in starters and _is_letter(ch):
            in_cjk_segment = True
        else:
            return run[:i]
    return run


def _trim_trailing(url: str, underscore_closes: bool = False) -> str:
    """Drop trailing punctuation that belongs to the sentence, not the URL (GFM rules,
    extended to full-width punctuation). A trailing `_` stays (a URL may end in one, and
    lychee keeps it) unless it closes an emphasis opened by `_` right before the URL."""
    while url:
        last = url[-1]
        if last == "_" and not underscore_closes:
            return url
        if last == ";":
            entity = _ENTITY_TAIL_RE.search(url)
            url = url[: entity.start()] if entity else url[:-1]
        elif last in _CLOSERS:
            if url.count(last) > url.count(_CLOSERS[last]):
                url = url[:-1]
            else:
                return url
        elif last in _ASCII_TRAILING or (is_cjk(last) and not _is_letter(last)):
            url = url[:-1]
        else:
            return url
    return url
