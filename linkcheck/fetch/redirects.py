"""What a redirect chain says about a link: where it should point now, and which kind of
change that is (DESIGN.md §3: an http→https or trailing-slash hop is reported as such, so
users can choose to accept it). Pure; shared by the generic classifier and the host rules.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from ..extract.normalize import redirect_target
from ..models import Hop

_PERMANENT = frozenset({301, 308})


def _redirect_kind(source: str, target: str) -> str:
    """How a permanent redirect changes the URL: users may choose to accept the first two;
    a downgrade to http is said as such (`fix` never writes one)."""
    a, b = urlsplit(source), urlsplit(target)
    if (a.scheme, b.scheme) == ("https", "http"):
        return "https-downgrade"
    if (a.scheme, b.scheme) == ("http", "https") and (a.netloc, a.path, a.query) == (
        b.netloc,
        b.path,
        b.query,
    ):
        return "https-upgrade"
    same_but_path = (a.scheme, a.netloc, a.query) == (b.scheme, b.netloc, b.query)
    if same_but_path and a.path.rstrip("/") == b.path.rstrip("/"):
        return "trailing-slash"
    return "moved-permanently"


def permanent_target(hops: tuple[Hop, ...]) -> tuple[str, str] | None:
    """Where the link should point after its run of permanent redirects, and which kind
    of change that is. A temporary redirect first means the link itself is fine."""
    url, kinds = None, []
    for hop in hops:
        if hop.status not in _PERMANENT or not hop.location:
            break
        target = urljoin(hop.url, hop.location)
        kinds.append(_redirect_kind(hop.url, target))
        url = target
    if url is None or url == hops[0].url:
        return None
    kind = kinds[0] if len(set(kinds)) == 1 else "moved-permanently"
    return url, kind


def status_chain(hops: tuple[Hop, ...]) -> str:
    """The statuses of a chain as reports show it: 301 → 200."""
    return " → ".join(str(hop.status) for hop in hops)


def moved_detail(hops: tuple[Hop, ...], url: str) -> str:
    """What a redirected verdict says: 301 → 200: now at URL."""
    return f"{status_chain(hops)}: now at {url}"


REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RedirectChain:
    """Following one chain by hand, as the checker and the archiver both do: where the
    next hop goes, and when to stop (a loop, or more than max_redirects)."""

    def __init__(self, url: str, max_redirects: int) -> None:
        self.current = url
        self._seen = {url}
        self._followed = 0
        self._max = max_redirects

    def follow(self, location: str) -> tuple[str, str] | None:
        """Move to where location leads; (error, detail) when the chain must stop there."""
        self.current = redirect_target(self.current, location)
        self._followed += 1
        if self.current in self._seen:
            return "redirect-loop", f"back to {self.current}"
        if self._followed > self._max:
            return "too-many-redirects", f"more than {self._max}"
        self._seen.add(self.current)
        return None
