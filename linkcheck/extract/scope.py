"""Which kind of place a URL points to."""

from __future__ import annotations

import re

from ..models import Scope

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_EXTERNAL_SCHEMES = frozenset({"http", "https", "ftp"})


def scope_of(url: str) -> Scope:
    if url.startswith("//"):  # protocol-relative: the page's scheme, on the network
        return Scope.EXTERNAL
    if url.startswith("#"):
        return Scope.FRAGMENT
    match = _SCHEME_RE.match(url)
    if match is None:
        return Scope.LOCAL
    scheme = match.group(1).lower()
    if scheme in _EXTERNAL_SCHEMES:
        return Scope.EXTERNAL
    if scheme == "mailto":
        return Scope.MAIL
    return Scope.OTHER
