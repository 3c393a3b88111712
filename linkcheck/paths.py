"""Where a project's things are: its repository root, and .linkcheck/ (state and archive)
at that root, so every folder of a blog shares one history (as .pytest_cache does)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def repo_root(start: Path) -> Path | None:
    """The nearest folder at or above start that holds .git, if any."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def project_root(cwd: Path) -> Path:
    """The repository root above cwd, else cwd."""
    return repo_root(cwd) or cwd


# Written into the state folder when linkcheck makes it, as pytest does for its cache: the
# database and archive stay out of git (keep them across CI runs with a cache instead).
_IGNORE_ALL = "# Created by linkcheck: nothing here belongs in git.\n*\n"


def make_state_folder(folder: Path) -> None:
    """The state folder, made with a .gitignore of everything if it is new."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".gitignore").write_text(_IGNORE_ALL, encoding="utf-8")


def state_database(cwd: Path, state_dir: str) -> Path:
    return project_root(cwd) / state_dir / "state.db"


def archive_folder(cwd: Path, state_dir: str) -> Path:
    """The archive lives beside the state database."""
    return project_root(cwd) / state_dir / "archive"


def real_folder_of(source_file: str) -> Path:
    """The folder of a source file, symbolic links resolved (the file's own too, if it is
    one). A realpath costs a system call per part of the path, and a blog's posts share a
    few folders: resolved once per folder, keyed on its absolute path (a relative key would
    outlive a change of directory)."""
    absolute = os.path.abspath(source_file)
    if os.path.islink(absolute):
        return Path(absolute).resolve().parent
    return _real_folder(os.path.dirname(absolute))


@lru_cache(maxsize=1024)
def _real_folder(folder: str) -> Path:
    return Path(folder).resolve()
