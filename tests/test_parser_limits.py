"""Parsers with limits (issue 25, items 7, 9 and 12): a repository's YAML, TOML and numbers
cannot blow up, hang or exit 4, and a site's configuration cannot make linkcheck read
outside the site."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app

runner = CliRunner()


def _billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    lines.append(f"title: *{previous}")
    lines.append(f"permalink: *{previous}")
    lines.append(f"categories: *{previous}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def jekyll(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "_config.yml").write_text("permalink: /:year/:title.html\n", encoding="utf-8")
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2020-01-01-a.md").write_text(
        "---\ntitle: A\n---\n[b](/2020/b.html) [home](https://example.org/)\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check_in_a_process(*paths: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own interpreter, bounded (a bomb must not take the test run with it):
    the wait is a bound, not a timing assertion."""
    return subprocess.run(
        [sys.executable, "-m", "linkcheck", "check", *paths, "--offline", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_billion_laughs_site_configuration_is_a_warning(jekyll: Path) -> None:
    (jekyll / "_config.yml").write_text(_billion_laughs(), encoding="utf-8")
    done = _check_in_a_process("_posts")
    assert done.returncode in (0, 1, 3), done.stderr
    warnings = json.loads(done.stdout)["warnings"]
    assert any("_config.yml: cannot be read" in w and "expand past" in w for w in warnings)


def test_a_billion_laughs_front_matter_is_read_as_none(jekyll: Path) -> None:
    bomb = jekyll / "_posts" / "2020-01-02-b.md"
    bomb.write_text("---\n" + _billion_laughs() + "---\n[a](/2020/a.html)\n", encoding="utf-8")
    done = _check_in_a_process("_posts")
    assert done.returncode in (0, 1, 3), done.stderr
    results = json.loads(done.stdout)["results"]
    assert {r["url"] for r in results} >= {"/2020/a.html", "/2020/b.html"}


def test_deeply_nested_toml_is_a_configuration_error(jekyll: Path) -> None:
    (jekyll / "linkcheck.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    result = runner.invoke(app, ["check", "_posts", "--offline"])
    assert result.exit_code == 2, result.stderr
    assert "nested too deeply" in result.stderr


def test_deeply_nested_hugo_configuration_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "hugo.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("[x](/b/)\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "content", "--offline", "--format", "json"])
    assert result.exit_code in (0, 1, 3), result.stderr
    assert any("nested too deeply" in w for w in json.loads(result.stdout)["warnings"])


@pytest.mark.parametrize(
    ("generator", "config", "key"),
    [
        ("hugo.toml", 'baseURL = "https://b.example/"\ncontentDir = "{outside}"\n', "contentDir"),
        ("hugo.toml", 'baseURL = "https://b.example/"\nstaticDir = "../outside"\n', "staticDir"),
        ("mkdocs.yml", "site_name: x\ndocs_dir: {outside}\n", "docs_dir"),
    ],
)
def test_a_site_folder_outside_the_site_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, generator: str, config: str, key: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Private heading of another project\n")
    site = tmp_path / "site"
    (site / ".git").mkdir(parents=True)
    (site / generator).write_text(config.format(outside=outside), encoding="utf-8")
    (site / "README.md").write_text("[s](/secret/#private-heading-of-another-project)\n")
    monkeypatch.chdir(site)
    result = runner.invoke(app, ["check", "README.md", "--offline", "--format", "json"])
    assert result.exit_code in (0, 1, 3), result.stderr
    report = json.loads(result.stdout)
    assert any(f"{key}:" in w and "leads outside the site" in w for w in report["warnings"])
    assert all(r["status"] != "alive" for r in report["results"])


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ('[hosts."a.example"]\ninterval = "1000d"', "interval: at most 60 seconds"),
        ('[hosts."a.example"]\nconcurrency = 1000000000', "concurrency: a whole number"),
        ("max-concurrency = 1000000000", "max-concurrency: at most 1,024"),
        ('timeout = "30d"', "timeout: at most 3600 seconds"),
        ('shard = "1/1000000000000"', "at most 10,000 shards"),
    ],
)
def test_counts_and_durations_are_bounded(jekyll: Path, setting: str, said: str) -> None:
    (jekyll / "linkcheck.toml").write_text(setting + "\n")
    result = runner.invoke(app, ["check", "_posts", "--offline"])
    assert result.exit_code == 2, result.stderr
    assert said in result.stderr
