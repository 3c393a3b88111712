"""The archive on disk: snapshot folders, a blob store, and a SQLite index.

    <root>/index.sqlite3                   WAL, synchronous=FULL
    <root>/blobs/sha256/ab/cd/<64 hex>      image bytes, write-once, shared by snapshots
    <root>/snapshots/YYYY/MM/<id>/          id = 20261128T143016Z-<8 hex>
        linkcheck-<id>.warc.gz              the raw exchanges (WARC/1.1)
        page.html                           the readable copy
        assets/<sha256>.<ext>               hard links into blobs/
        meta.json                           the index row, so the index can be rebuilt
    <root>/tmp/<random>/                    staging; anything here at start-up is removed

No file or folder name comes from a URL, a title or a header: names are generated ids, hex
digests and allowlisted extensions, and every path is checked to stay under the root.
Publishing is atomic: the folder is written in tmp/, fsynced, renamed into place, and only
then does one transaction add its row. A folder without a row is an orphan and is swept.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from ..atomic import replacing, write_atomically
from ..errors import LinkcheckError
from ..models import Status, Verdict
from ..paths import make_state_folder
from ..sqlite import open_wal, transaction
from ..version import __version__
from .capture import SVG_MIME, Asset, Capture
from .readable import Banner, UnsafeCopy, content_text, file_copy, readable_copy, title_of
from .warc import write_warc

_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, final_url TEXT NOT NULL, captured_at TEXT NOT NULL,
    http_status INTEGER NOT NULL, content_type TEXT, title TEXT, payload_sha256 TEXT NOT NULL,
    content_fp TEXT NOT NULL, folder TEXT NOT NULL, warc_file TEXT NOT NULL,
    html_file TEXT NOT NULL, bytes_total INTEGER NOT NULL, quality TEXT NOT NULL,
    source TEXT NOT NULL, tool_version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_by_url ON snapshots (url, captured_at);
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, mime TEXT);
CREATE TABLE IF NOT EXISTS snapshot_assets (
    snapshot_id TEXT NOT NULL, original_url TEXT NOT NULL, sha256 TEXT NOT NULL,
    http_status INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS checks (
    url TEXT NOT NULL, checked_at TEXT NOT NULL, matched_snapshot_id TEXT
);
CREATE TABLE IF NOT EXISTS attempts (url TEXT PRIMARY KEY, tried_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS citations (url TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS citations_by_url ON citations (url);
"""
# The readable text of every snapshot, for `archive search`: FTS5 with the trigram
# tokenizer, which needs no word breaks, so a Chinese phrase finds its page (SQLite 3.34+).
_SEARCH_SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS page_search "
    "USING fts5(snapshot_id UNINDEXED, title, body, tokenize='trigram')"
)
SNIPPET_WORDS = 16
# Text indexed per page: an article's whole text (a long WeChat article is under 100,000
# characters); a page of megabytes of text is searched by its beginning, not indexed whole
# at several times its size.
SEARCH_TEXT = 200_000
MAX_HITS = 50


@dataclass(frozen=True)
class Hit:
    """A snapshot whose readable text holds the query."""

    snapshot: Snapshot
    snippet: str  # the text around the match, the match in [brackets]
    cited_by: tuple[tuple[str, int], ...]  # (file, line) of the links to its URL


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while piece := source.read(1 << 20):
            digest.update(piece)
    return "file:" + digest.hexdigest()


def _document_page(capture: Capture, title: str) -> str:
    """The readable copy of a cited file that is no page: a link to the file itself, kept
    beside it in the snapshot."""
    if capture.document is None or not capture.document_name:
        return "<!doctype html><meta charset='utf-8'><p>Not an HTML page; see the WARC.</p>"
    return file_copy(capture.document_name, capture.requested_url, title)


def _snippet(text: str, query: str) -> str:
    """The words around the first place text holds query, the match in [brackets]."""
    at = text.lower().find(query.lower())
    if at < 0:
        return text[:80]
    start, end = max(0, at - 40), at + len(query)
    return (
        ("…" if start else "")
        + text[start:at]
        + f"[{text[at:end]}]"
        + text[end : end + 40]
        + ("…" if end + 40 < len(text) else "")
    )


class ArchiveError(LinkcheckError):
    """The archive cannot be used (unreadable, a path escaping the root, a refused page)."""


@dataclass(frozen=True)
class Snapshot:
    id: str
    url: str
    final_url: str
    captured_at: str
    http_status: int
    content_type: str | None
    title: str | None
    payload_sha256: str
    content_fp: str
    folder: str  # relative to the archive root
    warc_file: str
    html_file: str
    bytes_total: int
    quality: str
    source: str
    tool_version: str


@dataclass(frozen=True)
class Outcome:
    """What archiving one URL did: "archived", "unchanged" or "refused" (an error page)."""

    url: str
    result: str
    snapshot: Snapshot | None = None
    detail: str | None = None


def new_snapshot_id(now: datetime) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(4)}"


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# What a --browser capture adds to a snapshot (the index links them).
RENDERED_FILES = ("screenshot.png", "page.pdf")


def _asset_name(asset: Asset) -> str:
    return f"{asset.sha256}.{asset.ext}"


def _image_source(asset: Asset) -> str:
    """Where the readable copy's <img> finds the image: its file in assets/, or for an SVG
    the image itself as a data: URL (an <img> runs no script of it; its file, named as
    text, is never a document anyone navigates to)."""
    if asset.mime == SVG_MIME:
        return f"data:{SVG_MIME};base64," + base64.b64encode(asset.data.read_bytes()).decode()
    return f"assets/{_asset_name(asset)}"


def fingerprint(text: str, image_hashes: list[str]) -> str:
    """Same article, same fingerprint: WeChat pages differ byte-wise on every fetch
    (per-request nonces), so compare what a reader sees."""
    digest = hashlib.sha256(" ".join(text.split()).encode("utf-8"))
    for sha in image_hashes:
        digest.update(b"\0" + sha.encode("ascii"))
    return digest.hexdigest()


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._can_search: bool | None = None
        try:
            make_state_folder(self.root.parent)
            for folder in ("blobs/sha256", "snapshots", "tmp"):
                (self.root / folder).mkdir(parents=True, exist_ok=True)
            # synchronous=FULL: an indexed snapshot survives power loss.
            self._db = open_wal(self.root / "index.sqlite3", schema=_SCHEMA, synchronous="FULL")
        except (OSError, sqlite3.DatabaseError) as error:
            raise ArchiveError(f"{self.root}: cannot open the archive: {error}") from None
        self.swept = self.sweep()

    def close(self) -> None:
        self._db.close()

    # --- paths -------------------------------------------------------------------------

    def _inside(self, path: Path) -> Path:
        """Every path we touch stays under the root, whatever a stored value says."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise ArchiveError(f"refusing a path outside the archive: {path}")
        return resolved

    def _blob_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ArchiveError(f"not a sha256 digest: {sha256!r}")
        return self._inside(self.root / "blobs" / "sha256" / sha256[:2] / sha256[2:4] / sha256)

    @contextmanager
    def staging(self) -> Iterator[Path]:
        folder = self._inside(self.root / "tmp" / secrets.token_hex(8))
        folder.mkdir()
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    # --- crash recovery ------------------------------------------------------------------

    def sweep(self) -> int:
        """Remove staging leftovers and snapshot folders without an index row."""
        removed = 0
        for leftover in (self.root / "tmp").iterdir():
            shutil.rmtree(leftover, ignore_errors=True)
            removed += 1
        known = {row[0] for row in self._db.execute("SELECT folder FROM snapshots")}
        for month in sorted((self.root / "snapshots").glob("*/*")):
            for folder in month.iterdir():
                if folder.relative_to(self.root).as_posix() not in known:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
        return removed

    # --- queries -------------------------------------------------------------------------

    def _rows(self, query: str, *args: object) -> list[Snapshot]:
        cursor = self._db.execute(f"SELECT * FROM snapshots {query}", args)
        return [Snapshot(*row) for row in cursor.fetchall()]

    def snapshots(self, url: str | None = None) -> list[Snapshot]:
        if url is None:
            return self._rows("ORDER BY url, captured_at")
        return self._rows("WHERE url = ? ORDER BY captured_at", url)

    def latest(self, url: str) -> Snapshot | None:
        rows = self._rows(
            "WHERE url = ? AND quality = 'good' ORDER BY captured_at DESC LIMIT 1", url
        )
        return rows[0] if rows else None

    def tried(self, urls: Sequence[str], when: datetime) -> None:
        """Remember the attempts to archive urls, whatever came of them (a dead page makes no
        snapshot, and must not be first in line for ever); one commit for the run."""
        moment = when.isoformat(timespec="seconds")
        with transaction(self._db):
            self._db.executemany(
                "INSERT OR REPLACE INTO attempts VALUES (?, ?)", [(url, moment) for url in urls]
            )

    def stalest_first(self, urls: Sequence[str]) -> list[str]:
        """urls, those never tried first, then by their last attempt or snapshot, oldest
        first (what --budget takes its share from); ties keep their order."""
        newest = dict(
            self._db.execute(
                "SELECT url, max(at) FROM (SELECT url, captured_at AS at FROM snapshots "
                "UNION ALL SELECT url, tried_at AS at FROM attempts) GROUP BY url"
            ).fetchall()
        )
        return sorted(urls, key=lambda url: (url in newest, newest.get(url, "")))

    def archived_since(self, url: str, since: datetime) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM snapshots WHERE url = ? AND captured_at >= ? LIMIT 1",
            (url, since.isoformat(timespec="seconds")),
        ).fetchone()
        return row is not None

    def page_path(self, snapshot: Snapshot) -> Path:
        return self._inside(self.root / snapshot.folder / snapshot.html_file)

    # --- publishing ----------------------------------------------------------------------

    def publish(
        self,
        capture: Capture,
        staging: Path,
        user_agent: str,
    ) -> Outcome:
        """Turn a capture in staging/ into a snapshot, or refuse it. Atomic."""
        verdict = capture.verdict
        if verdict.status not in (Status.ALIVE, Status.REDIRECTED):
            return Outcome(
                capture.requested_url,
                "refused",
                None,
                f"{verdict.status.value} ({verdict.reason}): an error page is never a snapshot",
            )
        now = capture.captured_at
        page = capture.html or ""
        text = content_text(page) if page else ""
        # A cited file that is no page is the same when its bytes are.
        seen = text or (_file_digest(capture.document) if capture.document else "")
        fp = fingerprint(seen, [a.sha256 for a in capture.assets])
        previous = self.latest(capture.requested_url)  # the newest *good* snapshot
        if previous is not None and previous.content_fp == fp:
            self._db.execute(
                "INSERT INTO checks VALUES (?, ?, ?)",
                (capture.requested_url, now.isoformat(), previous.id),
            )
            return Outcome(capture.requested_url, "unchanged", previous)
        snapshot_id = new_snapshot_id(now)
        title = title_of(LexborHTMLParser(page)) if page else ""
        try:  # made first: a page that cannot be made inert leaves nothing behind
            html_text = self._readable(capture, snapshot_id, title)
        except UnsafeCopy as error:
            return Outcome(capture.requested_url, "refused", None, str(error))
        folder = staging / "snapshot"
        snapshot = self._write_folder(folder, capture, snapshot_id, html_text, user_agent)
        snapshot = replace(snapshot, title=title or None, content_fp=fp)
        (folder / "meta.json").write_text(
            json.dumps(asdict(snapshot), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        for path in folder.rglob("*"):
            if path.is_file():
                _fsync_file(path)
        _fsync_dir(folder / "assets")
        _fsync_dir(folder)
        target = self._inside(self.root / snapshot.folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(folder, target)
        _fsync_dir(target.parent)
        self._insert(snapshot, capture, text)
        return Outcome(capture.requested_url, "archived", snapshot)

    # --- search ----------------------------------------------------------------------------

    def _searchable(self) -> bool:
        """Whether this SQLite has FTS5's trigram tokenizer (the table made on first use)."""
        if self._can_search is None:
            try:
                self._db.execute(_SEARCH_SCHEMA)
                self._can_search = True
            except sqlite3.OperationalError:
                self._can_search = False
        return self._can_search

    def _add_text(self, snapshot_id: str, title: str, text: str) -> None:
        self._db.execute(
            "INSERT INTO page_search VALUES (?, ?, ?)", (snapshot_id, title, text[:SEARCH_TEXT])
        )

    def cite(self, cited: dict[str, list[tuple[str, int]]]) -> None:
        """The places that cite each URL now (what `archive PATH...` read), replacing those
        recorded for the same files before."""
        files = sorted({file for places in cited.values() for file, _ in places})
        with transaction(self._db):
            self._db.executemany("DELETE FROM citations WHERE file = ?", [(f,) for f in files])
            self._db.executemany(
                "INSERT INTO citations VALUES (?, ?, ?)",
                [(url, file, line) for url, places in cited.items() for file, line in places],
            )

    def search(self, query: str, limit: int = MAX_HITS) -> list[Hit]:
        """The snapshots whose readable text or title holds query (as a phrase, any case),
        the newest capture first. Raises ArchiveError when this SQLite cannot search."""
        if not self._searchable():
            raise ArchiveError("this Python's SQLite has no FTS5 trigram tokenizer (3.34+)")
        self._index_missing()
        if len(query) >= 3:  # a trigram index finds three characters or more
            phrase = '"' + query.replace('"', '""') + '"'
            rows = self._db.execute(
                "SELECT snapshot_id, snippet(page_search, 2, '[', ']', '…', ?) "
                "FROM page_search WHERE page_search MATCH ? LIMIT ?",
                (SNIPPET_WORDS, phrase, limit * 4),
            ).fetchall()
        else:  # shorter: every text read (a two-character Chinese word is common)
            pattern = "%" + re.sub(r"([\\%_])", r"\\\1", query) + "%"  # the query, literally
            rows = [
                (snapshot_id, _snippet(body, query))
                for snapshot_id, body in self._db.execute(
                    "SELECT snapshot_id, body FROM page_search "
                    "WHERE body LIKE ?1 ESCAPE '\\' OR title LIKE ?1 ESCAPE '\\' LIMIT ?2",
                    (pattern, limit * 4),
                ).fetchall()
            ]
        found = {row[0]: row[1] for row in rows}
        marks = ",".join("?" * len(found))
        snapshots = self._rows(f"WHERE id IN ({marks}) ORDER BY captured_at DESC", *found)
        return [
            Hit(snapshot, found[snapshot.id], self._cited_by(snapshot.url))
            for snapshot in snapshots[:limit]
        ]

    def write_index(self, verdicts: Mapping[str, Verdict], published: Path | None = None) -> Path:
        """index.html at the archive's root: every URL, its captures, its verdict now (from
        verdicts), the posts citing it; atomic, as every file here. With published (the
        --publish-dir), the index of the copies published there instead: each URL's newest
        good snapshot, at <id>/page.html."""
        from .index_page import Capture, render_index

        if published is None:
            shown = self.snapshots()
        else:
            newest = (self.latest(url) for url in dict.fromkeys(s.url for s in self.snapshots()))
            shown = [s for s in newest if s is not None]
        captures: dict[str, list[Capture]] = {}
        for snapshot in shown:
            folder = self.root / snapshot.folder
            place = snapshot.folder if published is None else snapshot.id
            extras = tuple(
                (label, f"{place}/{name}")
                for label, name in zip(("screenshot", "PDF"), RENDERED_FILES, strict=True)
                if published is None and (folder / name).is_file()
            )
            captures.setdefault(snapshot.url, []).append(
                Capture(
                    snapshot.captured_at, f"{place}/{snapshot.html_file}", snapshot.title, extras
                )
            )
        cited = {url: self._cited_by(url) for url in captures}
        target = (published or self.root) / "index.html"
        write_atomically(target, render_index(captures, verdicts, cited))
        return target

    def _cited_by(self, url: str) -> tuple[tuple[str, int], ...]:
        rows = self._db.execute(
            "SELECT DISTINCT file, line FROM citations WHERE url = ? ORDER BY file, line", (url,)
        )
        return tuple((str(file), int(line)) for file, line in rows.fetchall())

    def _index_missing(self) -> None:
        """Snapshots made before search existed: indexed from their readable copies."""
        missing = self._rows(
            "WHERE id NOT IN (SELECT snapshot_id FROM page_search) ORDER BY captured_at"
        )
        with transaction(self._db):
            for snapshot in missing:
                try:
                    page = self.page_path(snapshot).read_text(encoding="utf-8")
                except OSError:
                    continue  # a copy gone missing: `archive verify` says so
                self._add_text(snapshot.id, snapshot.title or "", content_text(page))

    @staticmethod
    def _readable(capture: Capture, snapshot_id: str, title: str) -> str:
        """The inert page.html; raises UnsafeCopy when the page cannot be made so."""
        if not capture.html:
            return _document_page(capture, title)
        local_images = {asset.url: _image_source(asset) for asset in capture.assets}
        banner = Banner(
            title,
            capture.requested_url,
            capture.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            capture.page_status,
            snapshot_id,
        )
        sheets = [(sheet.url, sheet.text) for sheet in capture.sheets]
        return readable_copy(capture.html, capture.page_url, local_images, banner, sheets)

    def _write_folder(
        self, folder: Path, capture: Capture, snapshot_id: str, html_text: str, user_agent: str
    ) -> Snapshot:
        """The snapshot's files in staging: WARC, images, page.html, the drawings; its index
        row (bytes_total counts them all)."""
        now = capture.captured_at
        (folder / "assets").mkdir(parents=True)
        warc_name = f"linkcheck-{snapshot_id}.warc.gz"
        write_warc(folder / warc_name, capture, user_agent)
        for asset in capture.assets:
            target = folder / "assets" / _asset_name(asset)
            if target.exists():  # the same bytes under two image URLs: one file serves both
                continue
            self._store_blob(asset.data, asset.sha256)
            self._link(self._blob_path(asset.sha256), target)
        (folder / "page.html").write_text(html_text, encoding="utf-8")
        if capture.document is not None and capture.document_name:
            shutil.copyfile(capture.document, folder / capture.document_name)
        if capture.rendering is not None:  # --browser: the page as Chromium drew it
            drawn = (capture.rendering.screenshot, capture.rendering.pdf)
            for name, data in zip(RENDERED_FILES, drawn, strict=True):
                if data:
                    (folder / name).write_bytes(data)
        content_type = next(
            (v for k, v in capture.page_headers() if k.lower() == "content-type"), None
        )
        return Snapshot(
            id=snapshot_id,
            url=capture.requested_url,
            final_url=capture.page_url,
            captured_at=now.isoformat(timespec="seconds"),
            http_status=capture.page_status,
            content_type=content_type,
            title=None,
            payload_sha256=hashlib.sha256(capture.page_payload()).hexdigest(),
            content_fp="",
            folder=f"snapshots/{now:%Y}/{now:%m}/{snapshot_id}",
            warc_file=warc_name,
            html_file="page.html",
            bytes_total=sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()),
            # A body cut at the size cap is kept, but never counts as the latest good copy.
            quality="truncated" if capture.page_truncated() else "good",
            source="live",
            tool_version=__version__,
        )

    def _insert(self, snapshot: Snapshot, capture: Capture, text: str) -> None:
        """The snapshot's rows, its searchable text among them, in one transaction (the
        archive's database syncs every commit to disk)."""
        searchable = self._searchable()
        with transaction(self._db):
            self._db.execute(
                f"INSERT INTO snapshots VALUES ({','.join('?' * 16)})",
                tuple(asdict(snapshot).values()),
            )
            if searchable:
                self._add_text(snapshot.id, snapshot.title or "", text)
            for asset in capture.assets:
                self._db.execute(
                    "INSERT OR IGNORE INTO blobs VALUES (?, ?, ?)",
                    (asset.sha256, asset.data.stat().st_size, asset.mime),
                )
                self._db.execute(
                    "INSERT INTO snapshot_assets VALUES (?, ?, ?, ?)",
                    (snapshot.id, asset.url, asset.sha256, asset.recorded.download.status),
                )

    def _store_blob(self, data: Path, sha256: str) -> None:
        target = self._blob_path(sha256)
        if target.exists():
            return  # write-once: same digest, same bytes
        with data.open("rb") as source, replacing(target) as sink:
            shutil.copyfileobj(source, sink)

    @staticmethod
    def _link(source: Path, target: Path) -> None:
        try:
            os.link(source, target)
        except OSError:  # another filesystem or no hard links: a copy does the same job
            shutil.copyfile(source, target)

    # --- checking and exporting ----------------------------------------------------------

    def verify(self) -> list[str]:
        """Problems found: missing files, blobs whose bytes no longer match their digest,
        WARCs whose records do not match their digests."""
        from warcio.archiveiterator import ArchiveIterator

        problems = []
        for snapshot in self.snapshots():
            folder = self._inside(self.root / snapshot.folder)
            for name in (snapshot.warc_file, snapshot.html_file, "meta.json"):
                if not (folder / name).is_file():
                    problems.append(f"{snapshot.id}: {name} is missing")
            warc = folder / snapshot.warc_file
            if warc.is_file():
                try:
                    with warc.open("rb") as stream:
                        for record in ArchiveIterator(stream, check_digests=True):
                            record.content_stream().read()
                            if record.digest_checker.problems:
                                problems.append(f"{snapshot.id}: {record.digest_checker.problems}")
                except Exception as error:  # noqa: BLE001 - any parse failure is a finding
                    problems.append(f"{snapshot.id}: the WARC does not read: {error}")
        for (sha256,) in self._db.execute("SELECT sha256 FROM blobs").fetchall():
            path = self._blob_path(sha256)
            if not path.is_file():
                problems.append(f"blob {sha256} is missing")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
                problems.append(f"blob {sha256} does not match its digest")
        return problems

    def warc_path(self, snapshot: Snapshot) -> Path:
        return self._inside(self.root / snapshot.folder / snapshot.warc_file)

    def export(self, output: Path) -> int:
        """One WARC for replay tools: every snapshot's records, concatenated (each record
        is its own gzip member, so concatenation is a valid .warc.gz). Returns the count."""
        count = 0
        with replacing(output) as sink:
            for snapshot in self.snapshots():
                warc = self.warc_path(snapshot)
                with warc.open("rb") as source:
                    shutil.copyfileobj(source, sink)
                count += 1
        return count
