"""The user's regexes (--exclude, --include, --remap, .linkcheckignore, [[rules]]
url-matches) in linear time: RE2, the engine family of lychee's Rust regex, so a pattern a
repository brings, such as `(a+)+$`, cannot hang a run (issue 25). RE2 has no look-around
and no backreferences; such a pattern is refused where it is read, naming its place."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Protocol, cast

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


@functools.cache
def _re2() -> tuple[Any, object]:
    """The module and its options, imported on first use: a run with no pattern of the
    user's (a pre-commit hook, most often) never pays for it."""
    import re2

    options = re2.Options()
    options.log_errors = False  # the error is ours to word, not printed on stderr by RE2
    return re2, options


def compile_pattern(pattern: str, *, where: str) -> Pattern:
    """pattern compiled by RE2; a ConfigError naming where it came from if it is not one."""
    re2, options = _re2()
    try:
        return cast(Pattern, re2.compile(pattern, options))
    except re2.error as error:
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ConfigError(
            f"{where}: {pattern!r} is not a valid regex: {reason} (RE2 syntax, as lychee's: "
            "no look-around or backreferences)"
        ) from None
