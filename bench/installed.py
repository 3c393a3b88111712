"""Benchmarks time linkcheck as pip installs it: with its bytecode compiled.

Some machines set PYTHONDONTWRITEBYTECODE=1 (this one does), and an editable install then
compiles every module of linkcheck again at each start: 0.2-0.3 s that no user pays."""

from __future__ import annotations

import compileall
import importlib.util
import shutil
from pathlib import Path


def compile_linkcheck() -> None:
    spec = importlib.util.find_spec("linkcheck")
    if spec is None or spec.origin is None:
        raise SystemExit("linkcheck is not installed here (pip install -e '.[bench]')")
    compileall.compile_dir(Path(spec.origin).parent, quiet=1)


def linkcheck_and_lychee() -> tuple[str, str]:
    """Both tools' paths on PATH, or an exit that says how to install them."""
    linkcheck, lychee = shutil.which("linkcheck"), shutil.which("lychee")
    if linkcheck is None or lychee is None:
        raise SystemExit("needs `linkcheck` and `lychee` on PATH (pip install -e '.[bench]')")
    return linkcheck, lychee
