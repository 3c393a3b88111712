"""Where a project's things are: its repository root, and .linkcheck/ (state and archive)
at that root, so every folder of a blog shares one history (as .pytest_cache does)."""

from __future__ import annotations

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
