"""Readable copies published with the site (issue 28, item 3): `--publish-dir DIR`, a
folder the site generator publishes (e.g. `archive/` in a Jekyll or Hugo source), receives
each snapshot's inert page.html and its images under the snapshot's id, so the link `fix`
writes for a dead citation opens for the blog's readers; `.linkcheck/` is never published.

A copy is written into a temporary folder beside its place and renamed into it: a reader
of the site sees the whole copy or none."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .store import Snapshot


def publish_copy(folder: Path, snapshot: Snapshot, publish_dir: Path) -> Path:
    """The snapshot's page.html and assets/ (from folder, the snapshot's own) under
    publish_dir/<id>/; the published page.html. Published once: a snapshot never changes."""
    target = publish_dir / snapshot.id
    page = target / snapshot.html_file
    if page.is_file():
        return page
    publish_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=publish_dir, prefix=f".{snapshot.id}."))
    try:
        shutil.copy2(folder / snapshot.html_file, staging / snapshot.html_file)
        if (folder / "assets").is_dir():
            shutil.copytree(folder / "assets", staging / "assets")
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return page
