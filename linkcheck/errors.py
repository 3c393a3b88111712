"""Run-level errors and the exit codes they map to (DESIGN.md §5)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    LINKS_FAILED = 1
    USAGE = 2  # usage, configuration or input error
    COULD_NOT_CHECK = 3  # offline: nothing was declared dead
    INTERNAL = 4


class LinkcheckError(Exception):
    """Base of every error the CLI turns into a one-line message and an exit code."""

    exit_code = ExitCode.INTERNAL


class InputError(LinkcheckError):
    """A path or input given by the user cannot be used."""

    exit_code = ExitCode.USAGE


class ConfigError(LinkcheckError):
    exit_code = ExitCode.USAGE
