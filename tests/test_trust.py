"""A repository is data (issue 25, items 2 and 3): its own configuration file decides what is
checked, never what runs, where requests and secrets go, or what is written outside it.
The attacks are run as a cloned repository would run them, through the CLI, against the
simulated web on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.config import PRIVILEGED_KEYS
from linkcheck.testing.simweb import SimulatedWeb

TOKEN = "ghp_trustmodeltesttoken0123456789abcdef"
runner = CliRunner()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cloned repository with one post citing GitHub, as the working directory."""
    root = tmp_path / "clone"
    (root / ".git").mkdir(parents=True)
    (root / "post.md").write_text("[repo](https://github.com/matterport/Mask_RCNN)\n")
    monkeypatch.chdir(root)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    return root


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _routes_in_repository(repo: Path, web: SimulatedWeb) -> None:
    """The attacker's file: every host routed to its server, its CA trusted."""
    shutil.copy(web.ca_file, repo / "ca.pem")
    (repo / "linkcheck.toml").write_text(
        f'connect-to = {_toml_list(web.connect_to())}\ncacert = "ca.pem"\n', encoding="utf-8"
    )


def _check(*args: str) -> object:
    return runner.invoke(app, ["check", "post.md", "--no-cache", "--no-progress", *args])


def test_a_repository_cannot_name_the_program_that_runs(repo: Path) -> None:
    tool = repo / "tools" / "chromium"
    tool.parent.mkdir()
    marker = repo.parent / "ran"
    tool.write_text(f"#!/bin/sh\ntouch {marker}\n")
    tool.chmod(0o755)
    (repo / "linkcheck.toml").write_text('browser = true\nbrowser-path = "tools/chromium"\n')
    result = runner.invoke(app, ["check", "post.md", "--offline"])
    assert result.exit_code == 2
    assert "browser-path" in result.stderr
    assert "--trust-config" in result.stderr
    assert not marker.exists()


def test_a_repository_cannot_route_the_token_to_its_own_server(
    simweb: SimulatedWeb, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _routes_in_repository(repo, simweb)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    before = len(simweb.requests)
    refused = _check()
    assert refused.exit_code == 2  # type: ignore[attr-defined]
    assert "connect-to" in refused.stderr  # type: ignore[attr-defined]
    # Trusting the file still never puts the token on its route.
    trusted = _check("--trust-config")
    assert trusted.exit_code == 2  # type: ignore[attr-defined]
    assert "GitHub token" in trusted.stderr  # type: ignore[attr-defined]
    assert TOKEN not in trusted.stderr  # type: ignore[attr-defined]
    assert len(simweb.requests) == before  # no request at all, so none with the token


def test_trusted_routes_from_the_repository_work_without_secrets(
    simweb: SimulatedWeb, repo: Path
) -> None:
    _routes_in_repository(repo, simweb)
    before = len(simweb.requests)
    result = _check("--trust-config", "--format", "json", "--no-wayback")
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert any(r.host == "github.com" for r in simweb.requests[before:])
    assert all(r.header("Authorization") is None for r in simweb.requests[before:])


def test_the_users_own_file_and_command_line_may_set_routes(
    simweb: SimulatedWeb, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "xdg" / "linkcheck"
    user.mkdir(parents=True)
    (user / "config.toml").write_text(
        f"connect-to = {_toml_list(simweb.connect_to())}\n"
        f"cacert = {json.dumps(str(simweb.ca_file))}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    before = len(simweb.requests)
    result = _check("--format", "json", "--no-wayback")
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert any(r.host == "github.com" for r in simweb.requests[before:])
    # The repository's file naming a route is overruled by the user's command line.
    (repo / "linkcheck.toml").write_text('connect-to = ["github.com:443:127.0.0.1:9"]\n')
    args = [arg for route in simweb.connect_to() for arg in ("--connect-to", route)]
    overruled = _check("--format", "json", "--no-wayback", *args)
    assert overruled.exit_code == 0, overruled.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("include-private = true", "include-private"),
        ('proxy = "http://127.0.0.1:9"', "proxy"),
        ('cookies = "cookies.txt"', "cookies"),
        ('cacert = "ca.pem"', "cacert"),
        ('connect-to = ["github.com:443:127.0.0.1:9"]', "connect-to"),
        ('[hosts."zhihu.com"]\nproxy = "http://127.0.0.1:9"', "hosts.zhihu.com.proxy"),
        ('[hosts."zhihu.com"]\ncookies = "cookies.txt"', "hosts.zhihu.com.cookies"),
    ],
)
def test_every_privileged_key_is_refused_from_the_repository(
    repo: Path, setting: str, key: str
) -> None:
    (repo / "cookies.txt").write_text("# Netscape HTTP Cookie File\n")
    (repo / "ca.pem").write_text("not read\n")
    (repo / "linkcheck.toml").write_text(setting + "\n")
    result = runner.invoke(app, ["check", "post.md", "--offline"])
    assert result.exit_code == 2
    assert f": {key}: a repository's own file may not set this" in result.stderr


def test_the_refused_keys_are_the_documented_ones() -> None:
    security = (Path(__file__).resolve().parent.parent / "SECURITY.md").read_text()
    for name in PRIVILEGED_KEYS:
        assert f"`{name.replace('_', '-')}`" in security


def test_a_direct_host_is_not_a_route(repo: Path) -> None:
    (repo / "linkcheck.toml").write_text('[hosts."kexue.fm"]\nproxy = "direct"\n')
    result = runner.invoke(app, ["check", "post.md", "--offline", "--format", "json"])
    assert result.exit_code in (0, 3), result.stderr


@pytest.mark.parametrize("where", ["/tmp/linkcheck-outside/report.json", "../outside.json"])
def test_a_repository_writes_no_output_outside_itself(repo: Path, where: str) -> None:
    (repo / "linkcheck.toml").write_text(f'output = "{where}"\n')
    result = runner.invoke(app, ["check", "post.md", "--offline", "--format", "json"])
    assert result.exit_code == 2
    assert "output" in result.stderr
    assert "leads outside the repository" in result.stderr
    assert not Path(where).exists()
    assert not (repo.parent / "outside.json").exists()
    (repo / "linkcheck.toml").write_text('output = "reports/report.json"\n')
    inside = runner.invoke(app, ["check", "post.md", "--offline", "--format", "json"])
    assert inside.exit_code in (0, 3), inside.stderr
    assert (repo / "reports" / "report.json").is_file()


def test_a_committed_state_folder_that_leads_outside_is_refused(repo: Path) -> None:
    outside = repo.parent / "elsewhere"
    outside.mkdir()
    (repo / ".linkcheck").symlink_to(outside)
    result = runner.invoke(app, ["check", "post.md", "--offline"])
    assert result.exit_code == 2
    assert "state-dir" in result.stderr
    assert list(outside.iterdir()) == []
    trusted = runner.invoke(app, ["check", "post.md", "--offline", "--trust-config"])
    assert trusted.exit_code in (0, 3), trusted.stderr


def test_a_repository_reads_no_site_root_outside_itself(repo: Path) -> None:
    (repo / "linkcheck.toml").write_text('root-dir = ["/etc"]\n')
    (repo / "post.md").write_text("![x](/passwd)\n")
    result = runner.invoke(app, ["check", "post.md", "--offline"])
    assert result.exit_code == 2
    assert "root-dir: '/etc' leads outside the repository" in result.stderr
