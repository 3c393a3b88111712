"""Configuration: CLI > file > defaults (DESIGN.md §5).

The file is `linkcheck.toml` (top level) or `[tool.linkcheck]` in `pyproject.toml`, found in
the working directory or its parents up to the repository root, or named with --config.
Keys are the long options (`max-concurrency` or `max_concurrency`), plus a `hosts` table of
per-host limits and headers. An unknown key is an error that names it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .models import Status
from .paths import project_root, repo_root
from .patterns import compile_pattern

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_HOST_KEYS = frozenset({"concurrency", "interval", "headers", "accept", "proxy", "cookies"})
_RULE_KEYS = frozenset(
    {"name", "hosts", "url-matches", "status-in", "body-contains", "status", "reason"}
)
_RULE_STATUSES = ("alive", "redirected", "dead", "unknown")
_MINIMUM = {"max_retries": 0, "max_redirects": 0, "budget": 0}
# The most each number may be: a value past these is a mistake or an attack (a repository's
# file asking for 10**9 connections, or an hour between requests), refused by name.
_MAXIMUM = {
    "max_concurrency": 1024,
    "host_concurrency": 256,
    "max_retries": 20,
    "max_redirects": 50,
    "min_failures": 10_000,
    "budget": 10_000_000,
}
_LONGEST = {  # seconds
    "timeout": 3600.0,
    "retry_backoff": 600.0,
    "max_time": 30 * 86400.0,
    "max_cache_age": 10 * 365 * 86400.0,
    "interval": 60.0,  # a host's politeness interval
}
MAX_SHARDS = 10_000
# --shard-pace: "shared", the shards run from one address and split each host's pace;
# "per-runner", each runs from its own (separate CI runners) and keeps the whole of it.
SHARED_PACE = "shared"
SHARD_PACES = (SHARED_PACE, "per-runner")
# The type of each setting whose default is None (the others take their default's type).
_OPTIONAL_KINDS: Mapping[str, type] = {
    "output": str,
    "user_agent": str,
    "max_cache_age": float,
    "budget": int,
    "max_time": float,
    "slug_dialect": str,
    "browser_path": str,
    "publish_dir": str,
}
# List settings whose command-line values may hold several, comma-separated. Not the
# regexes of --exclude/--include: a comma belongs to a pattern such as x{1,3}.
_COMMA_LISTS = frozenset({"extensions", "root_dir", "fail_on", "base_url"})
# Durations that must be more than zero (a zero timeout makes every link unknown).
_POSITIVE_DURATIONS = frozenset({"timeout", "max_time"})


def parse_duration(text: str | float | int, *, name: str) -> float:
    """Seconds from 90, "90", "90s", "15m", "12h", "7d" or "2w"."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = float(text)
    else:
        match = _DURATION_RE.match(str(text))
        if match is None:
            raise ConfigError(f"{name}: {text!r} is not a duration like 30s, 15m, 12h or 7d")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if not math.isfinite(seconds) or seconds < 0:
        raise ConfigError(f"{name}: {text!r} is not a duration like 30s, 15m, 12h or 7d")
    return seconds


@dataclass(frozen=True)
class HostConfig:
    concurrency: int | None = None
    interval: float | None = None
    headers: tuple[tuple[str, str], ...] = ()
    accept: tuple[int, ...] = ()  # HTTP statuses that count as alive for this host
    proxy: str | None = field(default=None, repr=False)  # a proxy URL, or "direct"
    cookies: str | None = None  # a cookies.txt whose cookies go to this host only


@dataclass(frozen=True)
class UserRule:
    """A host rule the user wrote in the configuration ([[rules]]): on a response from
    one of hosts, whose URL matches url_matches, whose status is in status_in and whose
    first 64 KiB contain one of body_contains (each test only where given), the verdict
    is status, with reason."""

    name: str
    hosts: tuple[str, ...]
    status: Status
    reason: str
    url_matches: str | None = None
    status_in: tuple[int, ...] = ()
    body_contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    format: str = "terminal"
    output: str | None = None
    fail_on: tuple[Status, ...] = (Status.DEAD,)
    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    root_dir: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    gitignore: bool = True  # skip what .gitignore files ignore below the folders named
    max_concurrency: int = 32
    host_concurrency: int = 8
    timeout: float = 20.0
    max_retries: int = 2
    max_redirects: int = 10
    retry_backoff: float = 1.0
    user_agent: str | None = None
    header: tuple[tuple[str, str], ...] = ()
    connect_to: tuple[str, ...] = ()
    cacert: tuple[str, ...] = ()
    cache: bool = True
    max_cache_age: float | None = None
    include_private: bool = False
    state_dir: str = ".linkcheck"
    github_token: str | None = field(default=None, repr=False)  # CLI or GITHUB_TOKEN only
    soft_404: bool = False
    offline: bool = False  # no network: local links, and the last known verdict of the others
    changed_only: bool = False  # only links on lines changed against HEAD (pre-commit)
    min_failures: int = 1  # runs in a row a link must fail before it is reported dead
    budget: int | None = None  # at most this many URLs fetched per run, stalest first
    max_time: float | None = None  # seconds: no fetch starts after; the rest keep their last
    archive: bool = False  # snapshot alive links after checking
    wayback: bool = True  # look dead links up on the Wayback Machine
    save_to_wayback: bool = False  # submit alive links to Save Page Now
    shard: tuple[int, int] | None = None  # (K, N): only the K-th of N shares of the URLs
    shard_pace: str = SHARED_PACE  # SHARD_PACES: a host's pace split among the shards, or not
    remap: tuple[tuple[str, str], ...] = ()  # (regex, replacement): the URL checked instead
    # The regexes of .linkcheckignore at the working directory and the repository root.
    linkcheckignore: tuple[str, ...] = ()
    hosts: Mapping[str, HostConfig] = field(default_factory=dict)
    rules: tuple[UserRule, ...] = ()  # checked before the built-in host rules
    fail_on_acknowledged: bool = False  # acknowledged dead links fail the run too
    proxy: str | None = field(default=None, repr=False)  # http(s):// or socks5:// URL
    env_proxy: bool = True  # honour HTTPS_PROXY / HTTP_PROXY / ALL_PROXY
    cookies: str | None = None  # a cookies.txt (Netscape format), sent where they match
    # Other addresses that serve the blog (the generator's own url counts without this):
    # links there are decided from the sources, like site paths.
    base_url: tuple[str, ...] = ()
    slug_dialect: str | None = None  # how heading ids are made; default: the generator's
    check_fragments: bool = False  # external #fragments checked against the page's anchors
    accept: tuple[int, ...] = ()  # HTTP statuses that count as alive on every host (--accept)
    insecure: bool = False  # TLS certificates not verified (--insecure); no secret sent then
    exclude_path: tuple[str, ...] = ()  # regexes of source files not read (--exclude-path)
    publish_dir: str | None = None  # where readable copies are published with the site
    browser: bool = False  # challenged pages opened in headless Chromium (a second opinion)
    browser_path: str | None = None  # that Chromium; default: the first one on PATH


_FIELDS = {f.name: f for f in fields(Config)}


def _as_tuple(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{name}: expected a string or a list of strings")


def split_commas(values: Iterable[str]) -> list[str]:
    """["md,mdx", "html"] → ["md", "mdx", "html"]: repeated options and comma lists alike."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_fail_on(values: tuple[str, ...] | list[str]) -> tuple[Status, ...]:
    statuses = []
    for part in split_commas(values):
        if part not in ("dead", "redirected", "unknown"):
            raise ConfigError(f"fail-on: {part!r} is not one of dead, redirected, unknown")
        statuses.append(Status(part))
    return tuple(dict.fromkeys(statuses))


_SHARD_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: Any, *, name: str) -> tuple[int, int]:
    """(K, N) from "K/N", with 1 <= K <= N."""
    match = _SHARD_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ConfigError(f"{name}: {text!r} is not a shard like 2/4 (the 2nd of 4)")
    index, count = int(match.group(1)), int(match.group(2))
    if count > MAX_SHARDS:
        raise ConfigError(f"{name}: {text!r}: at most {MAX_SHARDS:,} shards")
    if not 1 <= index <= count:
        raise ConfigError(f"{name}: {text!r}: the shard must be between 1 and {count or 'N'}")
    return index, count


_ACCEPT_RANGE = re.compile(r"^(\d{3})\s*\.\.(=?)\s*(\d{3})$")


def parse_accept(value: Any, *, name: str) -> tuple[int, ...]:
    """HTTP statuses from 200,403 or lychee's ranges (200..=299 inclusive, 200..300 not),
    as one string, a list of them, or a list of numbers."""
    parts: list[Any] = value if isinstance(value, list) else [value]
    statuses: list[int] = []
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            statuses.append(part)
            continue
        if not isinstance(part, str):
            raise ConfigError(f"{name}: expected statuses such as 200,403 or 200..=299")
        for piece in split_commas([part]):
            found = _ACCEPT_RANGE.match(piece)
            if found is not None:
                low, inclusive, high = int(found.group(1)), found.group(2), int(found.group(3))
                statuses.extend(range(low, high + 1 if inclusive else high))
            elif piece.isdigit():
                statuses.append(int(piece))
            else:
                raise ConfigError(f"{name}: {piece!r} is not a status nor a range like 200..=299")
    if not statuses or not all(100 <= s <= 599 for s in statuses):
        raise ConfigError(f"{name}: expected HTTP statuses from 100 to 599")
    return tuple(sorted(set(statuses)))


_GROUP_REFERENCE = re.compile(r"\$(?:\{(\w+)\}|(\d+))")


def parse_remap(text: str, *, name: str) -> tuple[str, str]:
    """(regex, replacement) from "REGEX REPLACEMENT", as lychee's --remap takes it; the
    replacement may name groups as lychee does ($1, ${name}) or as Python does (\\1)."""
    parts = text.split()
    if len(parts) != 2:
        raise ConfigError(f"{name}: {text!r}: expected 'REGEX REPLACEMENT', two words")
    pattern, replacement = parts
    compiled = compile_pattern(pattern, where=name)
    replacement = _GROUP_REFERENCE.sub(lambda m: f"\\g<{m.group(1) or m.group(2)}>", replacement)
    # A group it does not have fails here, not mid-run: the replacement is expanded once by
    # an empty pattern with the same groups (RE2 takes Python's replacement syntax).
    names = {number: group for group, number in compiled.groupindex.items()}
    shape = "".join(
        f"(?P<{names[number]}>)" if number in names else "()"
        for number in range(1, compiled.groups + 1)
    )
    try:
        re.compile(shape).sub(replacement, "")
    except (re.error, IndexError) as error:
        raise ConfigError(f"{name}: {replacement!r}: {error}") from None
    return pattern, replacement


def read_ignore_files(cwd: Path) -> tuple[str, ...]:
    """The regexes of .linkcheckignore (one a line, # comments) in the working directory and
    at the repository root. Raises ConfigError naming the file and line of a bad one."""
    folders = dict.fromkeys(p for p in (cwd, repo_root(cwd)) if p is not None)
    patterns: list[str] = []
    for folder in folders:
        path = folder / ".linkcheckignore"
        if not path.is_file():
            continue
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read: {error}") from None
        for number, line in enumerate(lines, start=1):
            pattern = line.strip()
            if not pattern or pattern.startswith("#"):
                continue
            compile_pattern(pattern, where=f"{path}:{number}")
            patterns.append(pattern)
    return tuple(dict.fromkeys(patterns))


def parse_header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise ConfigError(f"header {text!r}: expected 'Name: value'")
    return name.strip(), value.strip()


def _coerce(name: str, value: Any, label: str) -> Any:
    """A file or command-line value in the type of the Config field; label names where it
    came from in errors."""
    if name == "fail_on":
        return parse_fail_on(list(_as_tuple(value, label)))
    if name == "header":
        if isinstance(value, dict):
            return tuple((str(k), str(v)) for k, v in value.items())
        return tuple(parse_header(h) for h in _as_tuple(value, label))
    if name == "max_cache_age":
        return parse_duration(value, name=label)
    if name == "hosts":
        return _hosts(value, label)
    if name == "rules":
        return _rules(value, label)
    if name == "shard":
        return parse_shard(value, name=label)
    if name == "accept":
        return parse_accept(value, name=label)
    if name == "remap":
        return tuple(parse_remap(entry, name=label) for entry in _as_tuple(value, label))
    default = _FIELDS[name].default
    kind = _OPTIONAL_KINDS.get(name) or type(default)
    if kind is tuple:
        return _as_tuple(value, label)
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{label}: expected true or false")
        return value
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{label}: expected a whole number of at least {_least(name)}")
        return value
    if kind is float:
        return parse_duration(value, name=label)
    if not isinstance(value, str):
        raise ConfigError(f"{label}: expected a string")
    return value


def _cli_value(name: str, value: Any) -> Any:
    """A command-line value as a file would hold it: repeated options are lists, and the
    list options that take several values in one (--extensions md,mdx) are split."""
    if isinstance(value, tuple):
        value = list(value)
    if name in _COMMA_LISTS and isinstance(value, list):
        return split_commas(value)
    return value


def _check_longest(name: str, seconds: float, label: str) -> None:
    if seconds > _LONGEST.get(name, seconds):
        raise ConfigError(f"{label}: at most {_LONGEST[name]:g} seconds")


def _least(name: str) -> int:
    return _MINIMUM.get(name, 1)


def _check(name: str, value: Any, label: str) -> None:
    """The limits of a typed setting, the same whether it came from a file or the CLI."""
    kind = _OPTIONAL_KINDS.get(name) or type(_FIELDS[name].default)
    if kind is int and isinstance(value, int) and value < _least(name):
        raise ConfigError(f"{label}: expected a whole number of at least {_least(name)}")
    if kind is int and isinstance(value, int) and value > _MAXIMUM.get(name, value):
        raise ConfigError(f"{label}: at most {_MAXIMUM[name]:,}")
    if kind is float and isinstance(value, float):
        _check_longest(name, value, label)
    if name in _POSITIVE_DURATIONS and value <= 0:
        raise ConfigError(f"{label}: must be more than 0")
    if name == "slug_dialect":
        from .site.slugs import DIALECTS

        if value not in DIALECTS:
            raise ConfigError(f"{label}: {value!r} is not one of {', '.join(DIALECTS)}")
    if name == "shard_pace" and value not in SHARD_PACES:
        raise ConfigError(f"{label}: {value!r} is not one of {', '.join(SHARD_PACES)}")
    if name == "format":
        from .formats import Format

        if value not in {f.value for f in Format}:
            known = ", ".join(f.value for f in Format)
            raise ConfigError(f"{label}: {value!r} is not one of {known}")


def _hosts(value: Any, label: str) -> dict[str, HostConfig]:
    if not isinstance(value, dict):
        raise ConfigError(f"{label}: expected a table of host names")
    hosts = {}
    for host, settings in value.items():
        if not isinstance(settings, dict):
            raise ConfigError(f"{label}.{host}: expected a table")
        unknown = set(settings) - _HOST_KEYS
        if unknown:
            raise ConfigError(
                f"{label}.{host}: unknown key {sorted(unknown)[0]!r} "
                f"(known: {', '.join(sorted(_HOST_KEYS))})"
            )
        concurrency = settings.get("concurrency")
        most = _MAXIMUM["host_concurrency"]
        if concurrency is not None and (
            not isinstance(concurrency, int) or not 1 <= concurrency <= most
        ):
            raise ConfigError(f"{label}.{host}.concurrency: a whole number from 1 to {most}")
        interval = settings.get("interval")
        if interval is not None:
            interval = parse_duration(interval, name=f"{label}.{host}.interval")
            _check_longest("interval", interval, f"{label}.{host}.interval")
        headers = settings.get("headers", {})
        if not isinstance(headers, dict):
            raise ConfigError(f"{label}.{host}.headers: expected a table")
        hosts[host.lower()] = HostConfig(
            concurrency,
            interval,
            tuple((str(k), str(v)) for k, v in headers.items()),
            _statuses(settings.get("accept", []), f"{label}.{host}.accept"),
            _proxy_setting(settings.get("proxy"), f"{label}.{host}.proxy"),
            _cookie_file(settings.get("cookies"), f"{label}.{host}.cookies"),
        )
    return hosts


def _proxy_setting(value: Any, label: str) -> str | None:
    from .fetch.proxies import DIRECT, Proxy

    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{label}: expected a proxy URL or {DIRECT!r}")
    if value != DIRECT:
        Proxy.parse(value, name=label)
    return value


def _cookie_file(value: Any, label: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{label}: expected the path of a cookies.txt")
    from .fetch.cookies import check_cookie_file

    check_cookie_file(value, name=label)
    return value


def _statuses(value: Any, label: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 100 <= v <= 599 for v in value
    ):
        raise ConfigError(f"{label}: expected a list of HTTP statuses (100 to 599)")
    return tuple(value)


def _strings(value: Any, label: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{label}: expected a string or a list of strings, none empty")
    return tuple(value)


def _rules(value: Any, label: str) -> tuple[UserRule, ...]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{label}: expected [[rules]] tables")
    return tuple(_rule(table, index, label) for index, table in enumerate(value, start=1))


def _rule(table: dict[str, Any], index: int, label: str) -> UserRule:
    named = table.get("name")
    where = f"{label}[{index}]" + (f" ({named})" if isinstance(named, str) else "")
    keys = {key.replace("_", "-") for key in table}
    unknown = keys - _RULE_KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(_RULE_KEYS))})"
        )
    get = {key.replace("_", "-"): value for key, value in table.items()}.get
    if get("hosts") is None or get("status") is None:
        raise ConfigError(f"{where}: needs hosts and status")
    hosts = tuple(h.lower() for h in _strings(get("hosts"), f"{where}.hosts"))
    status = get("status")
    if status not in _RULE_STATUSES:
        raise ConfigError(f"{where}.status: {status!r} is not one of {', '.join(_RULE_STATUSES)}")
    pattern = get("url-matches")
    if pattern is not None:
        if not isinstance(pattern, str):
            raise ConfigError(f"{where}.url-matches: expected a regex")
        compile_pattern(pattern, where=f"{where}.url-matches")
    name = named if isinstance(named, str) and named else f"rule-{index}"
    reason = get("reason", name)
    if not isinstance(reason, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", reason):
        raise ConfigError(f"{where}.reason: {reason!r}: lower-case letters, digits and -")
    return UserRule(
        name=name,
        hosts=hosts,
        status=Status(status),
        reason=reason,
        url_matches=pattern,
        status_in=_statuses(get("status-in", []), f"{where}.status-in"),
        body_contains=(
            _strings(get("body-contains"), f"{where}.body-contains")
            if get("body-contains") is not None
            else ()
        ),
    )


def find_config_file(start: Path) -> Path | None:
    """The nearest config file at or above start, looking no higher than the repository."""
    top = repo_root(start)
    for directory in (start, *start.parents):
        for name in ("linkcheck.toml", "pyproject.toml"):
            candidate = directory / name
            if candidate.is_file() and (name == "linkcheck.toml" or _has_tool_table(candidate)):
                return candidate
        if directory == top:
            return None
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        return "linkcheck" in _read_toml(pyproject).get("tool", {})
    except ConfigError:
        return False


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # 15 ms, for a run that has a configuration file

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


def _cookie_paths_beside(table: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A cookies.txt named in the file is found beside the file, wherever linkcheck runs."""

    def beside(value: Any) -> Any:
        return str(folder / value) if isinstance(value, str) and value else value

    table = dict(table)
    if "cookies" in table:
        table["cookies"] = beside(table["cookies"])
    hosts = table.get("hosts")
    if isinstance(hosts, dict):
        table["hosts"] = {
            host: {**entry, "cookies": beside(entry["cookies"])}
            if isinstance(entry, dict) and "cookies" in entry
            else entry
            for host, entry in hosts.items()
        }
    return table


def load_file(path: Path) -> dict[str, Any]:
    """The settings of a config file, checked and typed; keys are Config field names."""
    document = _read_toml(path)
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("linkcheck", {})
    elif "tool" in document:
        # The README's pyproject.toml example pasted into linkcheck.toml: the same keys.
        tool = document["tool"]
        if set(document) != {"tool"} or not isinstance(tool, dict) or set(tool) != {"linkcheck"}:
            raise ConfigError(
                f"{path}: unknown key 'tool': [tool.linkcheck] belongs in pyproject.toml; "
                "in linkcheck.toml write its keys at the top level"
            )
        table = tool["linkcheck"]
    else:
        table = document
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.linkcheck] must be a table")
    table = _cookie_paths_beside(table, path.parent)
    settings: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name == "github_token":
            raise ConfigError(
                f"{path}: {key}: keep the token out of files; use the "
                "GITHUB_TOKEN environment variable or --github-token"
            )
        if name == "linkcheckignore":
            raise ConfigError(f"{path}: {key}: write these in .linkcheckignore, or use exclude")
        if name not in _FIELDS:
            raise ConfigError(f"{path}: unknown key {key!r}")
        settings[name] = _coerce(name, value, f"{path}: {name.replace('_', '-')}")
    return settings


_TOKEN_RE = re.compile(r"[\x21-\x7e]+")


def clean_token(token: str) -> str | None:
    """The token without the white space around it (`GITHUB_TOKEN=$(cat file)` keeps a
    newline); one with white space or non-ASCII inside is refused without echoing it."""
    token = token.strip()
    if not token:
        return None
    if not _TOKEN_RE.fullmatch(token):
        raise ConfigError(
            "--github-token / GITHUB_TOKEN: the token has white space or characters outside "
            "printable ASCII inside it, which no GitHub token has (the value is not shown)"
        )
    return token


# Keys a repository's own file may not set (SECURITY.md, "Who decides what"): they name
# what runs, where requests and secrets go, or which private addresses are reached. The
# person running linkcheck sets them: the command line, the environment, the user's own
# file, or --trust-config for a repository they trust.
PRIVILEGED_KEYS: Mapping[str, str] = {
    "browser_path": "which program runs",
    "connect_to": "where requests go",
    "cacert": "which servers are trusted",
    "proxy": "where requests go",
    "cookies": "which cookies are read and sent",
    "include_private": "whether private addresses are reached",
    "insecure": "whether certificates are checked",
}
_DIRECT = "direct"  # proxies.DIRECT, without importing the network to read it
PRIVILEGED_HOST_KEYS: Mapping[str, str] = {
    "proxy": "where requests go",
    "cookies": "which cookies are read and sent",
}
# Paths a repository's file may set only inside the repository: the output file and the
# site roots (from the working directory), the state folder (from the repository root).
_CONTAINED_PATHS = ("output", "state_dir", "root_dir", "publish_dir")
# The settings that decide where a request goes or whom it trusts; with --trust-config a
# repository's file may set them, but then no secret of the user's rides on them.
_ROUTING_KEYS = ("connect_to", "cacert", "proxy")


def user_config_file() -> Path:
    """The user's own configuration: $XDG_CONFIG_HOME/linkcheck/config.toml (default
    ~/.config/linkcheck/config.toml). Trusted: it is the user's, not a repository's."""
    import os

    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "linkcheck" / "config.toml"


def _is_repository_file(path: Path, cwd: Path) -> bool:
    """A file inside the repository being checked is the repository's, whoever names it."""
    return path.resolve().is_relative_to(project_root(cwd).resolve())


def _refuse_privileged(settings: Mapping[str, Any], path: Path, cli: Mapping[str, Any]) -> None:
    for name, decides in PRIVILEGED_KEYS.items():
        if name in settings and cli.get(name) is None:
            raise _untrusted(path, name.replace("_", "-"), decides)
    for host, entry in settings.get("hosts", {}).items():
        for key, decides in PRIVILEGED_HOST_KEYS.items():
            if getattr(entry, key) not in (None, _DIRECT):  # "direct" only takes a proxy away
                raise _untrusted(path, f"hosts.{host}.{key}", decides)


def _untrusted(path: Path, key: str, decides: str) -> ConfigError:
    return ConfigError(
        f"{path}: {key}: a repository's own file may not set this (it decides {decides}); "
        f"set it on the command line or in {user_config_file()}, or pass --trust-config "
        "if you trust this repository"
    )


def _refuse_outside(settings: Mapping[str, Any], names: Iterable[str], cwd: Path) -> None:
    """The paths a repository chose (its file, or a committed .linkcheck that is a symbolic
    link) stay inside it."""
    root = project_root(cwd).resolve()
    for name in names:
        value = settings.get(name, _FIELDS[name].default)
        base = project_root(cwd) if name == "state_dir" else cwd
        for path in (value,) if isinstance(value, str) else value or ():
            if not (base / path).resolve().is_relative_to(root):
                key = name.replace("_", "-")
                raise ConfigError(
                    f"{key}: {path!r} leads outside the repository ({root}); a repository's "
                    "own settings stay inside it (--trust-config to allow)"
                )


def _refuse_secrets_on_repository_routes(
    repository: Mapping[str, Any], path: Path, settings: Mapping[str, Any]
) -> None:
    """A route or CA from a repository's file never carries the user's token or cookies."""
    routes = [n for n in _ROUTING_KEYS if n in repository]
    hosts = repository.get("hosts", {}).items()
    routes += [f"hosts.{h}.proxy" for h, e in hosts if e.proxy not in (None, _DIRECT)]
    if not routes:
        return
    secrets = []
    if settings.get("github_token"):
        secrets.append("the GitHub token (--github-token / GITHUB_TOKEN)")
    if settings.get("cookies") and "cookies" not in repository:
        secrets.append("your cookies (--cookies)")
    if secrets:
        raise ConfigError(
            f"{path}: {routes[0].replace('_', '-')}: a route or CA from a repository's file "
            f"would carry {' and '.join(secrets)}; give the route on the command line or in "
            f"{user_config_file()}, or run without the secret"
        )


def build_config(
    cli: Mapping[str, Any],
    config_file: Path | None,
    *,
    cwd: Path,
    trust_config: bool = False,
) -> Config:
    """Merge: what the CLI set (not None) > the project's file > the user's file > the
    defaults. A file found above cwd, or named with --config inside the repository, is the
    repository's: it may not set the privileged keys, nor write outside the repository,
    unless trust_config."""
    path = config_file if config_file is not None else find_config_file(cwd)
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"--config {config_file}: no such file")
    user = user_config_file()
    settings = load_file(user) if user.is_file() else {}
    labels = {name: f"{user}: {name.replace('_', '-')}" for name in settings}
    repository: dict[str, Any] = {}
    if path is not None:
        loaded = load_file(path)
        if config_file is None or _is_repository_file(path, cwd):
            repository = loaded
            if not trust_config:
                _refuse_privileged(loaded, path, cli)
        settings.update(loaded)
        labels.update({name: f"{path}: {name.replace('_', '-')}" for name in loaded})
    for name, value in cli.items():
        if value is not None:
            labels[name] = f"--{name.replace('_', '-')}"
            settings[name] = _coerce(name, _cli_value(name, value), labels[name])
            repository.pop(name, None)  # the user's value stands
    for name, value in settings.items():
        _check(name, value, labels[name])
    if "github_token" in settings:
        settings["github_token"] = clean_token(settings["github_token"])
    if path is not None and repository:
        _refuse_secrets_on_repository_routes(repository, path, settings)
    if not trust_config:
        chosen_here = [n for n in _CONTAINED_PATHS if n in repository or n not in labels]
        _refuse_outside(settings, chosen_here, cwd)
    settings["linkcheckignore"] = read_ignore_files(cwd)
    _validate(settings)
    return Config(**settings)


def _validate(settings: Mapping[str, Any]) -> None:
    """Fail now, naming the setting, rather than halfway through a run."""
    if settings.get("offline"):
        for needs_network in ("save_to_wayback", "archive"):
            if settings.get(needs_network):
                option = needs_network.replace("_", "-")
                raise ConfigError(f"--offline and {option} contradict: {option} needs the network")

    for name in ("exclude", "include", "exclude_path"):
        for pattern in settings.get(name, ()):
            compile_pattern(pattern, where=name.replace("_", "-"))
    if settings.get("insecure"):
        secrets = [
            what
            for what, given in (
                ("the GitHub token (--github-token / GITHUB_TOKEN)", settings.get("github_token")),
                ("cookies (--cookies)", settings.get("cookies")),
                ("a host's cookies", any(h.cookies for h in settings.get("hosts", {}).values())),
            )
            if given
        ]
        if secrets:
            raise ConfigError(
                f"--insecure: {' and '.join(secrets)} would go over connections whose "
                "certificates are not checked; drop the secret or --insecure (a private CA: "
                "--cacert FILE)"
            )
    if settings.get("connect_to"):  # the HTTP stack is imported only when it is needed
        from .fetch.routing import ConnectTo

        for entry in settings["connect_to"]:
            ConnectTo.parse(entry)
    if settings.get("cookies"):
        from .fetch.cookies import check_cookie_file

        check_cookie_file(settings["cookies"], name="cookies")
    if settings.get("proxy"):
        from .fetch.proxies import Proxy

        Proxy.parse(settings["proxy"], name="proxy")
    for path in settings.get("cacert", ()):
        if not Path(path).is_file():
            raise ConfigError(f"cacert: {path}: no such file")
