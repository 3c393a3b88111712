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
