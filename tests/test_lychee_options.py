"""The options a lychee user reaches for (issue 26, item 14): --accept, --insecure and
--exclude-path, with lychee's spellings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.config import ConfigError, parse_accept
from linkcheck.testing.simweb import Route, SimulatedWeb

from .conftest import web_cli_args

runner = CliRunner()


def _results(output: str) -> dict[str, dict[str, str]]:
    return {r["url"]: r for r in json.loads(output)["results"]}


def test_accept_takes_lychee_s_spellings() -> None:
    assert parse_accept("200,403", name="--accept") == (200, 403)
    assert parse_accept(["200..=202", "429"], name="--accept") == (200, 201, 202, 429)
    assert parse_accept("200..203", name="--accept") == (200, 201, 202)
    assert parse_accept([403, 410], name="accept") == (403, 410)
    for bad in ("abc", "99", "200..=x", "700"):
        with pytest.raises(ConfigError, match="--accept"):
            parse_accept(bad, name="--accept")


def test_accept_makes_a_status_alive_on_every_host(simweb: SimulatedWeb, project: Path) -> None:
    simweb.add_route(Route("docs.example.org", "/forbidden", statuses=(403,)))
    url = "https://docs.example.org/forbidden"
    (project / "post.md").write_text(f"{url}\n", encoding="utf-8")
    args = ["check", "post.md", "--format", "json", "--no-cache", "--no-wayback"]
    plain = runner.invoke(app, [*args, *web_cli_args(simweb)])
    assert _results(plain.stdout)[url]["status"] == "unknown"
    accepted = runner.invoke(app, [*args, "--accept", "200,403", *web_cli_args(simweb)])
    assert accepted.exit_code == 0, accepted.stderr
    result = _results(accepted.stdout)[url]
    assert (result["status"], result["reason"]) == ("alive", "accepted-403")


def test_insecure_reaches_a_server_whose_ca_is_unknown(simweb: SimulatedWeb, project: Path) -> None:
    """Without --cacert the simulated web's certificates are a stranger's: TLS fails, and
    --insecure gets through, loudly."""
    url = "https://www.msys2.org/"
    (project / "post.md").write_text(f"{url}\n", encoding="utf-8")
    routes = [arg for route in simweb.connect_to() for arg in ("--connect-to", route)]
    args = ["check", "post.md", "--format", "json", "--no-cache", "--no-wayback", *routes]
    refused = runner.invoke(app, [*args, "--max-retries", "0"])
    result = _results(refused.stdout)[url]
    assert (result["status"], result["reason"]) == ("unknown", "tls")
    assert "--cacert" in result["detail"]
    insecure = runner.invoke(app, [*args, "--insecure"])
    assert insecure.exit_code == 0, insecure.stderr
    assert _results(insecure.stdout)[url]["status"] == "alive"
    assert "--insecure: TLS certificates are NOT verified" in insecure.stderr


def test_insecure_never_carries_a_secret(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "post.md").write_text("x\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_notsentoverinsecure0123456789abcd")
    result = runner.invoke(app, ["check", "post.md", "--offline", "--insecure"])
    assert result.exit_code == 2
    assert "GitHub token" in result.stderr
    assert "ghp_notsent" not in result.stderr


def test_a_repository_cannot_turn_verification_off(project: Path) -> None:
    (project / "post.md").write_text("x\n", encoding="utf-8")
    (project / "linkcheck.toml").write_text("insecure = true\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "post.md", "--offline"])
    assert result.exit_code == 2
    assert "insecure: a repository's own file may not set this" in result.stderr


def test_exclude_path_skips_source_files(project: Path) -> None:
    (project / "_drafts").mkdir()
    (project / "_drafts" / "wip.md").write_text("[a](https://a.example/)\n", encoding="utf-8")
    (project / "post.md").write_text("[b](https://b.example/)\n", encoding="utf-8")
    listed = runner.invoke(app, ["extract", ".", "--exclude-path", "^_drafts/"])
    assert listed.exit_code == 0, listed.stderr
    assert "https://b.example/" in listed.stdout
    assert "https://a.example/" not in listed.stdout
    bad = runner.invoke(app, ["extract", ".", "--exclude-path", "(?=x)"])
    assert bad.exit_code == 2
    assert "exclude-path" in bad.stderr
