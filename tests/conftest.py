from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
UPDATE_GOLDEN = os.environ.get("LINKCHECK_UPDATE_GOLDEN") == "1"


@pytest.fixture
def in_repo() -> Iterator[Path]:
    """Run with the repository as working directory, so reported paths are stable."""
    before = Path.cwd()
    os.chdir(REPO)
    try:
        yield REPO
    finally:
        os.chdir(before)


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; LINKCHECK_UPDATE_GOLDEN=1 rewrites it instead."""
    path = REPO / "tests" / "golden" / name
    if UPDATE_GOLDEN:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")
