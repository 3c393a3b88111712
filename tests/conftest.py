from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from selectolax.lexbor import LexborHTMLParser

if TYPE_CHECKING:
    from click.testing import Result

REPO = Path(__file__).resolve().parent.parent
UPDATE_GOLDEN = os.environ.get("LINKCHECK_UPDATE_GOLDEN") == "1"

# linkcheck honours the environment's proxies; the tests' network is loopback and the
# namespaces they make, so a proxy of the machine's must not catch their requests (the
# proxy tests set their own). Subprocesses inherit this.
for _variable in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
    os.environ.pop(_variable, None)
    os.environ.pop(_variable.lower(), None)
# Nor may the machine's own user configuration (~/.config/linkcheck/config.toml) steer them:
# an empty folder stands for it; the tests of the user's file set their own.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="linkcheck-tests-config-")
# The Ctrl-C tests press Ctrl-C (SIGINT) on the processes they start, as a terminal does. A
# suite started in the background by a shell without job control (`cmd &` in a script, as
# some CI runners start it) has SIGINT ignored, and every process it starts would inherit
# that and never see the key; with Python's handler here, each child starts with the
# signal's default, as in a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture
def in_repo() -> Iterator[Path]:
    """Run with the repository as working directory, so reported paths are stable."""
    before = Path.cwd()
    os.chdir(REPO)
    try:
        yield REPO
    finally:
        os.chdir(before)


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; LINKCHECK_UPDATE_GOLDEN=1 rewrites it instead."""
    path = REPO / "tests" / "golden" / name
    if UPDATE_GOLDEN:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


# --- the simulated web ---------------------------------------------------------------------

from linkcheck.config import Config  # noqa: E402
from linkcheck.testing.simweb import SimulatedWeb  # noqa: E402

WEB_ROOT = REPO / "fixtures" / "web"


@pytest.fixture(scope="module")
def simweb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedWeb]:
    """A real HTTP + HTTPS server on 127.0.0.1 serving fixtures/web; stopped after the module."""
    web = SimulatedWeb(WEB_ROOT).start(tmp_path_factory.mktemp("ca"))
    try:
        yield web
    finally:
        web.stop()


def web_config(web: SimulatedWeb, **overrides: object) -> Config:
    """Settings that route every simulated host to the server, with short waits."""
    settings: dict[str, object] = {
        "connect_to": tuple(web.connect_to()),
        "cacert": (str(web.ca_file),),
        "timeout": 2.0,
        "max_retries": 1,
        "retry_backoff": 0.05,
        "cache": False,
    }
    settings.update(overrides)
    return Config(**settings)  # type: ignore[arg-type]


def web_cli_args(web: SimulatedWeb) -> list[str]:
    args = [
        "--cacert",
        str(web.ca_file),
        "--timeout",
        "2",
        "--max-retries",
        "1",
        "--retry-backoff",
        "0.05",
        "--no-progress",
    ]
    for entry in web.connect_to():
        args += ["--connect-to", entry]
    return args


def check_post(web: SimulatedWeb, *args: str, post: str = "post.md") -> Result:
    """`linkcheck check POST --format json --no-cache --no-wayback ARGS` on the simulated web,
    in the working directory, through the CLI as a user runs it."""
    from typer.testing import CliRunner

    from linkcheck.cli import app

    command = ["check", post, "--format", "json", "--no-cache", "--no-wayback", *args]
    return CliRunner().invoke(app, [*command, *web_cli_args(web)])


def wait_for_rows(database: Path, table: str, wanted: int) -> int:
    """Rows in table once there are at least wanted, polling for at most 20 s."""
    import sqlite3
    import time

    rows = 0
    for _ in range(200):
        time.sleep(0.1)
        if database.exists():
            try:
                query = f"SELECT COUNT(*) FROM {table}"
                rows = sqlite3.connect(database).execute(query).fetchone()[0]
            except sqlite3.OperationalError:
                rows = 0  # the database is still being created
        if rows >= wanted:
            break
    return int(rows)


from linkcheck.browser.session import QUIET_FLAGS  # noqa: E402


def render_in_chromium(page: Path, fragment: str = "") -> LexborHTMLParser:
    """The DOM of a local page after Debian's headless Chromium ran it (background
    networking off, a profile of its own beside the page)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium is not None, "the README's test command installs Debian's chromium"
    profile = page.parent / "chromium-profile"
    result = subprocess.run(
        [
            chromium,
            *QUIET_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri() + fragment,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return LexborHTMLParser(result.stdout)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository (a .git folder, so .linkcheck/ goes there) as the working
    directory, with no GITHUB_TOKEN from the environment (a test sets its own)."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    return tmp_path


def run_with_hosts(tmp_path: Path, hosts: str, probe: str) -> str:
    """What `python -c probe` prints in network and mount namespaces of its own whose
    /etc/hosts is hosts (loopback up, nothing else reachable); the test is skipped where
    the machine cannot make them."""
    import sys

    if subprocess.run(["unshare", "-n", "-m", "true"], check=False).returncode:
        pytest.skip("this machine cannot make network and mount namespaces (unshare -n -m)")
    hosts_file = tmp_path / "hosts"
    hosts_file.write_text(hosts, encoding="utf-8")
    script = (
        f'mount --bind {hosts_file} /etc/hosts && ip link set lo up && {sys.executable} -c "$PROBE"'
    )
    done = subprocess.run(
        ["unshare", "-n", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PROBE": probe, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
