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


def test_every_source_key_the_code_cites_is_in_docs_sources() -> None:
    """A marker's citation ([W3], [Z1]–[Z4], [G2] …) names a row of docs/SOURCES.md, and
    nothing the package says points outside the repository (research notes beside it)."""
    import re

    outside = "/".join(("..", "shared"))  # the research notes' folder beside the checkout
    sources = (REPO / "docs" / "SOURCES.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| ([WZGO]\d+) \|", sources, flags=re.MULTILINE))
    cited: set[str] = set()
    for path in sorted((REPO / "linkcheck").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert outside not in text, path
        for first, last in re.findall(r"\[([WZGO]\d+)b?\](?:–\[([WZGO]\d+)\])?", text):
            cited.add(first)
            if last:
                letter = first[0]
                cited.update(f"{letter}{n}" for n in range(int(first[1:]), int(last[1:]) + 1))
    assert len(cited) > 30
    assert cited - listed == set()
