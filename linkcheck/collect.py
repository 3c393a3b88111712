"""Inputs → source files: paths, directories, quoted globs and stdin (DESIGN.md §1 "collect").

A path the user names that does not exist, cannot be read or decoded is an InputError: they
asked for it. A file found while walking a directory that cannot be read is a warning that
names it, and the walk goes on.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .decode import DecodeError, decode
from .errors import InputError
from .paths import project_root

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

    from .patterns import Pattern

DEFAULT_SUFFIXES: tuple[str, ...] = (".md", ".markdown", ".mdx", ".html", ".htm")
# Never blog sources: version control, dependencies, generated sites, our own state.
SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", "node_modules", "_site", ".linkcheck", ".jekyll-cache"}
)
STDIN = "-"
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class Source:
    path: str  # as shown in reports: relative to the working directory where possible
    text: str
    encoding: str


@dataclass(slots=True)
class Collected:
    sources: list[Source] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _display(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def _read(path: Path) -> Source:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{_display(path)}: cannot read: {error.strerror or error}") from None
    try:
        text, encoding = decode(data)
    except DecodeError as error:
        raise InputError(f"{_display(path)}: {error}") from None
    return Source(_display(path), text, encoding)


class _GitIgnore:
    """The .gitignore files that apply below a directory, deepest last (git's precedence)."""

    def __init__(self) -> None:
        self._specs: dict[Path, GitIgnoreSpec | None] = {}

    def _spec_for(self, directory: Path) -> GitIgnoreSpec | None:
        if directory not in self._specs:
            ignore_file = directory / ".gitignore"
            spec = None
            if ignore_file.is_file():
                try:
                    lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
                except OSError:
                    lines = []
                from pathspec import GitIgnoreSpec  # 20 ms, for a tree that has a .gitignore

                spec = GitIgnoreSpec.from_lines(lines)
            self._specs[directory] = spec
        return self._specs[directory]

    def ignored(self, path: Path, *, is_dir: bool, repo_root: Path, top: Path) -> bool:
        """As git would ignore path, except that the folder named on the command line (top)
        is read even when a rule above it ignores it (ripgrep's rule): such a rule still
        applies to what is below top, matched from top."""
        verdict: bool | None = None
        for directory in _ancestors(path.parent, repo_root):
            spec = self._spec_for(directory)
            if spec is None:
                continue
            base = directory
            if directory != top and top.is_relative_to(directory):
                named = top.relative_to(directory).as_posix() + "/"
                if named != "./" and spec.check_file(named).include:
                    base = top  # the rule ignores top itself (or a folder above it)
            relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
            result = spec.check_file(relative)
            if result.include is not None:
                verdict = result.include
        return bool(verdict)


def _ancestors(directory: Path, root: Path) -> list[Path]:
    """root … directory, shallowest first."""
    chain = [directory]
    while chain[-1] != root and chain[-1].parent != chain[-1]:
        chain.append(chain[-1].parent)
    return list(reversed(chain))


def _walk(
    top: Path, suffixes: tuple[str, ...], ignore: _GitIgnore | None, warn: Callable[[str], None]
) -> Iterator[Path]:
    top = top.resolve()
    root = project_root(top)

    def ignored(path: Path, *, is_dir: bool) -> bool:
        return ignore is not None and ignore.ignored(path, is_dir=is_dir, repo_root=root, top=top)

    def on_error(error: OSError) -> None:
        warn(f"skipped {_display(Path(error.filename or top))}: cannot list: {error.strerror}")

    for directory, subdirectories, files in os.walk(top, onerror=on_error):
        here = Path(directory)
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES and not ignored(here / name, is_dir=True)
        )
        for name in sorted(files):
            if name.lower().endswith(suffixes):
                path = here / name
                if not ignored(path, is_dir=False):
                    yield path


def collect(
    inputs: Sequence[str],
    *,
    suffixes: Iterable[str] = DEFAULT_SUFFIXES,
    stdin: BinaryIO | None = None,
    gitignore: bool = True,
    excluded: Sequence[Pattern] = (),
) -> Collected:
    """Read every source the inputs name. Raises InputError for a bad named input.
    gitignore=False (--no-ignore) reads what .gitignore files would skip; a file whose path
    (as shown, relative to the working directory) matches one of excluded is not read
    (--exclude-path)."""
    wanted = tuple(s.lower() if s.startswith(".") else "." + s.lower() for s in suffixes)
    reader = _Reader(wanted, _GitIgnore() if gitignore else None, excluded)
    for given in inputs:
        if given == STDIN:
            reader.add_stdin(stdin)
        else:
            reader.add_input(given)
    collected = reader.collected
    if reader.skipped and not collected.sources:
        raise InputError(
            f"none of the {reader.skipped} source files found could be read: "
            + "; ".join(w.removeprefix("skipped ") for w in collected.warnings[:3])
        )
    return collected


class _Reader:
    """The sources read so far, each file once however it was named, and what was skipped:
    a file named on the command line must read; one found in a folder may be skipped."""

    def __init__(
        self, wanted: tuple[str, ...], ignore: _GitIgnore | None, excluded: Sequence[Pattern]
    ) -> None:
        self._wanted = wanted
        self._ignore = ignore
        self._excluded = excluded
        self._seen: set[Path] = set()
        self.collected = Collected()
        self.skipped = 0

    def add_stdin(self, stdin: BinaryIO | None) -> None:
        data = stdin.read() if stdin is not None else b""
        try:
            text, encoding = decode(data)
        except DecodeError as error:
            raise InputError(f"standard input: {error}") from None
        self.collected.sources.append(Source(STDIN, text, encoding))

    def add_input(self, given: str) -> None:
        path = Path(given)
        if path.is_dir():
            self._add_directory(path)
        elif path.exists():
            self._add_file(path, named=True)
        elif _GLOB_CHARS & set(given):
            matches = sorted(glob.glob(given, recursive=True))
            if not matches:
                raise InputError(f"{given}: no file matches this pattern")
            for match in matches:
                matched = Path(match)
                if matched.is_dir():
                    self._add_directory(matched)
                elif match.lower().endswith(self._wanted):
                    self._add_found(matched)
        elif path.is_symlink():
            raise InputError(f"{given}: a symbolic link to nothing (or a loop of them)")
        else:
            raise InputError(f"{given}: no such file or directory")

    def _add_directory(self, path: Path) -> None:
        warnings = self.collected.warnings
        found = 0
        for file in _walk(path, self._wanted, self._ignore, warnings.append):
            found += 1
            self._add_found(file)
        if not found:
            kinds = ", ".join(self._wanted)
            warnings.append(f"{_display(path)}: no source files ({kinds}) in it")

    def _add_found(self, path: Path) -> None:
        before = len(self.collected.warnings)
        self._add_file(path, named=False)
        self.skipped += len(self.collected.warnings) > before

    def _add_file(self, path: Path, *, named: bool) -> None:
        if self._excluded:
            shown = _display(path)
            if any(pattern.search(shown) for pattern in self._excluded):
                return
        try:
            resolved = path.resolve()
        except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a loop
            problem = f"{_display(path)}: cannot read: a loop of symbolic links"
            if named:
                raise InputError(problem) from None
            self.collected.warnings.append(f"skipped {problem}")
            return
        if resolved in self._seen:
            return
        self._seen.add(resolved)
        if named:
            self.collected.sources.append(_read(path))
            return
        try:
            self.collected.sources.append(_read(path))
        except InputError as error:
            self.collected.warnings.append(f"skipped {error}")
