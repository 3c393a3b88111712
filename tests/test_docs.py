"""The README documents every option the CLI has (docs are tested, as in sqlite-utils)."""

from __future__ import annotations

import pytest
import typer
from typer.core import TyperGroup, TyperOption

from linkcheck.cli import app

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMAND = typer.main.get_command(app)
assert isinstance(COMMAND, TyperGroup)


@pytest.mark.parametrize("name", sorted(COMMAND.commands))
def test_every_option_of_every_command_is_in_the_readme(name: str) -> None:
    command = COMMAND.commands[name]
    assert f"linkcheck {name}" in README
    for parameter in command.params:
        if isinstance(parameter, TyperOption):
            for option in parameter.opts:
                if option.startswith("--") and option != "--help":
                    assert f"`{option}`" in README, f"{name} {option} is not documented"


def test_the_readme_opens_with_the_two_commands() -> None:
    head = README.split("---", 1)[0]  # the two commands open the README
    commands = [line.strip() for line in head.splitlines() if line.startswith("    ")]
    assert commands[0].endswith("linkcheck demo")
    assert commands[1].endswith("python -m pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_global_options_are_in_the_readme() -> None:
    for parameter in COMMAND.params:
        if isinstance(parameter, TyperOption):
            assert any(f"`{option}`" in README for option in parameter.opts)
