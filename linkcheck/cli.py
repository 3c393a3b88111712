"""The command line: options → run → output → exit code. Only this module prints or exits."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .errors import ExitCode, LinkcheckError

app = typer.Typer(
    name="linkcheck",
    help="Find dead links in Markdown blogs, and tell the truth about WeChat, Zhihu and GitHub.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class ListingFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"linkcheck {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """linkcheck: a link-rot checker for Markdown blogs."""


def _split_list(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


@app.command()
def extract(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, directories, quoted globs, or - for standard input.",
            metavar="PATH",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        ListingFormat,
        typer.Option(
            "--format", "-f", help="text, or json (one record per link).", metavar="FORMAT"
        ),
    ] = ListingFormat.TEXT,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to FILE instead of stdout.", metavar="FILE"),
    ] = None,
    root_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--root-dir",
            help="Where site-absolute paths like /images/x.png live (repeatable, tried in order).",
            metavar="DIR",
        ),
    ] = None,
    extensions: Annotated[
        list[str] | None,
        typer.Option(
            "--extensions",
            help="File suffixes read in directories (default: md,markdown,mdx,html,htm).",
            metavar="SUFFIXES",
        ),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope",
            help="Only these scopes: external, local, fragment, mail, other "
            "(comma-separated or repeated).",
            metavar="SCOPES",
        ),
    ] = None,
) -> None:
    """List every link in the sources, sorted by file, line and column. No network."""
    from .collect import DEFAULT_SUFFIXES, collect
    from .extract.parallel import extract_sources
    from .listing import as_json, as_text
    from .models import Scope

    try:
        wanted_scopes = {Scope(s) for s in _split_list(scope)} if scope else set(Scope)
    except ValueError as error:
        _fail(f"--scope: {error}", ExitCode.USAGE)
    suffixes = _split_list(extensions) or list(DEFAULT_SUFFIXES)
    try:
        collected = collect(paths, suffixes=suffixes, stdin=sys.stdin.buffer)
        links = [link for link in extract_sources(collected.sources) if link.scope in wanted_scopes]
    except LinkcheckError as error:
        _fail(str(error), error.exit_code)
    links.sort(key=lambda link: link.sort_key)
    for warning in collected.warnings:
        typer.echo(f"linkcheck: warning: {warning}", err=True)
    roots = root_dir or []
    rendered = (
        as_json(links, collected.warnings, roots)
        if output_format is ListingFormat.JSON
        else as_text(links)
    )
    _emit(rendered, output)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from .atomic import write_atomically

    try:
        write_atomically(output, text)
    except OSError as error:
        _fail(f"{output}: cannot write: {error.strerror or error}", ExitCode.USAGE)


def _fail(message: str, code: ExitCode) -> typer.Exit:
    typer.echo(f"linkcheck: error: {message}", err=True)
    raise typer.Exit(int(code))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("linkcheck: interrupted", err=True)
        sys.exit(130)
