"""Configuration files: keys, types, precedence, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkcheck.config import Config, build_config, parse_duration
from linkcheck.errors import ConfigError
from linkcheck.models import Status


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_linkcheck_toml_with_both_key_spellings_and_a_hosts_table(tmp_path: Path) -> None:
    write(
        tmp_path / "linkcheck.toml",
        """
max-concurrency = 4
max_retries = 0
timeout = "5s"
fail-on = ["dead", "redirected"]
exclude = ["example\\\\.com"]
max-cache-age = "12h"
header = { "X-Blog" = "mine" }

[hosts."mp.weixin.qq.com"]
concurrency = 1
interval = "2s"
headers = { "Referer" = "https://mp.weixin.qq.com/" }
""",
    )
    config = build_config({}, None, cwd=tmp_path)
    assert (config.max_concurrency, config.max_retries, config.timeout) == (4, 0, 5.0)
    assert config.fail_on == (Status.DEAD, Status.REDIRECTED)
    assert config.exclude == ("example\\.com",)
    assert config.max_cache_age == 12 * 3600
    assert config.header == (("X-Blog", "mine"),)
    host = config.hosts["mp.weixin.qq.com"]
    assert (host.concurrency, host.interval) == (1, 2.0)


def test_pyproject_tool_table_found_from_a_subdirectory(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "pyproject.toml", "[project]\nname='x'\n\n[tool.linkcheck]\ntimeout = 3\n")
    (tmp_path / "posts").mkdir()
    assert build_config({}, None, cwd=tmp_path / "posts").timeout == 3.0


def test_cli_beats_file_beats_defaults(tmp_path: Path) -> None:
    write(tmp_path / "linkcheck.toml", "timeout = 3\nmax-retries = 5\n")
    config = build_config({"timeout": 9.0, "max_retries": None}, None, cwd=tmp_path)
    assert (config.timeout, config.max_retries, config.max_redirects) == (
        9.0,
        5,
        Config().max_redirects,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max-concurency = 3\n", "unknown key 'max-concurency'"),
        ("timeout = 'soon'\n", "timeout: 'soon' is not a duration"),
        ("max-concurrency = 0\n", "max-concurrency: expected a whole number"),
        ("fail-on = ['broken']\n", "'broken' is not one of dead, redirected, unknown"),
        ("cache = 'yes'\n", "cache: expected true or false"),
        ("[hosts.'github.com']\nspeed = 3\n", "github.com: unknown key 'speed'"),
        ("this is = not toml\n", "invalid TOML"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "linkcheck.toml", text)
    with pytest.raises(ConfigError, match=message):
        build_config({}, None, cwd=tmp_path)


def test_a_missing_config_file_named_on_the_command_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        build_config({}, tmp_path / "nope.toml", cwd=tmp_path)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("15m", 900), ("12h", 43200), ("7d", 604800), (2.5, 2.5)],
)
def test_durations(text: str | float, seconds: float) -> None:
    assert parse_duration(text, name="x") == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timeout = nan", "timeout"),
        ("timeout = inf", "timeout"),
        ("timeout = 0", "timeout: must be more than 0"),
        ("timeout = -5", "timeout"),
        ('timeout = "0s"', "timeout: must be more than 0"),
        ('format = "yaml"', "'yaml' is not one of terminal, json, markdown"),
        ("budget = -1", "budget: expected a whole number of at least 0"),
        ('budget = "ten"', "budget: expected a whole number"),
        ("max-concurrency = 0", "max-concurrency: expected a whole number of at least 1"),
        ("min-failures = true", "min-failures: expected a whole number"),
        ("max-cache-age = -1", "max-cache-age"),
        ("user-agent = 3", "user-agent: expected a string"),
        ("offline = true\nsave-to-wayback = true", "contradict"),
        ("[tool.linkcheck]\ntimeout = 3\n[other]\nx = 1", "belongs in pyproject.toml"),
    ],
)
def test_every_bad_value_is_an_error_naming_its_key(
    tmp_path: Path, text: str, message: str
) -> None:
    write(tmp_path / "linkcheck.toml", text + "\n")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        build_config({}, None, cwd=tmp_path)


def test_budget_and_the_optional_settings_can_be_set_in_a_file(tmp_path: Path) -> None:
    write(
        tmp_path / "linkcheck.toml",
        'budget = 500\nmax-cache-age = "2d"\nuser-agent = "me"\noutput = "r.json"\n',
    )
    config = build_config({}, None, cwd=tmp_path)
    assert (config.budget, config.max_cache_age) == (500, 2 * 86400)
    assert (config.user_agent, config.output) == ("me", "r.json")


def test_the_readmes_pyproject_table_works_in_linkcheck_toml(tmp_path: Path) -> None:
    write(tmp_path / "linkcheck.toml", "[tool.linkcheck]\ntimeout = 3\nbudget = 7\n")
    config = build_config({}, None, cwd=tmp_path)
    assert (config.timeout, config.budget) == (3.0, 7)


@pytest.mark.parametrize(
    ("cli", "message"),
    [
        ({"timeout": 0.0}, "--timeout: must be more than 0"),
        ({"budget": -3}, "--budget: expected a whole number of at least 0"),
        ({"format": "yaml"}, "--format: 'yaml' is not one of"),
        ({"offline": True, "archive": True}, "contradict"),
    ],
)
def test_command_line_values_meet_the_same_schema(
    tmp_path: Path, cli: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        build_config(cli, None, cwd=tmp_path)
