"""The user's cookies (`--cookies cookies.txt`, and per host in the config file) and the
ones servers set during the run: sent over HTTPS only, only to hosts their domain matches
(a cookie for .zhihu.com never reaches zhihu.com.evil.cn), never for a public suffix (a
cookie for .com.cn is dropped: the Public Suffix List decides), asked again on every hop of
a redirect chain. They are secrets: nothing here prints them, and the archive redacts the
Cookie header of every WARC request record.

The file is the Netscape/Mozilla format that browser extensions export and curl `-b` and
yt-dlp read, parsed by the standard library's MozillaCookieJar."""

from __future__ import annotations

import email.message
import http.cookiejar
import urllib.request
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..domains import nearest_domain
from ..errors import ConfigError


@lru_cache(maxsize=1)
def _suffixes() -> object:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def is_public_suffix(domain: str) -> bool:
    """com, com.cn, github.io: names under which anyone may register."""
    return bool(_suffixes().is_public(domain.lstrip(".").lower()))  # type: ignore[attr-defined]


class _Policy(http.cookiejar.DefaultCookiePolicy):
    def __init__(self) -> None:
        # A cookie without a Domain (cookies.txt's FALSE) goes to its own host only, as a
        # browser sends it; the standard library's lax default sends it to subdomains too.
        super().__init__(strict_ns_domain=http.cookiejar.DefaultCookiePolicy.DomainStrictNonDomain)

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return not is_public_suffix(cookie.domain) and super().set_ok(cookie, request)

    def return_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        if request.type != "https" or is_public_suffix(cookie.domain):
            return False
        return super().return_ok(cookie, request)


def load_jar(path: str) -> http.cookiejar.CookieJar:
    """The cookies of a cookies.txt file, expired ones left out. Raises ConfigError, which
    names the line at fault but never shows it: it may hold a cookie's value."""
    import warnings

    jar = http.cookiejar.MozillaCookieJar(policy=_Policy())
    try:
        _check_lines(path)
        # The standard library reports a line it cannot read as a warning with a traceback
        # that quotes it; the error below says what is wrong instead.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jar.load(path, ignore_discard=True, ignore_expires=False)
    except http.cookiejar.LoadError:  # an OSError too: first
        raise ConfigError(
            f"cookies {path}: cannot read a cookies.txt: not the Netscape format (its first "
            "line must be "
            "'# Netscape HTTP Cookie File')"
        ) from None
    except OSError as error:
        raise ConfigError(f"cookies {path}: cannot read a cookies.txt: {error}") from None
    jar.clear_expired_cookies()
    return jar


_COOKIE_FIELDS = 7  # domain, subdomains, path, secure, expires, name, value
_HTTP_ONLY = "#HttpOnly_"  # a cookie line, not a comment (curl's export)


def _check_lines(path: str) -> None:
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line.strip() or (line.startswith("#") and not line.startswith(_HTTP_ONLY)):
                continue
            fields = line.split("\t")
            if len(fields) != _COOKIE_FIELDS or not (fields[4] == "" or fields[4].isdigit()):
                raise ConfigError(
                    f"cookies {path}:{number}: cannot read a cookies.txt: not a cookies.txt "
                    "line (7 fields separated by tabs: domain, subdomains, path, secure, "
                    "expiry in seconds, name, value); the line is not shown, as it may hold "
                    "a secret"
                )


class CookieStore:
    """One jar for the cookies every host may get (the global file), one per host of the
    hosts table's `cookies` (those go to that host and its subdomains only)."""

    def __init__(
        self, shared: http.cookiejar.CookieJar, per_host: Mapping[str, http.cookiejar.CookieJar]
    ) -> None:
        self._shared = shared
        self._per_host = dict(per_host)

    @classmethod
    def load(cls, shared: str | None, per_host: Iterable[tuple[str, str]]) -> CookieStore:
        jar = load_jar(shared) if shared else http.cookiejar.CookieJar(policy=_Policy())
        return cls(jar, {host: load_jar(path) for host, path in per_host})

    def _jars(self, host: str) -> list[http.cookiejar.CookieJar]:
        own = nearest_domain(host, self._per_host)
        return [self._shared] if own is None else [self._shared, self._per_host[own]]

    def header_for(self, url: str, host: str) -> str | None:
        """The Cookie header for a request to url, or None."""
        values = []
        for jar in self._jars(host):
            request = urllib.request.Request(url)
            jar.add_cookie_header(request)
            found = request.get_header("Cookie")
            if found:
                values.append(found)
        return "; ".join(values) or None

    def remember(self, url: str, host: str, set_cookies: list[str]) -> None:
        """Cookies a server set in its answer to url, kept for the run."""
        if not set_cookies:
            return
        headers = email.message.Message()
        for value in set_cookies:
            headers["Set-Cookie"] = value
        request = urllib.request.Request(url)
        self._jars(host)[-1].extract_cookies(_Answer(headers), request)  # type: ignore[arg-type]


class _Answer:
    """What CookieJar.extract_cookies reads of a response."""

    def __init__(self, headers: email.message.Message) -> None:
        self._headers = headers

    def info(self) -> email.message.Message:
        return self._headers


def check_cookie_file(path: str, *, name: str) -> None:
    if not Path(path).is_file():
        raise ConfigError(f"{name}: {path}: no such file")
    load_jar(path)


def set_cookie_line(cookie: Mapping[str, Any]) -> str:
    """A browser's cookie (DevTools' name, value, domain, path, secure) as the Set-Cookie
    header that makes the same cookie: a domain with a leading dot covers subdomains."""
    line = f"{cookie.get('name', '')}={cookie.get('value', '')}; Path={cookie.get('path') or '/'}"
    domain = str(cookie.get("domain") or "")
    if domain.startswith("."):
        line += f"; Domain={domain}"
    if cookie.get("secure"):
        line += "; Secure"
    return line
