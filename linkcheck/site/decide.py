"""Verdicts for links into the blog's own site, decided from its sources without the
network: a site path or own-domain URL that a post, page or file produces is alive; one
that nothing produces is dead when the site model is sure, unknown when a plugin may write
it; a relative link is resolved from the page's published URL, as a browser resolves it;
a #fragment must be an anchor the target page will have."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..models import BROKEN_UNDER_PERMALINK, Status, Verdict
from . import Sites
from .model import MARKDOWN_FILES, Page, Site, address_of

# Paths that name a page rather than a file that must exist as it is.
_PAGE_SUFFIXES = frozenset({"", ".html", ".htm", ".xhtml"})
# Fragments every page has: "#top" scrolls to the top (HTML's "indicated part" rules).
_ALWAYS_THERE = frozenset({"", "top"})


def _beside(source_file: str, relative: str) -> Path | None:
    """The file a relative link names from its source, or None for a path no file can
    have (a NUL byte from %00, a symlink loop): the file rules then say what it is."""
    try:
        return (Path(source_file).resolve().parent / unquote(relative)).resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def site_verdict(url: str, source_file: str, sites: Sites) -> Verdict | None:
    """The verdict for a local link (``/a/b.html#x``, ``../images/x.png``, ``#x``) of a
    post in a known site; None when no site model applies (the caller judges by files)."""
    site = sites.site_of(source_file)
    if site is None or "\0" in unquote(url):
        return None
    path, _, fragment = url.partition("#")
    path = path.partition("?")[0]
    pages = site.pages_of(Path(source_file))
    if not pages:  # not a page of the site: the file's own folder is the base
        return None
    if not path:
        return _in_page(sites, site, pages[0], fragment)
    if site.repository:  # GitHub: the anchors of Markdown files, the rest by the files
        return _in_repository(sites, site, source_file, path, fragment)
    if path.startswith("/"):
        return _at(sites, site, path, fragment)
    if site.relative_to_source:
        return _from_source(sites, site, source_file, path, fragment)
    # Relative: resolved from the published page; where it may be published at several
    # URLs, one that works is enough.
    verdicts = [(page, _at(sites, site, site.resolve(page, path), fragment)) for page in pages]
    working = next((v for _, v in verdicts if v.status is not Status.DEAD), None)
    if working is not None:
        return working
    own, verdict = verdicts[0]
    target = site.resolve(own, path)
    return _broken_under_permalink(site, own, source_file, path, target) or verdict


def _in_repository(
    sites: Sites, site: Site, source_file: str, path: str, fragment: str
) -> Verdict | None:
    """A relative link from a Markdown file of a repository (GitHub resolves it from the
    file): its fragment checked when it names a Markdown file of the repository; None
    for everything else, judged by the files as before."""
    if path.startswith("/") or not fragment:
        return None
    target = _beside(source_file, path)
    pages = site.pages_of(target) if target is not None else []
    return _in_page(sites, site, pages[0], fragment) if pages else None


def _from_source(sites: Sites, site: Site, source_file: str, path: str, fragment: str) -> Verdict:
    """A relative link the generator resolves from the Markdown file (MkDocs): the page
    built from the file it names, or the file itself."""
    target = _beside(source_file, path)
    if target is None:
        return Verdict(Status.UNKNOWN, "invalid-url", detail="no file can have this path")
    pages = site.pages_of(target)
    if pages:
        return _in_page(sites, site, pages[0], fragment)
    url = site.served_url(target) if target.is_file() else None
    if url is not None:
        return Verdict(Status.ALIVE, "file-exists", detail=f"the site serves {_shown(target)}")
    reason = "page-missing" if target.suffix.lower() in MARKDOWN_FILES else "file-missing"
    return Verdict(Status.DEAD, reason, detail=f"no file at {_shown(target)}")


def source_of(url: str, source_file: str, sites: Sites) -> Path | None:
    """The file in the sources a local link reaches on the published site: the post or
    page built at that URL, or the file served as is; None when no site model applies."""
    site = sites.site_of(source_file)
    path = url.partition("#")[0].partition("?")[0]
    if site is None or not path or "\0" in unquote(path):
        return None
    if not path.startswith("/"):
        pages = site.pages_of(Path(source_file))
        if not pages:
            return None
        path = site.resolve(pages[0], path)
    page = site.page_at(path)
    return page.source if page is not None else site.static_file(path)


def own_domain_verdict(url: str, source_file: str, sites: Sites) -> Verdict | None:
    """A full URL on one of the site's own domains, decided like the site path it names."""
    site = sites.site_of(source_file)
    if site is None or not (site.domains or sites.base_urls):
        return None
    host, _ = address_of(url)  # "" for a malformed URL: the plan says so (invalid-url)
    if not host:
        return None
    parts = urlsplit(url)
    path = unquote(parts.path) or "/"
    if "\0" in path:
        return None
    for domain, prefix in [*((d, site.base_path) for d in site.domains), *sites.base_urls]:
        if host != domain:
            continue
        if prefix and not (path == prefix or path.startswith(prefix + "/")):
            continue
        local = site.without_base(path) if prefix == site.base_path else path[len(prefix) :]
        return _at(sites, site, local or "/", parts.fragment)
    return None


def _at(sites: Sites, site: Site, path: str, fragment: str) -> Verdict:
    page = site.page_at(path)
    if page is not None:
        return _in_page(sites, site, page, fragment)
    static = site.static_file(path)
    if static is not None:
        return Verdict(Status.ALIVE, "file-exists", detail=f"the site serves {_shown(static)}")
    local = site.without_base(unquote(path))
    if site.generated is not None and site.generated.match(local):
        return Verdict(
            Status.UNKNOWN,
            "page-not-in-sources",
            detail=f"{site.generator} writes pages such as {path} without a source of their own",
        )
    suffix = os.path.splitext(unquote(path).rstrip("/"))[1].lower()
    if suffix not in _PAGE_SUFFIXES:
        elsewhere = sites.same_name(site, path)
        hint = f"; a file of that name is at {', '.join(elsewhere)}" if elsewhere else ""
        return Verdict(Status.DEAD, "file-missing", detail=f"the site has no {path}{hint}")
    looks_like_post = site.post_pattern is not None and site.post_pattern.fullmatch(local)
    if not (site.complete or looks_like_post):
        return Verdict(
            Status.UNKNOWN,
            "page-not-in-sources",
            detail=f"no post or page is published at {path}, but a plugin of the site may write it",
        )
    nearest = site.suggest(path)
    hint = f"; did you mean {', '.join(nearest)}" if nearest else ""
    return Verdict(
        Status.DEAD, "page-missing", detail=f"no post or page is published at {path}{hint}"
    )


def _in_page(sites: Sites, site: Site, page: Page, fragment: str) -> Verdict:
    alive = Verdict(Status.ALIVE, "page-exists", detail=f"built from {_shown(page.source)}")
    wanted = unquote(fragment)
    if wanted in _ALWAYS_THERE:
        return alive
    anchors = sites.anchors(site, page)
    if anchors is None:
        return Verdict(
            Status.UNKNOWN,
            "fragment-unreadable",
            detail=f"{_shown(page.source)} could not be read to find #{wanted}",
        )
    if wanted in anchors:
        return Verdict(Status.ALIVE, "anchor-exists", detail=f"#{wanted} in {page.url}")
    same_but_case = [a for a in anchors if a.lower() == wanted.lower()]
    if same_but_case:  # such links work on the real blog (GitHub Pages): never call them dead
        return Verdict(
            Status.ALIVE,
            "anchor-exists",
            detail=f"#{wanted} in {page.url}, written there as #{same_but_case[0]}",
        )
    nearest = difflib.get_close_matches(wanted, sorted(anchors), n=3, cutoff=0.5)
    if nearest:
        hint = f"; nearest: {', '.join('#' + a for a in nearest)}"
    else:
        hint = f"; it has {', '.join('#' + a for a in sorted(anchors)[:5])}" if anchors else ""
    return Verdict(
        Status.DEAD,
        "fragment-missing",
        detail=f"{page.url} has no anchor #{wanted} (ids made as {site.dialect} makes them){hint}",
    )


def _broken_under_permalink(
    site: Site, own: Page, source_file: str, path: str, target: str
) -> Verdict | None:
    """A relative link that works from the file but not from the published page: the path
    that works is given (fix writes it)."""
    from_file = _beside(source_file, path.partition("?")[0])
    working = site.served_url(from_file) if from_file and from_file.is_file() else None
    if working is None or site.static_file(working) is None:
        return None
    return Verdict(
        Status.DEAD,
        BROKEN_UNDER_PERMALINK,
        final_url=working,
        detail=f"on the published page {own.url} this is {target}, which the site does not "
        f"have; it works only from the source file: write {working}",
    )


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
