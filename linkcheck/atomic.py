"""Write a file so that readers see the old content or the new, never half of either."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO


def write_in_pieces(stream: TextIO, text: str | Iterable[str], piece: int = 1 << 16) -> None:
    """stream.write(text), without encoding a report of tens of MB into one more copy; the
    pieces of a text that is made as it is written, as they come."""
    if not isinstance(text, str):
        for part in text:
            stream.write(part)
        return
    for start in range(0, len(text), piece):
        stream.write(text[start : start + piece])


@contextmanager
def replacing(path: Path, *, mode: int | None = None) -> Iterator[BinaryIO]:
    """A stream whose bytes become path's content in one rename once the block ends well
    (written to a temporary file beside it and fsynced first), or vanish if it does not.
    The file gets mode, else the mode it had, else what the umask gives a new file (the
    temporary file's 0600 would keep a published report from its web server)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        mode = _existing_mode(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _existing_mode(path: Path) -> int:
    try:
        return path.stat().st_mode
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    current = os.umask(0o022)  # the only way to read it is to set it; put back at once
    os.umask(current)
    return current


def write_atomically(path: Path, text: str | Iterable[str]) -> None:
    """text, or the pieces of a text written one after another, as path's content."""
    with replacing(path) as stream:
        wrapper = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        write_in_pieces(wrapper, text)
        wrapper.flush()
        wrapper.detach()  # the stream stays open for replacing() to fsync


def write_bytes_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    with replacing(path, mode=mode) as stream:
        stream.write(data)
