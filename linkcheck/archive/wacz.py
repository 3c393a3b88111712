"""The archive as one WACZ 1.1.1 file (Webrecorder's Web Archive Collection Zipped), the
format ReplayWeb.page, browsertrix and ArchiveBox exchange (docs/SOURCES.md): every
snapshot's WARC stored as it is, a CDXJ index made by cdxj-indexer (Webrecorder's own, with
its SURT keys) as `indexes/index.cdx`, `pages/pages.jsonl` listing every page with its
title and capture time, and `datapackage.json` with the SHA-256 and size of each file.

Written in one pass into a temporary file beside the output, renamed into place at the end
(atomic.replacing): a crash leaves the old file or none, never half a WACZ.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ..atomic import replacing
from ..version import __version__
from .store import Snapshot

WACZ_VERSION = "1.1.1"
_PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}


def _iso_z(text: str) -> str:
    """An ISO 8601 time in UTC ending in Z (py-wacz refuses +00:00)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cdxj_lines(warc: Path, name: str) -> list[str]:
    """The CDXJ lines of one WARC, its records named as they are inside the WACZ."""
    from cdxj_indexer.main import write_cdx_index  # only for an export to WACZ

    out = io.StringIO()
    with warc.open("rb") as source:
        # post_append: a POST (a page's fetch or XHR) is keyed with its method and body, as
        # pywb and ReplayWeb.page look it up (py-wacz indexes so too).
        write_cdx_index(out, source, {"filename": name, "post_append": True})
    return [line for line in out.getvalue().splitlines() if line.strip()]


def write_wacz(output: Path, snapshots: Sequence[tuple[Snapshot, Path]]) -> int:
    """Every (snapshot, its WARC file) into output, a WACZ; how many pages it lists."""
    resources: list[dict[str, object]] = []

    def listed(path: str, digest: str, size: int) -> None:
        name = path.rsplit("/", 1)[-1].lower()  # a Data Package name: lower case
        resources.append({"name": name, "path": path, "hash": f"sha256:{digest}", "bytes": size})

    def add(archive: zipfile.ZipFile, path: str, data: bytes) -> None:
        archive.writestr(path, data, compress_type=zipfile.ZIP_DEFLATED)
        listed(path, hashlib.sha256(data).hexdigest(), len(data))

    def add_warc(archive: zipfile.ZipFile, path: str, warc: Path) -> None:
        """A WARC stored as it is (WACZ: never compressed again), read in pieces."""
        digest = hashlib.sha256()
        with warc.open("rb") as source, archive.open(path, "w") as target:
            while piece := source.read(1 << 20):
                digest.update(piece)
                target.write(piece)
        listed(path, digest.hexdigest(), warc.stat().st_size)

    index: list[str] = []
    pages = [json.dumps(_PAGES_HEADER)]
    with replacing(output) as sink, zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as archive:
        for snapshot, warc in snapshots:
            name = f"{snapshot.id}.warc.gz"  # ids are unique: no two WARCs of one name
            add_warc(archive, f"archive/{name}", warc)
            index += _cdxj_lines(warc, name)
            page = {"id": snapshot.id, "url": snapshot.url, "ts": _iso_z(snapshot.captured_at)}
            if snapshot.title:
                page["title"] = snapshot.title
            pages.append(json.dumps(page, ensure_ascii=False))
        # CDXJ lines, named index.cdx as the WACZ spec names a plain index (pywb's
        # `wb-manager add --unpack-wacz` finds no other name).
        add(archive, "indexes/index.cdx", "".join(f"{line}\n" for line in sorted(index)).encode())
        add(archive, "pages/pages.jsonl", "".join(f"{line}\n" for line in pages).encode())
        package = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": "linkcheck archive",
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "software": f"linkcheck {__version__}",
            "resources": resources,
        }
        archive.writestr("datapackage.json", json.dumps(package, indent=2))
    return len(pages) - 1
