"""--changed-only: the lines a commit adds or changes, from git (pre-commit's use case).

Against HEAD (the index and the working tree, which pre-commit makes equal by stashing what
is not staged), or against the empty tree in a repository without commits. A file git does
not track yet counts as all new, and so does a file named that has no change at all
(`pre-commit run --all-files`, or a file given by hand): it was asked for, so it is
checked whole rather than not at all.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .errors import InputError

_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
ALL_LINES = None  # the whole file is new


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InputError(f"--changed-only needs git: {error}") from None


def changed_lines(files: Sequence[str], cwd: Path) -> dict[Path, set[int] | None]:
    """For each file (resolved path): the changed line numbers, or ALL_LINES."""
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        raise InputError("--changed-only works inside a git repository")
    root = Path(top.stdout.strip()).resolve()
    base = (
        "HEAD"
        if _git(["rev-parse", "--verify", "-q", "HEAD"], cwd).returncode == 0
        else (_EMPTY_TREE)
    )
    wanted = [str((cwd / f).resolve()) for f in files]
    tracked = set(_git(["ls-files", "--full-name", "-z", "--", *wanted], cwd).stdout.split("\0"))
    staged_new = set(
        _git(
            ["diff", "--cached", "--name-only", "-z", "--diff-filter=A", base, "--", *wanted], cwd
        ).stdout.split("\0")
    )
    result: dict[Path, set[int] | None] = {}
    for name in wanted:
        relative = Path(name).relative_to(root).as_posix()
        if relative not in tracked or relative in staged_new:
            result[Path(name)] = ALL_LINES
        else:
            result[Path(name)] = set()
    diff = _git(["diff", "--no-color", "--no-ext-diff", "-U0", base, "--", *wanted], cwd)
    current: Path | None = None
    in_diff: set[Path] = set()
    for line in diff.stdout.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            current = (root / target[2:]).resolve() if target.startswith("b/") else None
            if current is not None:
                in_diff.add(current)
            continue
        hunk = _HUNK.match(line)
        if hunk is None or current is None or result.get(current, set()) is ALL_LINES:
            continue
        start, count = int(hunk.group(1)), int(hunk.group(2) or "1")
        result.setdefault(current, set()).update(range(start, start + count))  # type: ignore[union-attr]
    for path in result:
        if path not in in_diff:
            result[path] = ALL_LINES  # no change at all: checked whole
    return result
