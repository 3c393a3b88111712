"""Write a file so that readers see the old content or the new, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TextIO


def write_in_pieces(stream: TextIO, text: str, piece: int = 1 << 16) -> None:
    """stream.write(text), without encoding a report of tens of MB into one more copy."""
    for start in range(0, len(text), piece):
        stream.write(text[start : start + piece])


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            write_in_pieces(stream, text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
