"""The command line: options → Config → a command → rendered output → exit code. Only this
module prints or exits; the commands (linkcheck/commands/) return data."""

import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from .collect import DEFAULT_SUFFIXES
from .config import Config
from .errors import ExitCode, LinkcheckError
from .formats import Format
from .version import DEFAULT_USER_AGENT, __version__

if TYPE_CHECKING:
    from .commands.archive import Archived, Hit
    from .commands.fix import FixOutcome
    from .models import CheckReport, Scope

DEFAULTS = Config()  # every default is written in Config; the help texts quote it

app = typer.Typer(
    name="linkcheck",
    help="Find dead links in Markdown blogs, and tell the truth about WeChat, Zhihu and "
    "GitHub. `linkcheck PATH...` is `linkcheck check PATH...`.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _duration(seconds: float) -> str:
    return f"{seconds:g}s"


class ListingFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


ReportFormat = Format  # the report formats, one enum for the CLI and the reporters


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


# --- options, each declared once ---------------------------------------------------------

PathsArgument = Annotated[
    list[str],
    typer.Argument(
        help="Files, directories, quoted globs, or - for standard input.",
        metavar="PATH...",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Read settings from FILE (default: linkcheck.toml, or "
        "\\[tool.linkcheck] in pyproject.toml).",
        metavar="FILE",
    ),
]
OfflineOption = Annotated[
    bool | None,
    typer.Option(
        "--offline",
        help="No network: check local links; external ones keep their last known verdict.",
        show_default=False,
    ),
]
BudgetOption = Annotated[
    int | None,
    typer.Option(
        "--budget",
        help="Fetch at most N URLs this run, those checked longest ago "
        "first; the others keep their last verdict.",
        min=1,
        metavar="N",
    ),
]
MaxTimeOption = Annotated[
    str | None,
    typer.Option(
        "--max-time",
        help="Start no fetch after this long (e.g. 50m); what is in flight gets "
        "--timeout to finish, the rest keep their last verdict (or are unknown).",
        metavar="DURATION",
    ),
]
PublishDirOption = Annotated[
    str | None,
    typer.Option(
        "--publish-dir",
        help="A folder the site generator publishes (e.g. archive/ in a Jekyll or Hugo "
        "source): readable copies go there, and `fix` links them for the blog's readers.",
        metavar="DIR",
    ),
]
TrustConfigOption = Annotated[
    bool,
    typer.Option(
        "--trust-config",
        help="Let this repository's own config file set what runs, where requests go and "
        "what is written outside it (browser-path, connect-to, cacert, proxy, cookies, "
        "include-private, output); see SECURITY.md.",
    ),
]
FormatOption = Annotated[
    ReportFormat | None,
    typer.Option(
        "--format",
        "-f",
        help=f"{', '.join(f.value for f in Format)} ({DEFAULTS.format}).",
        metavar="FORMAT",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to FILE instead of stdout.", metavar="FILE"),
]
RootDirOption = Annotated[
    list[str] | None,
    typer.Option(
        "--root-dir",
        help="Where site-absolute paths like /images/x.png live (repeatable, tried in order).",
        metavar="DIR",
    ),
]
ExtensionsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--extensions",
        help="File suffixes read in directories "
        f"({','.join(suffix.lstrip('.') for suffix in DEFAULT_SUFFIXES)}).",
        metavar="SUFFIXES",
    ),
]
NoIgnoreOption = Annotated[
    bool,
    typer.Option(
        "--no-ignore", help="Also read files that .gitignore rules skip in the folders walked."
    ),
]
BaseUrlOption = Annotated[
    list[str] | None,
    typer.Option(
        "--base-url",
        help="Another address that serves the blog (repeatable; the generator's own url "
        "counts without it): links there are decided from the sources, not fetched.",
        metavar="URL",
    ),
]
SlugDialectOption = Annotated[
    str | None,
    typer.Option(
        "--slug-dialect",
        help="How heading anchors are made: kramdown, kramdown-gfm, github, github-ascii or "
        "mkdocs "
        "(default: the site generator's).",
        metavar="DIALECT",
    ),
]
ExcludePathOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude-path",
        help="Skip source files whose path matches this regex (repeatable), as lychee's.",
        metavar="REGEX",
    ),
]
AcceptOption = Annotated[
    list[str] | None,
    typer.Option(
        "--accept",
        help="HTTP statuses that count as alive, as lychee's: 200,403 or 200..=299 "
        "(repeatable or comma-separated).",
        metavar="STATUSES",
    ),
]
InsecureOption = Annotated[
    bool | None,
    typer.Option(
        "--insecure",
        help="Do not verify TLS certificates (loudly; the GitHub token and cookies are never "
        "sent then). Prefer --cacert FILE for a private CA.",
        show_default=False,
    ),
]
FailOnOption = Annotated[
    list[str] | None,
    typer.Option(
        "--fail-on",
        help="Statuses that fail the run: dead, redirected, unknown "
        f"({','.join(DEFAULTS.fail_on)}).",
        metavar="STATUSES",
    ),
]
FailOnAcknowledgedOption = Annotated[
    bool | None,
    typer.Option(
        "--fail-on-acknowledged",
        help="Acknowledged dead links fail the run too (`linkcheck ack`, or annotated by `fix`).",
        show_default=False,
    ),
]
MinFailuresOption = Annotated[
    int | None,
    typer.Option(
        "--min-failures",
        help="Report a link dead only after it failed this many runs in a row "
        f"({DEFAULTS.min_failures}).",
        min=1,
        metavar="N",
    ),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option("--exclude", help="Skip URLs matching this regex (repeatable).", metavar="REGEX"),
]
IncludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--include",
        help="Check URLs matching this regex even if excluded (repeatable).",
        metavar="REGEX",
    ),
]
RemapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--remap",
        help="'REGEX REPLACEMENT': check the URL this makes of a matching one instead "
        "($1 or \\1 for groups; repeatable, the first match wins).",
        metavar="'REGEX REPLACEMENT'",
    ),
]
CookiesOption = Annotated[
    Path | None,
    typer.Option(
        "--cookies",
        help="Send the cookies of this cookies.txt (Netscape format, as browser extensions "
        "export it) to the hosts they belong to, over HTTPS only.",
        metavar="FILE",
    ),
]
ProxyOption = Annotated[
    str | None,
    typer.Option(
        "--proxy",
        help="Send requests through this proxy: http://, https:// or socks5:// "
        "(NO_PROXY still applies; --connect-to wins).",
        metavar="URL",
        show_default=False,
    ),
]
NoEnvProxyOption = Annotated[
    bool,
    typer.Option(
        "--no-env-proxy", help="Ignore HTTPS_PROXY, HTTP_PROXY and ALL_PROXY of the environment."
    ),
]
IncludePrivateOption = Annotated[
    bool | None,
    typer.Option(
        "--include-private", help="Also localhost and private addresses.", show_default=False
    ),
]
TimeoutOption = Annotated[
    str | None,
    typer.Option(
        "--timeout",
        help="Deadline of one request attempt, connect to last byte "
        f"({_duration(DEFAULTS.timeout)}).",
        metavar="DURATION",
    ),
]
MaxRetriesOption = Annotated[
    int | None,
    typer.Option(
        "--max-retries",
        help=f"Retries of timeouts, resets, 429 and 502/503/504 ({DEFAULTS.max_retries}).",
        min=0,
        metavar="N",
    ),
]
RetryBackoffOption = Annotated[
    str | None,
    typer.Option(
        "--retry-backoff",
        help="First wait before a retry; doubles, with jitter "
        f"({_duration(DEFAULTS.retry_backoff)}).",
        metavar="DURATION",
    ),
]
MaxRedirectsOption = Annotated[
    int | None,
    typer.Option(
        "--max-redirects",
        help=f"Redirects followed ({DEFAULTS.max_redirects}).",
        min=0,
        metavar="N",
    ),
]
MaxConcurrencyOption = Annotated[
    int | None,
    typer.Option(
        "--max-concurrency",
        help=f"Requests in flight at once ({DEFAULTS.max_concurrency}).",
        min=1,
        metavar="N",
    ),
]
HostConcurrencyOption = Annotated[
    int | None,
    typer.Option(
        "--host-concurrency",
        help=f"Requests in flight to one host ({DEFAULTS.host_concurrency}).",
        min=1,
        metavar="N",
    ),
]
UserAgentOption = Annotated[
    str | None,
    typer.Option(
        "--user-agent",
        help=f"User-Agent header ({DEFAULT_USER_AGENT}).",
        metavar="TEXT",
    ),
]
HeaderOption = Annotated[
    list[str] | None,
    typer.Option(
        "--header",
        "-H",
        help="Extra request header 'Name: value' (repeatable).",
        metavar="HEADER",
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
GithubTokenOption = Annotated[
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
]
CacheOption = Annotated[
    bool | None,
    typer.Option(
        "--cache/--no-cache",
        help=f"Reuse recent verdicts from {DEFAULTS.state_dir}/state.db.",
        show_default=False,
    ),
]
BrowserPathOption = Annotated[
    str | None,
    typer.Option(
        "--browser-path",
        help="The Chromium --browser runs (default: chromium on PATH).",
        metavar="FILE",
    ),
]
NoProgressOption = Annotated[bool, typer.Option("--no-progress", help="No progress bar.")]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="List alive and excluded links too.")
]


def _sources(
    root_dir: list[str] | None,
    extensions: list[str] | None,
    no_ignore: bool,
    base_url: list[str] | None,
    slug_dialect: str | None,
    exclude_path: list[str] | None,
) -> dict[str, Any]:
    """The settings of the options that say which files are read and how the site they
    belong to is published, as every command has."""
    return {
        "root_dir": root_dir,
        "extensions": extensions,
        "gitignore": False if no_ignore else None,
        "base_url": base_url,
        "slug_dialect": slug_dialect,
        "exclude_path": exclude_path,
    }


# The options every command that fetches takes; its parameters bear these names.
_NETWORK_OPTIONS = (
    "connect_to",
    "cacert",
    "timeout",
    "max_retries",
    "retry_backoff",
    "max_redirects",
    "max_concurrency",
    "host_concurrency",
    "user_agent",
    "header",
    "github_token",
    "include_private",
    "exclude",
    "include",
    "remap",
    "proxy",
    "accept",
    "insecure",
)


def _bounds(offline: bool | None, budget: int | None, max_time: str | None) -> dict[str, Any]:
    """The settings that bound a run that fetches: --offline, --budget, --max-time."""
    return {"offline": offline, "budget": budget, "max_time": max_time}


def _path(value: Path | None) -> str | None:
    return str(value) if value is not None else None


def _network(parameters: dict[str, Any]) -> dict[str, Any]:
    """The settings of the network options, from a command's parameters (its locals())."""
    settings = {name: parameters[name] for name in _NETWORK_OPTIONS}
    settings["env_proxy"] = False if parameters["no_env_proxy"] else None
    settings["cookies"] = _path(parameters["cookies"])
    return settings


def _config(cli: dict[str, Any], config_file: Path | None, trust_config: bool) -> Config:
    """CLI > file > defaults; the CLI's values are coerced and checked as a file's are."""
    from .config import build_config

    config = build_config(cli, config_file, cwd=Path.cwd(), trust_config=trust_config)
    if config.insecure:
        _warn(
            [
                "--insecure: TLS certificates are NOT verified: anyone on the network path "
                "can answer for any host, and the verdicts mean nothing against them"
            ]
        )
    return config


@contextmanager
def _reported_errors() -> Iterator[None]:
    """The one place a command's errors become a message and an exit code."""
    try:
        yield
    except LinkcheckError as error:
        _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        _interrupted()


# --- the commands --------------------------------------------------------------------------


@app.command()
def extract(
    paths: PathsArgument,
    output_format: Annotated[
        ListingFormat,
        typer.Option(
            "--format",
            "-f",
            help="text, or json (one record per link) (text).",
            metavar="FORMAT",
            show_default=False,
        ),
    ] = ListingFormat.TEXT,
    output: OutputOption = None,
    config_file: ConfigOption = None,
    trust_config: TrustConfigOption = False,
    root_dir: RootDirOption = None,
    extensions: ExtensionsOption = None,
    no_ignore: NoIgnoreOption = False,
    base_url: BaseUrlOption = None,
    slug_dialect: SlugDialectOption = None,
    exclude_path: ExcludePathOption = None,
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
    from .commands.loading import load_links
    from .listing import as_text, json_details, json_pieces

    with _reported_errors():
        wanted = _scopes(scope)
        config = _config(
            _sources(root_dir, extensions, no_ignore, base_url, slug_dialect, exclude_path),
            config_file,
            trust_config,
        )
        as_json = output_format is ListingFormat.JSON
        # A JSON record's costly details are made beside the extraction, on every core.
        details = json_details([Path(r) for r in config.root_dir]) if as_json else None
        loaded = load_links(paths, config, cwd=Path.cwd(), stdin=sys.stdin.buffer, render=details)
    _warn(loaded.warnings)
    if as_json:
        listed = sorted(
            (
                pair
                for pair in zip(loaded.links, loaded.rendered, strict=True)
                if wanted is None or pair[0].scope in wanted
            ),
            key=lambda pair: pair[0].sort_key,
        )
        _emit(json_pieces(listed, loaded.warnings), output)
        return
    links = sorted(
        (link for link in loaded.links if wanted is None or link.scope in wanted),
        key=lambda link: link.sort_key,
    )
    _emit(as_text(links), output)


def _scopes(values: list[str] | None) -> "set[Scope] | None":
    from .config import split_commas
    from .errors import ConfigError
    from .models import Scope

    if not values:
        return None
    try:
        return {Scope(part) for part in split_commas(values)}
    except ValueError as error:
        raise ConfigError(f"--scope: {error}") from None


@app.command()
def check(
    paths: PathsArgument,
    config_file: ConfigOption = None,
    trust_config: TrustConfigOption = False,
    output_format: FormatOption = None,
    output: OutputOption = None,
    fail_on: FailOnOption = None,
    fail_on_acknowledged: FailOnAcknowledgedOption = None,
    exclude: ExcludeOption = None,
    include: IncludeOption = None,
    remap: RemapOption = None,
    accept: AcceptOption = None,
    insecure: InsecureOption = None,
    root_dir: RootDirOption = None,
    extensions: ExtensionsOption = None,
    no_ignore: NoIgnoreOption = False,
    base_url: BaseUrlOption = None,
    slug_dialect: SlugDialectOption = None,
    exclude_path: ExcludePathOption = None,
    max_concurrency: MaxConcurrencyOption = None,
    host_concurrency: HostConcurrencyOption = None,
    timeout: TimeoutOption = None,
    max_retries: MaxRetriesOption = None,
    max_redirects: MaxRedirectsOption = None,
    retry_backoff: RetryBackoffOption = None,
    user_agent: UserAgentOption = None,
    header: HeaderOption = None,
    connect_to: ConnectToOption = None,
    cacert: CACertOption = None,
    proxy: ProxyOption = None,
    no_env_proxy: NoEnvProxyOption = False,
    cookies: CookiesOption = None,
    cache: CacheOption = None,
    max_cache_age: Annotated[
        str | None,
        typer.Option(
            "--max-cache-age",
            help="Reuse no verdict older than this (by status: alive and redirected 7 days, "
            "dead 1 day, unknown never, one the server's silence caused 1 hour).",
            metavar="DURATION",
        ),
    ] = None,
    include_private: IncludePrivateOption = None,
    github_token: GithubTokenOption = None,
    archive_alive: Annotated[
        bool | None,
        typer.Option(
            "--archive",
            help=f"Also snapshot every alive link into {DEFAULTS.state_dir}/archive "
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
    offline: OfflineOption = None,
    changed_only: Annotated[
        bool | None,
        typer.Option(
            "--changed-only",
            help="Only the links on lines added or changed against "
            "git's HEAD (the pre-commit hook's default).",
            show_default=False,
        ),
    ] = None,
    budget: BudgetOption = None,
    max_time: MaxTimeOption = None,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            help="Check only the K-th of N shares of the URLs (e.g. 2/4), for a CI matrix; "
            "merge the reports with `report --merge` and the states with `state merge`.",
            metavar="K/N",
        ),
    ] = None,
    shard_pace: Annotated[
        str | None,
        typer.Option(
            "--shard-pace",
            help="With --shard: 'shared' (the default): the shards run from one address and "
            "split each host's pace; 'per-runner': each runs from its own address (separate "
            "CI runners) and keeps the whole of it.",
            metavar="shared|per-runner",
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
    browser: Annotated[
        bool | None,
        typer.Option(
            "--browser",
            help="Open pages a host rule found behind a challenge a browser passes (Zhihu's, "
            "CSDN's, Juejin's) in headless Chromium, and reuse its cookies for the host.",
            show_default=False,
        ),
    ] = None,
    browser_path: BrowserPathOption = None,
    check_fragments: Annotated[
        bool | None,
        typer.Option(
            "--check-fragments",
            help="Check the #fragment of external links against the anchors of the page "
            "fetched (pages cited with one are read again each run, up to 4 MiB).",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary.")] = False,
    verbose: VerboseOption = False,
    no_progress: NoProgressOption = False,
) -> None:
    """Check every link: alive, redirected, dead, or unknown with the reason."""
    if quiet and verbose:
        _fail("--quiet and --verbose contradict: choose one", ExitCode.USAGE)
    cli = {
        **_sources(root_dir, extensions, no_ignore, base_url, slug_dialect, exclude_path),
        **_network(locals()),
        "format": output_format.value if output_format else None,
        "output": str(output) if output else None,
        "fail_on": fail_on,
        "fail_on_acknowledged": fail_on_acknowledged,
        "cache": cache,
        "max_cache_age": max_cache_age,
        "soft_404": soft_404,
        "check_fragments": check_fragments,
        "browser": browser,
        "browser_path": browser_path,
        "min_failures": min_failures,
        "changed_only": changed_only,
        **_bounds(offline, budget, max_time),
        "shard": shard,
        "shard_pace": shard_pace,
        "archive": archive_alive,
        "wayback": wayback,
        "save_to_wayback": save_to_wayback,
    }
    with _reported_errors():
        config = _config(cli, config_file, trust_config)
    _check_and_report(paths, config, quiet=quiet, verbose=verbose, no_progress=no_progress)


def _check_and_report(
    paths: list[str],
    config: Config,
    *,
    quiet: bool,
    verbose: bool,
    no_progress: bool,
    demo_note: str | None = None,
) -> None:
    from .commands.check import check as run_check

    to_terminal = config.output is None and sys.stdout.isatty()
    with _reported_errors(), _progress(_show_progress(no_progress or quiet)) as progress:
        outcome = run_check(
            paths,
            config,
            cwd=Path.cwd(),
            stdin=sys.stdin.buffer,
            progress=progress,
            notice=None if quiet else _notice,
        )
    _warn(outcome.report.warnings)
    color = to_terminal and config.format == "terminal"
    _emit(
        _rendered(outcome.report, config, verbose=verbose, quiet=quiet, color=color),
        _output_of(config),
    )
    if outcome.report.offline:
        typer.echo(
            "linkcheck: offline: no host could be reached and no name resolved; "
            "no external link was declared dead (local links were judged)"
            + ("; --changed-only: a warning, not a failure" if config.changed_only else "."),
            err=True,
        )
    if demo_note is not None:
        typer.echo(demo_note, err=True)
        return
    raise typer.Exit(int(outcome.exit_code))


def _rendered(
    report: "CheckReport", config: Config, *, verbose: bool, quiet: bool, color: bool
) -> "str | Iterable[str]":
    from .report import ReportOptions, reporter_for

    options = ReportOptions(
        fail_on=config.fail_on,
        fail_on_acknowledged=config.fail_on_acknowledged,
        verbose=verbose,
        quiet=quiet,
        color=color,
    )
    return reporter_for(Format(config.format)).render(report, options)


@app.command()
def archive(
    args: Annotated[
        list[str],
        typer.Argument(
            help="PATH... to snapshot every external link they cite; or one of: list [URL], "
            "show URL, export FILE.warc.gz|FILE.wacz, search QUERY, verify.",
            metavar="PATH... | list [URL] | show URL | export FILE | search QUERY | verify",
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
    output: OutputOption = None,
    config_file: ConfigOption = None,
    trust_config: TrustConfigOption = False,
    root_dir: RootDirOption = None,
    extensions: ExtensionsOption = None,
    no_ignore: NoIgnoreOption = False,
    base_url: BaseUrlOption = None,
    slug_dialect: SlugDialectOption = None,
    exclude_path: ExcludePathOption = None,
    exclude: ExcludeOption = None,
    include: IncludeOption = None,
    remap: RemapOption = None,
    accept: AcceptOption = None,
    insecure: InsecureOption = None,
    include_private: IncludePrivateOption = None,
    max_concurrency: MaxConcurrencyOption = None,
    host_concurrency: HostConcurrencyOption = None,
    timeout: TimeoutOption = None,
    max_retries: MaxRetriesOption = None,
    max_redirects: MaxRedirectsOption = None,
    retry_backoff: RetryBackoffOption = None,
    user_agent: UserAgentOption = None,
    header: HeaderOption = None,
    connect_to: ConnectToOption = None,
    cacert: CACertOption = None,
    proxy: ProxyOption = None,
    no_env_proxy: NoEnvProxyOption = False,
    cookies: CookiesOption = None,
    github_token: GithubTokenOption = None,
    offline: OfflineOption = None,
    budget: BudgetOption = None,
    max_time: MaxTimeOption = None,
    publish_dir: PublishDirOption = None,
    browser: Annotated[
        bool | None,
        typer.Option(
            "--browser",
            help="Also draw each page in headless Chromium, routed as the check is: a "
            "full-page screenshot.png and a page.pdf in the snapshot.",
            show_default=False,
        ),
    ] = None,
    browser_path: BrowserPathOption = None,
    no_progress: NoProgressOption = False,
) -> None:
    """Snapshot pages into .linkcheck/archive (WARC + a readable copy), or use the archive."""
    from .config import parse_duration

    cli = {
        **_sources(root_dir, extensions, no_ignore, base_url, slug_dialect, exclude_path),
        **_network(locals()),
        **_bounds(offline, budget, max_time),
        "publish_dir": publish_dir,
        "browser": browser,
        "browser_path": browser_path,
    }
    with _reported_errors():
        config = _config(cli, config_file, trust_config)
        seconds = parse_duration(max_age, name="--max-age") if max_age else None
        text, code = _archive_verb(args, config) or _archive_paths(
            args, config, seconds, no_progress
        )
    _emit(text, output)
    raise typer.Exit(int(code))


def _archive_verb(args: list[str], config: Config) -> tuple[str, ExitCode] | None:
    """list, show, export, search, verify: the archive used, never added to; None for paths."""
    from .commands import archive as commands
    from .errors import InputError

    verb, rest, cwd = args[0], args[1:], Path.cwd()
    if verb == "list":
        rows = commands.snapshots(cwd, config, rest[0] if rest else None)
        lines = [
            f"{s.captured_at}  {s.id}  {s.http_status}  {s.url}  {s.title or ''}".rstrip()
            for s in rows
        ]
        return "".join(f"{line}\n" for line in lines), ExitCode.OK
    if verb in ("show", "export") and len(rest) != 1:
        what = "URL" if verb == "show" else "FILE.warc.gz"
        raise InputError(f"usage: linkcheck archive {verb} {what}")
    if verb == "show":
        return f"{commands.newest_page(cwd, config, rest[0])}\n", ExitCode.OK
    if verb == "export":
        count = commands.export(cwd, config, Path(rest[0]))
        return f"exported {count} snapshots to {rest[0]}\n", ExitCode.OK
    if verb == "search":
        hits = commands.search(cwd, config, " ".join(rest))
        return "".join(_hit_lines(hit) for hit in hits) + f"{len(hits)} found\n", (
            ExitCode.OK if hits else ExitCode.LINKS_FAILED
        )
    if verb == "verify":
        count, problems = commands.verify(cwd, config)
        if problems:
            return "".join(f"{problem}\n" for problem in problems), ExitCode.LINKS_FAILED
        return f"{count} snapshots verified: every file present, every digest matches\n", (
            ExitCode.OK
        )
    return None


def _archive_paths(
    paths: list[str], config: Config, max_age: float | None, no_progress: bool
) -> tuple[str, ExitCode]:
    from .commands.archive import archive_sources

    with _progress(_show_progress(no_progress), "archiving") as progress:
        archived = archive_sources(
            paths,
            config,
            cwd=Path.cwd(),
            max_age=max_age,
            stdin=sys.stdin.buffer,
            progress=progress,
            notice=_notice,
        )
    lines = [_archived_line(row) for row in archived]
    counts: dict[str, int] = {}
    for row in archived:
        counts[row.result] = counts.get(row.result, 0) + 1
    summary = ", ".join(f"{n} {result}" for result, n in sorted(counts.items()))
    lines.append(f"{len(archived)} URLs: {summary or 'nothing to archive'}")
    return "\n".join(lines) + "\n", ExitCode.OK


def _hit_lines(hit: "Hit") -> str:
    cited = ", ".join(f"{file}:{line}" for file, line in hit.cited_by) or "(no post read cites it)"
    snapshot = hit.snapshot
    return (
        f"{snapshot.captured_at}  {snapshot.url}  {snapshot.title or ''}".rstrip()
        + f"\n    {hit.snippet}\n    cited by: {cited}\n"
    )


def _archived_line(row: "Archived") -> str:
    if row.page is not None:
        return f"{row.result:<10} {row.url}\n{'':11}{row.page}"
    return f"{row.result:<10} {row.url}\n{'':11}{row.detail or ''}".rstrip()


class DeadChoice(StrEnum):
    REPLACE = "replace"
    ANNOTATE = "annotate"
    KEEP = "keep"


@app.command()
def fix(
    paths: PathsArgument,
    dead: Annotated[
        DeadChoice,
        typer.Option(
            "--dead",
            help="Dead links: replace them with their archived copy, "
            "annotate them with a link to it, or keep them (annotate).",
            metavar="MODE",
            show_default=False,
        ),
    ] = DeadChoice.ANNOTATE,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print a unified diff; change nothing.")
    ] = False,
    output: OutputOption = None,
    config_file: ConfigOption = None,
    trust_config: TrustConfigOption = False,
    root_dir: RootDirOption = None,
    extensions: ExtensionsOption = None,
    no_ignore: NoIgnoreOption = False,
    base_url: BaseUrlOption = None,
    slug_dialect: SlugDialectOption = None,
    exclude_path: ExcludePathOption = None,
    exclude: ExcludeOption = None,
    include: IncludeOption = None,
    remap: RemapOption = None,
    accept: AcceptOption = None,
    insecure: InsecureOption = None,
    include_private: IncludePrivateOption = None,
    max_concurrency: MaxConcurrencyOption = None,
    host_concurrency: HostConcurrencyOption = None,
    timeout: TimeoutOption = None,
    max_retries: MaxRetriesOption = None,
    max_redirects: MaxRedirectsOption = None,
    retry_backoff: RetryBackoffOption = None,
    user_agent: UserAgentOption = None,
    header: HeaderOption = None,
    connect_to: ConnectToOption = None,
    cacert: CACertOption = None,
    proxy: ProxyOption = None,
    no_env_proxy: NoEnvProxyOption = False,
    cookies: CookiesOption = None,
    github_token: GithubTokenOption = None,
    cache: CacheOption = None,
    offline: OfflineOption = None,
    budget: BudgetOption = None,
    max_time: MaxTimeOption = None,
    publish_dir: PublishDirOption = None,
    no_progress: NoProgressOption = False,
) -> None:
    """Rewrite moved links to where they went and dead links to their archived copy."""
    from .commands.fix import fix as run_fix
    from .fix import DeadMode

    cli = {
        **_sources(root_dir, extensions, no_ignore, base_url, slug_dialect, exclude_path),
        **_network(locals()),
        **_bounds(offline, budget, max_time),
        "cache": cache,
        "publish_dir": publish_dir,
    }
    with _reported_errors():
        config = _config(cli, config_file, trust_config)
        with _progress(_show_progress(no_progress)) as progress:
            outcome = run_fix(
                paths,
                config,
                cwd=Path.cwd(),
                dead=DeadMode(dead.value),
                dry_run=dry_run,
                progress=progress,
                notice=_notice,
            )
    _warn(outcome.warnings)
    _emit(_fixed_text(outcome), output)
    if config.offline:
        _notice("--offline: no external link was checked; edits come from verdicts already known")
    if outcome.offline:
        typer.echo(
            "linkcheck: offline: no external link could be checked, so none was fixed "
            "from the network (edits come from verdicts already known).",
            err=True,
        )
        raise typer.Exit(int(ExitCode.COULD_NOT_CHECK))


def _fixed_text(outcome: "FixOutcome") -> str:
    if not outcome.files:
        return "nothing to fix\n"
    return "".join(
        file.diff
        if file.diff is not None
        else f"fixed {file.edits} link{'s' if file.edits != 1 else ''} in {file.path}\n"
        for file in outcome.files
    )


@app.command()
def report(
    paths: PathsArgument,
    output_format: FormatOption = None,
    output: OutputOption = None,
    min_failures: MinFailuresOption = None,
    fail_on: FailOnOption = None,
    fail_on_acknowledged: FailOnAcknowledgedOption = None,
    config_file: ConfigOption = None,
    trust_config: TrustConfigOption = False,
    root_dir: RootDirOption = None,
    extensions: ExtensionsOption = None,
    no_ignore: NoIgnoreOption = False,
    base_url: BaseUrlOption = None,
    slug_dialect: SlugDialectOption = None,
    exclude_path: ExcludePathOption = None,
    exclude: ExcludeOption = None,
    include: IncludeOption = None,
    remap: RemapOption = None,
    merge: Annotated[
        bool,
        typer.Option(
            "--merge",
            help="The PATHs are the JSON reports of `check --shard K/N` runs, 1 to N: "
            "render them as one report.",
        ),
    ] = False,
    verbose: VerboseOption = False,
) -> None:
    """Render the history of earlier runs, per post, without the network.

    Per post: what is dead, since when, for how many runs in a row, with its snapshot or
    Wayback capture. With --merge: one report from the shards' JSON reports."""
    from .commands.history import history
    from .commands.merge import merge_reports

    cli = {
        **_sources(root_dir, extensions, no_ignore, base_url, slug_dialect, exclude_path),
        "format": output_format.value if output_format else None,
        "output": str(output) if output else None,
        "min_failures": min_failures,
        "fail_on": fail_on,
        "fail_on_acknowledged": fail_on_acknowledged,
        "exclude": exclude,
        "include": include,
        "remap": remap,
    }
    with _reported_errors():
        config = _config(cli, config_file, trust_config)
        outcome = (
            merge_reports(paths, config)
            if merge
            else history(paths, config, cwd=Path.cwd(), stdin=sys.stdin.buffer)
        )
    _warn(outcome.report.warnings)
    _emit(
        _rendered(outcome.report, config, verbose=verbose, quiet=False, color=False),
        _output_of(config),
    )
    raise typer.Exit(int(outcome.exit_code))


state_app = typer.Typer(help="The history database (.linkcheck/state.db).", no_args_is_help=True)
app.add_typer(state_app, name="state")


@state_app.command("merge")
def state_merge(
    databases: Annotated[
        list[Path],
        typer.Argument(
            help="State databases of the shards' runs, folded into this project's.",
            metavar="DB...",
            show_default=False,
        ),
    ],
    config_file: ConfigOption = None,
    trust_config: TrustConfigOption = False,
) -> None:
    """Fold the shards' state databases into this project's history.

    Per URL the newest verdict and its failure streak, and every run, so --min-failures
    counts right across nights."""
    from .commands.state import merge_states

    with _reported_errors():
        config = _config({}, config_file, trust_config)
        merged = merge_states(databases, config, cwd=Path.cwd())
    typer.echo(
        f"merged {merged.databases} database{'s' if merged.databases != 1 else ''} into "
        f"{merged.into}: {merged.rows} newer rows, {merged.runs} runs added"
    )
    if merged.skipped:
        _warn([f"{merged.skipped} rows of the wrong type or size were left out"])


@app.command()
def ack(
    urls: Annotated[
        list[str] | None,
        typer.Argument(help="Dead URLs you have dealt with.", metavar="URL...", show_default=False),
    ] = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="Take the URLs' acknowledgement back.")
    ] = False,
    note: Annotated[
        str | None, typer.Option("--note", help="Why (kept with them).", metavar="TEXT")
    ] = None,
    config_file: ConfigOption = None,
    trust_config: TrustConfigOption = False,
) -> None:
    """Acknowledge dead links you have dealt with, or list them (no URL).

    An acknowledged link is still reported dead, marked acknowledged, and fails no run
    unless --fail-on-acknowledged."""
    from .commands.state import acknowledged, set_acknowledged

    with _reported_errors():
        config = _config({}, config_file, trust_config)
        if not urls:
            rows = acknowledged(config, cwd=Path.cwd())
            _emit("".join(f"{url}  {note or ''}".rstrip() + "\n" for url, note in rows), None)
            return
        changed = set_acknowledged(urls, config, cwd=Path.cwd(), remove=remove, note=note)
    verb = "no longer acknowledged" if remove else "acknowledged"
    typer.echo(f"{changed} of {len(urls)} URL{'s' if len(urls) != 1 else ''} {verb}")


@app.command()
def demo(
    output_format: FormatOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Check the bundled sample blog against the simulated web (no internet needed)."""
    import tempfile

    repo = Path(__file__).resolve().parent.parent
    blog, web_root = repo / "fixtures" / "blog", repo / "fixtures" / "web"
    if not blog.is_dir() or not web_root.is_dir():
        _fail(
            "the demo needs a checkout of linkcheck (fixtures/blog and fixtures/web)",
            ExitCode.USAGE,
        )
    running = _simulated_web()
    with (
        tempfile.TemporaryDirectory(prefix="linkcheck-demo-") as work,
        running(web_root, Path(work)) as web,
    ):
        config = _demo_config(web, Path(work), (output_format or ReportFormat.TERMINAL).value, blog)
        shown = os.path.relpath(blog) if not os.path.relpath(blog).startswith("..") else str(blog)
        _check_and_report(
            [shown],
            config,
            quiet=False,
            verbose=verbose,
            no_progress=False,
            demo_note="linkcheck: demo finished: every verdict above came from the "
            "simulated web on 127.0.0.1; "
            + (
                "Chromium was found, so the pages behind Zhihu's challenge were seen through "
                "it (--browser)."
                if config.browser
                else "no Chromium was found, so the pages behind Zhihu's challenge stay "
                "unknown (install chromium to see them through --browser)."
            ),
        )


def _simulated_web() -> Callable[..., Any]:
    try:
        import trustme  # noqa: F401 - the test CA's maker, in the extra
    except ImportError:
        _fail("the demo needs its extra: pip install -e '.[demo]'", ExitCode.USAGE)
    from .testing.simweb import running

    return running


def _demo_config(web: Any, work: Path, output_format: str, blog: Path) -> Config:
    from .browser.session import find_executable
    from .config import HostConfig

    return Config(
        format=output_format,
        root_dir=(str(blog),),
        # A Zhihu page behind its JavaScript challenge, seen through Chromium when there is one.
        browser=find_executable(None) is not None,
        connect_to=tuple(web.connect_to()),
        cacert=(str(web.ca_file),),
        timeout=5.0,
        max_retries=1,
        retry_backoff=0.2,
        cache=False,
        state_dir=str(work / "state"),
        # A local simulated web: the real hosts' politeness intervals only slow it down.
        hosts={
            host: HostConfig(interval=0)
            for host in ("mp.weixin.qq.com", "zhihu.com", "github.com", "web.archive.org")
        },
    )


# --- output ---------------------------------------------------------------------------------


def _show_progress(no_progress: bool) -> bool:
    return sys.stderr.isatty() and not no_progress


def _warn(warnings: Any) -> None:
    for warning in warnings:
        typer.echo(f"linkcheck: warning: {warning}", err=True)


def _notice(text: str) -> None:
    """A line on stderr; above the progress bar while one is drawn (written beside it, a
    line would be glued to the bar's last frame)."""
    bar = _progress.active
    if bar is not None:
        bar.console.print(f"linkcheck: {text}", markup=False, highlight=False, soft_wrap=True)
    else:
        typer.echo(f"linkcheck: {text}", err=True)


def _output_of(config: Config) -> Path | None:
    return Path(config.output) if config.output else None


def _emit(text: "str | Iterable[str]", output: Path | None) -> None:
    """To stdout, or atomically to the output file; a text in pieces as they are made."""
    from .atomic import write_atomically, write_in_pieces

    if output is None:
        write_in_pieces(sys.stdout, text)
        sys.stdout.flush()
        return
    try:
        write_atomically(output, text)
    except OSError as error:
        _fail(f"{output}: cannot write: {error.strerror or error}", ExitCode.USAGE)


class _progress:
    """A rich progress bar on stderr, or nothing."""

    active: Any = None  # the bar being drawn, for _notice

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
        _progress.active = self._bar
        task = self._bar.add_task(self._label, total=None, note="")

        def update(done: int, total: int, note: str = "") -> None:
            self._bar.update(task, completed=done, total=total, note=note)

        return update

    def __exit__(self, *exc: object) -> None:
        if self._enabled:
            _progress.active = None
            self._bar.stop()


def _interrupted() -> typer.Exit:
    typer.echo(
        "linkcheck: interrupted; the state database keeps every verdict it had committed", err=True
    )
    raise typer.Exit(130)


def _fail(message: str, code: ExitCode) -> typer.Exit:
    typer.echo(f"linkcheck: error: {message}", err=True)
    raise typer.Exit(int(code))


_COMMANDS = frozenset({"check", "extract", "demo", "archive", "fix", "report", "state", "ack"})


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
    # A check allocates hundreds of thousands of small objects and keeps most of them;
    # at Python's default threshold (700) the collector ran 150 times and took 150 ms of
    # a 2.6 s check (bench/check.py --mix), now 30 times and 40 ms. Few of them form
    # cycles, so peak memory does not change.
    gc.set_threshold(10_000, 20, 20)
    # `linkcheck posts/` means `linkcheck check posts/`, as with lychee.
    args = sys.argv[1:]
    if args and args[0] not in _COMMANDS and not args[0].startswith("-"):
        sys.argv.insert(1, "check")
    _leave(run_main(app))


def _leave(code: int) -> NoReturn:
    """Exit without tearing the interpreter down. Freeing every object one by one took
    0.4-0.6 s after the work was done at the blog's 27,000 links (bench/scale.py's offline
    run), about 15% of the run. Nothing is left to finish by then: reports and the state
    database are written and closed, and linkcheck starts no threads and registers no
    atexit hooks, so only the standard streams need their buffers written."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone (closed pipe) or a closed stream
            continue  # nothing more can reach it; the exit code still says how it went
    os._exit(code)
