"""The user's regexes (--exclude, --include, --remap, .linkcheckignore, [[rules]]
url-matches) in linear time: RE2, the engine family of lychee's Rust regex, so a pattern a
repository brings, such as `(a+)+$`, cannot hang a run (issue 25). RE2 has no look-around
and no backreferences; such a pattern is refused where it is read, naming its place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, cast

import re2

from .errors import ConfigError


class Match(Protocol):
    def group(self, index: int | str = 0) -> str: ...


class Pattern(Protocol):
    """What linkcheck asks of a compiled pattern (re2's Regexp, like re.Pattern)."""

    @property
    def pattern(self) -> str: ...

    @property
    def groups(self) -> int: ...

    @property
    def groupindex(self) -> Mapping[str, int]: ...

    def search(self, text: str) -> Match | None: ...

    def sub(self, replacement: str, text: str, count: int = 0) -> str: ...


def _options() -> object:
    options = re2.Options()
    options.log_errors = False  # the error is ours to word, not printed on stderr by RE2
    return options


_OPTIONS = _options()


def compile_pattern(pattern: str, *, where: str) -> Pattern:
    """pattern compiled by RE2; a ConfigError naming where it came from if it is not one."""
    try:
        return cast(Pattern, re2.compile(pattern, _OPTIONS))
    except re2.error as error:
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ConfigError(
            f"{where}: {pattern!r} is not a valid regex: {reason} (RE2 syntax, as lychee's: "
            "no look-around or backreferences)"
        ) from None
