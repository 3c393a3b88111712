"""The command line: options → run → output → exit code. Only this module prints or exits."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .errors import ExitCode, LinkcheckError
from .formats import Format
from .version import __version__

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


MaxRetriesOption = Annotated[
    int | None,
    typer.Option(
        "--max-retries",
        help="Retries of timeouts, resets, 429 and 502/503/504 (2).",
        min=0,
        metavar="N",
    ),
]
RetryBackoffOption = Annotated[
    str | None,
    typer.Option(
        "--retry-backoff",
        help="First wait before a retry; doubles, with jitter (1s).",
        metavar="DURATION",
    ),
]
NoProgressOption = Annotated[bool, typer.Option("--no-progress", help="No progress bar.")]
NoIgnoreOption = Annotated[
    bool,
    typer.Option(
        "--no-ignore",
        help="Also read files that .gitignore rules skip in the folders walked.",
    ),
]


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
    no_ignore: NoIgnoreOption = False,
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
        collected = collect(
            paths, suffixes=suffixes, stdin=sys.stdin.buffer, gitignore=not no_ignore
        )
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


ReportFormat = Format  # the report formats, one enum for the CLI and the reporters


# --- options shared by several commands, defined once -------------------------------------

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Read settings from FILE (default: linkcheck.toml, or "
        "[tool.linkcheck] in pyproject.toml).",
        metavar="FILE",
    ),
]
FormatOption = Annotated[
    ReportFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="terminal, json, markdown, junit, sarif, github or html.",
        metavar="FORMAT",
    ),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report to FILE.", metavar="FILE")
]
FailOnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-on",
        help="Statuses that fail the run: dead, redirected, unknown (default: dead).",
        metavar="STATUSES",
    ),
]
MinFailuresOption = Annotated[
    int | None,
    typer.Option(
        "--min-failures",
        help="Report a link dead only after it failed this many runs in a row (1).",
        min=1,
        metavar="N",
    ),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option("--exclude", help="Skip URLs matching this regex (repeatable).", metavar="REGEX"),
]
TimeoutOption = Annotated[
    str | None,
    typer.Option(
        "--timeout",
        help="Deadline of one request attempt, connect to last byte (20s).",
        metavar="DURATION",
    ),
]
ConnectToOption = Annotated[
    list[str] | None,
    typer.Option(
        "--connect-to",
        help="HOST1:PORT1:HOST2:PORT2, as in curl: connect there, keep "
        "the name for TLS and Host (repeatable).",
        metavar="ROUTE",
    ),
]
CACertOption = Annotated[
    list[str] | None,
    typer.Option(
        "--cacert", help="Also trust the CAs in this PEM file (repeatable).", metavar="FILE"
    ),
]
CacheOption = Annotated[
    bool | None,
    typer.Option(
        "--cache/--no-cache",
        help="Reuse recent verdicts from .linkcheck/state.db.",
        show_default=False,
    ),
]
IncludePrivateOption = Annotated[
    bool | None,
    typer.Option(
        "--include-private", help="Also localhost and private addresses.", show_default=False
    ),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="List alive and excluded links too.")
]


def _routing(
    connect_to: list[str] | None,
    cacert: list[str] | None,
    timeout: str | None,
    max_retries: int | None = None,
    retry_backoff: str | None = None,
) -> dict[str, object]:
    """The settings of the connection and retry options every command that fetches takes."""
    from .config import parse_duration

    return {
        "connect_to": tuple(connect_to) if connect_to else None,
        "cacert": tuple(cacert) if cacert else None,
        "timeout": parse_duration(timeout, name="--timeout") if timeout else None,
        "max_retries": max_retries,
        "retry_backoff": (
            parse_duration(retry_backoff, name="--retry-backoff") if retry_backoff else None
        ),
    }


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    items = tuple(_split_list(values)) if values else ()
    return items or None


@app.command()
def check(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, directories, quoted globs, or - for standard input.",
            metavar="PATH",
            show_default=False,
        ),
    ],
    config_file: ConfigOption = None,
    output_format: FormatOption = None,
    output: OutputOption = None,
    fail_on: FailOnOption = None,
    exclude: ExcludeOption = None,
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include",
            help="Check URLs matching this regex even if excluded (repeatable).",
            metavar="REGEX",
        ),
    ] = None,
    root_dir: Annotated[
        list[str] | None,
        typer.Option(
            "--root-dir", help="Where site-absolute paths live (repeatable).", metavar="DIR"
        ),
    ] = None,
    extensions: Annotated[
        list[str] | None,
        typer.Option("--extensions", help="File suffixes read in directories.", metavar="SUFFIXES"),
    ] = None,
    max_concurrency: Annotated[
        int | None,
        typer.Option(
            "--max-concurrency", help="Requests in flight at once (32).", min=1, metavar="N"
        ),
    ] = None,
    host_concurrency: Annotated[
        int | None,
        typer.Option(
            "--host-concurrency", help="Requests in flight to one host (8).", min=1, metavar="N"
        ),
    ] = None,
    timeout: TimeoutOption = None,
    max_retries: MaxRetriesOption = None,
    max_redirects: Annotated[
        int | None,
        typer.Option("--max-redirects", help="Redirects followed (10).", min=0, metavar="N"),
    ] = None,
    retry_backoff: RetryBackoffOption = None,
    user_agent: Annotated[
        str | None, typer.Option("--user-agent", help="User-Agent header.", metavar="TEXT")
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header",
            "-H",
            help="Extra request header 'Name: value' (repeatable).",
            metavar="HEADER",
        ),
    ] = None,
    connect_to: ConnectToOption = None,
    cacert: CACertOption = None,
    cache: CacheOption = None,
    max_cache_age: Annotated[
        str | None,
        typer.Option(
            "--max-cache-age", help="Reuse no verdict older than this.", metavar="DURATION"
        ),
    ] = None,
    include_private: IncludePrivateOption = None,
    github_token: Annotated[
        str | None,
        typer.Option(
            "--github-token",
            envvar="GITHUB_TOKEN",
            help="Check GitHub repositories through the REST API with this token (sent to "
            "github.com and api.github.com only).",
            metavar="TOKEN",
            show_default=False,
            show_envvar=True,
        ),
    ] = None,
    archive_alive: Annotated[
        bool | None,
        typer.Option(
            "--archive",
            help="Also snapshot every alive link into .linkcheck/archive "
            "(skipping those archived in the last day).",
            show_default=False,
        ),
    ] = None,
    wayback: Annotated[
        bool | None,
        typer.Option(
            "--wayback/--no-wayback",
            help="Look dead links up on the Wayback "
            "Machine and suggest the newest capture (on by default).",
            show_default=False,
        ),
    ] = None,
    save_to_wayback: Annotated[
        bool | None,
        typer.Option(
            "--save-to-wayback",
            help="Submit alive links to Save Page Now (needs IA_ACCESS_KEY and IA_SECRET_KEY).",
            show_default=False,
        ),
    ] = None,
    min_failures: MinFailuresOption = None,
    offline: Annotated[
        bool | None,
        typer.Option(
            "--offline",
            help="No network: check local links; external ones keep their last known verdict.",
            show_default=False,
        ),
    ] = None,
    changed_only: Annotated[
        bool | None,
        typer.Option(
            "--changed-only",
            help="Only the links on lines added or changed against "
            "git's HEAD (the pre-commit hook's default).",
            show_default=False,
        ),
    ] = None,
    budget: Annotated[
        int | None,
        typer.Option(
            "--budget",
            help="Fetch at most N URLs this run, those checked longest ago "
            "first; the others keep their last verdict.",
            min=1,
            metavar="N",
        ),
    ] = None,
    max_time: Annotated[
        str | None,
        typer.Option(
            "--max-time",
            help="Start no fetch after this long (e.g. 50m); what is in flight gets "
            "--timeout to finish, the rest keep their last verdict (or are unknown).",
            metavar="DURATION",
        ),
    ] = None,
    soft_404: Annotated[
        bool | None,
        typer.Option(
            "--soft-404",
            help="Compare each alive page with a random sibling URL of the same site, to "
            "catch 'not found' pages served with 200.",
            show_default=False,
        ),
    ] = None,
    no_ignore: NoIgnoreOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
    verbose: VerboseOption = False,
    no_progress: NoProgressOption = False,
) -> None:
    """Check every link: alive, redirected, dead, or unknown with the reason."""
    from .config import build_config, parse_duration, parse_fail_on, parse_header

    if quiet and verbose:
        _fail("--quiet and --verbose contradict: choose one", ExitCode.USAGE)
    try:
        cli: dict[str, object] = {
            "format": output_format.value if output_format else None,
            "output": str(output) if output else None,
            "fail_on": parse_fail_on(fail_on) if fail_on else None,
            "exclude": _tuple(exclude) if exclude else None,
            "include": _tuple(include) if include else None,
            "root_dir": _tuple(root_dir),
            "extensions": _tuple(extensions),
            "gitignore": False if no_ignore else None,
            "max_concurrency": max_concurrency,
            "host_concurrency": host_concurrency,
            "timeout": parse_duration(timeout, name="--timeout") if timeout else None,
            "max_retries": max_retries,
            "max_redirects": max_redirects,
            "retry_backoff": (
                parse_duration(retry_backoff, name="--retry-backoff") if retry_backoff else None
            ),
            "user_agent": user_agent,
            "header": tuple(parse_header(h) for h in header) if header else None,
            "connect_to": tuple(connect_to) if connect_to else None,
            "cacert": tuple(cacert) if cacert else None,
            "cache": cache,
            "max_cache_age": (
                parse_duration(max_cache_age, name="--max-cache-age") if max_cache_age else None
            ),
            "include_private": include_private,
            "github_token": github_token or None,
            "soft_404": soft_404,
            "min_failures": min_failures,
            "changed_only": changed_only,
            "offline": offline,
            "budget": budget,
            "max_time": parse_duration(max_time, name="--max-time") if max_time else None,
            "archive": archive_alive,
            "wayback": wayback,
            "save_to_wayback": save_to_wayback,
        }
        config = build_config(cli, config_file, cwd=Path.cwd())
    except LinkcheckError as error:
        _fail(str(error), error.exit_code)
    _run_and_report(paths, config, quiet=quiet, verbose=verbose, no_progress=no_progress)


def _run_and_report(
    paths: list[str],
    config: object,
    *,
    quiet: bool,
    verbose: bool,
    no_progress: bool,
    demo_note: str | None = None,
) -> None:
    from .config import Config
    from .run import run

    assert isinstance(config, Config)
    to_terminal = config.output is None and sys.stdout.isatty()
    show_progress = sys.stderr.isatty() and not no_progress and not quiet
    try:
        with _progress(show_progress) as progress:
            outcome = run(
                paths,
                config,
                cwd=Path.cwd(),
                stdin=sys.stdin.buffer,
                progress=progress,
                notice=None if quiet else _notice,
                verbose=verbose,
                quiet=quiet,
                color=to_terminal and config.format == "terminal",
            )
    except LinkcheckError as error:
        _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        _interrupted()
    for warning in outcome.warnings:
        typer.echo(f"linkcheck: warning: {warning}", err=True)
    _emit(outcome.rendered, Path(config.output) if config.output else None)
    if outcome.report.offline:
        typer.echo(
            "linkcheck: offline: no host could be reached and no name resolved; "
            "nothing was declared dead.",
            err=True,
        )
    if demo_note is not None:
        typer.echo(demo_note, err=True)
        return
    raise typer.Exit(int(outcome.exit_code))


def _notice(text: str) -> None:
    typer.echo(f"linkcheck: {text}", err=True)


class _progress:
    """A rich progress bar on stderr, or nothing."""

    def __init__(self, enabled: bool, label: str = "checking") -> None:
        self._enabled = enabled
        self._label = label

    def __enter__(self) -> Callable[[int, int, str], None] | None:
        if not self._enabled:
            return None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._bar = Progress(
            "{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[note]}"),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        task = self._bar.add_task(self._label, total=None, note="")

        def update(done: int, total: int, note: str = "") -> None:
            self._bar.update(task, completed=done, total=total, note=note)

        return update

    def __exit__(self, *exc: object) -> None:
        if self._enabled:
            self._bar.stop()


@app.command()
def archive(
    args: Annotated[
        list[str],
        typer.Argument(
            help="PATH... to snapshot every external link they cite; or one of: list [URL], "
            "show URL, export FILE.warc.gz, verify.",
            metavar="PATH... | list [URL] | show URL | export FILE | verify",
            show_default=False,
        ),
    ],
    max_age: Annotated[
        str | None,
        typer.Option(
            "--max-age",
            help="Skip URLs archived more recently than this (e.g. 30d).",
            metavar="DURATION",
        ),
    ] = None,
    config_file: ConfigOption = None,
    connect_to: ConnectToOption = None,
    cacert: CACertOption = None,
    timeout: TimeoutOption = None,
    max_retries: MaxRetriesOption = None,
    retry_backoff: RetryBackoffOption = None,
    exclude: ExcludeOption = None,
    include_private: IncludePrivateOption = None,
    no_progress: NoProgressOption = False,
) -> None:
    """Snapshot pages into .linkcheck/archive (WARC + a readable copy), or use the archive."""
    from .config import build_config, parse_duration

    try:
        config = build_config(
            {
                **_routing(connect_to, cacert, timeout, max_retries, retry_backoff),
                "exclude": _tuple(exclude) if exclude else None,
                "include_private": include_private,
            },
            config_file,
            cwd=Path.cwd(),
        )
        seconds = parse_duration(max_age, name="--max-age") if max_age else None
        from .archive_run import archive_command

        show_progress = sys.stderr.isatty() and not no_progress
        with _progress(show_progress, "archiving") as progress:
            text, code = archive_command(
                args,
                config,
                cwd=Path.cwd(),
                max_age=seconds,
                stdin=sys.stdin.buffer,
                progress=progress,
            )
    except LinkcheckError as error:
        _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        _interrupted()
    sys.stdout.write(text)
    raise typer.Exit(int(code))


class DeadChoice(StrEnum):
    REPLACE = "replace"
    ANNOTATE = "annotate"
    KEEP = "keep"


@app.command()
def fix(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, directories or quoted globs to rewrite.",
            metavar="PATH",
            show_default=False,
        ),
    ],
    dead: Annotated[
        DeadChoice,
        typer.Option(
            "--dead",
            help="Dead links: replace them with their archived copy, "
            "annotate them with a link to it, or keep them.",
            metavar="MODE",
        ),
    ] = DeadChoice.ANNOTATE,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print a unified diff; change nothing.")
    ] = False,
    config_file: ConfigOption = None,
    connect_to: ConnectToOption = None,
    cacert: CACertOption = None,
    timeout: TimeoutOption = None,
    max_retries: MaxRetriesOption = None,
    retry_backoff: RetryBackoffOption = None,
    cache: CacheOption = None,
    no_progress: NoProgressOption = False,
) -> None:
    """Rewrite moved links to where they went and dead links to their archived copy."""
    from .config import build_config
    from .fix import DeadMode
    from .fix_run import fix as run_fix

    try:
        config = build_config(
            {
                **_routing(connect_to, cacert, timeout, max_retries, retry_backoff),
                "cache": cache,
            },
            config_file,
            cwd=Path.cwd(),
        )
        with _progress(sys.stderr.isatty() and not no_progress) as progress:
            text, warnings = run_fix(
                paths,
                config,
                cwd=Path.cwd(),
                dead=DeadMode(dead.value),
                dry_run=dry_run,
                progress=progress,
            )
    except LinkcheckError as error:
        _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        _interrupted()
    for warning in warnings:
        typer.echo(f"linkcheck: warning: {warning}", err=True)
    sys.stdout.write(text)


@app.command()
def report(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="The sources whose links to report on.", metavar="PATH", show_default=False
        ),
    ],
    output_format: FormatOption = None,
    output: OutputOption = None,
    min_failures: MinFailuresOption = None,
    fail_on: FailOnOption = None,
    config_file: ConfigOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Render the history of earlier runs, per post, without the network.

    Per post: what is dead, since when, for how many runs in a row, with its snapshot or
    Wayback capture."""
    from .config import build_config, parse_fail_on
    from .report_run import report_command

    try:
        config = build_config(
            {
                "format": output_format.value if output_format else None,
                "output": str(output) if output else None,
                "min_failures": min_failures,
                "fail_on": parse_fail_on(fail_on) if fail_on else None,
            },
            config_file,
            cwd=Path.cwd(),
        )
        text, code, warnings = report_command(
            paths, config, cwd=Path.cwd(), stdin=sys.stdin.buffer, verbose=verbose
        )
    except LinkcheckError as error:
        _fail(str(error), error.exit_code)
    for warning in warnings:
        typer.echo(f"linkcheck: warning: {warning}", err=True)
    _emit(text, Path(config.output) if config.output else None)
    raise typer.Exit(int(code))


@app.command()
def demo(
    output_format: FormatOption = ReportFormat.TERMINAL,
    verbose: VerboseOption = False,
) -> None:
    """Check the bundled sample blog against the simulated web (no internet needed)."""
    import tempfile

    from .config import Config, HostConfig
    from .simweb import running

    repo = Path(__file__).resolve().parent.parent
    blog, web_root = repo / "fixtures" / "blog", repo / "fixtures" / "web"
    if not blog.is_dir() or not web_root.is_dir():
        _fail(
            "the demo needs a checkout of linkcheck (fixtures/blog and fixtures/web)",
            ExitCode.USAGE,
        )
    with (
        tempfile.TemporaryDirectory(prefix="linkcheck-demo-") as work,
        running(web_root, Path(work)) as web,
    ):
        config = Config(
            format=(output_format or ReportFormat.TERMINAL).value,
            root_dir=(str(blog),),
            connect_to=tuple(web.connect_to()),
            cacert=(str(web.ca_file),),
            timeout=5.0,
            max_retries=1,
            retry_backoff=0.2,
            cache=False,
            state_dir=str(Path(work) / "state"),
            # A local simulated web: the real hosts' politeness intervals only slow it down.
            hosts={
                host: HostConfig(interval=0)
                for host in ("mp.weixin.qq.com", "zhihu.com", "github.com", "web.archive.org")
            },
        )
        shown = os.path.relpath(blog) if not os.path.relpath(blog).startswith("..") else str(blog)
        _run_and_report(
            [shown],
            config,
            quiet=False,
            verbose=verbose,
            no_progress=False,
            demo_note="linkcheck: demo finished: every verdict above came from the "
            "simulated web on 127.0.0.1.",
        )


def _emit(text: str, output: Path | None) -> None:
    from .atomic import write_atomically, write_in_pieces

    if output is None:
        write_in_pieces(sys.stdout, text)
        sys.stdout.flush()
        return

    try:
        write_atomically(output, text)
    except OSError as error:
        _fail(f"{output}: cannot write: {error.strerror or error}", ExitCode.USAGE)


def _interrupted() -> typer.Exit:
    typer.echo(
        "linkcheck: interrupted; the state database keeps every verdict it had committed", err=True
    )
    raise typer.Exit(130)


def _fail(message: str, code: ExitCode) -> typer.Exit:
    typer.echo(f"linkcheck: error: {message}", err=True)
    raise typer.Exit(int(code))


_COMMANDS = frozenset({"check", "extract", "demo", "archive", "fix", "report"})


def run_main(invoke: Callable[[], object]) -> int:
    """The one funnel from exceptions to exit codes (DESIGN.md §5, as in httpie)."""
    try:
        invoke()
    except SystemExit as leaving:  # typer/click finish with SystemExit(code)
        return leaving.code if isinstance(leaving.code, int) else int(ExitCode.USAGE)
    except KeyboardInterrupt:
        typer.echo("linkcheck: interrupted; the state database keeps what was committed", err=True)
        return 130
    except LinkcheckError as error:
        typer.echo(f"linkcheck: error: {error}", err=True)
        return int(error.exit_code)
    except Exception as error:  # noqa: BLE001 - the top-level funnel: a bug, said plainly
        typer.echo(f"linkcheck: internal error: {type(error).__name__}: {error}", err=True)
        typer.echo("please report this with the command you ran", err=True)
        return int(ExitCode.INTERNAL)
    return int(ExitCode.OK)


def main() -> None:
    # `linkcheck posts/` means `linkcheck check posts/`, as with lychee.
    args = sys.argv[1:]
    if args and args[0] not in _COMMANDS and not args[0].startswith("-"):
        sys.argv.insert(1, "check")
    sys.exit(run_main(app))
