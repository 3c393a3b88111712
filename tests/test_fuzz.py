"""Fuzzing the whole CLI: whatever the URLs, the redirect targets or the files, a run ends
with a verdict or a clear error, never exit 4 (issue 11 §4).

Every request goes to the simulated web on 127.0.0.1: a --connect-to route with empty
source fields sends any host there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.errors import ExitCode
from linkcheck.testing.simweb import SimulatedWeb, running

runner = CliRunner()
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PIECES = [
    "http://", "https://", "//", "xn--", "xn--zz", "[", "]", "[::1", "::ffff:", "127.0.0.1",
    "0x7f", ":", ":99999", ":0", "@", "%", "%zz", "%00", "..", ".", "/", "?", "#", "&amp;",
    " ", "\t", "\\", "中文", "é", "💩", "a", "b-", "-", "_", "fuzz.test", "github.com", "=",
    "'", '"', "<", ">", "(", ")", "*", "~", "javascript:", "mailto:", "\u200b", "\ufeff",
]  # fmt: skip
url_text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedWeb]:
    root = tmp_path_factory.mktemp("fuzz-web")
    (root / "fuzz.test").mkdir()
    (root / "routes.toml").write_text(
        '[[route]]\nhost = "fuzz.test"\npath = "/r"\nstatus = 302\nbehaviour = "echo-location"\n',
        encoding="utf-8",
    )
    with running(root, tmp_path_factory.mktemp("fuzz-ca")) as server:
        yield server


def run_check(web: SimulatedWeb, folder: Path, *extra: str) -> int:
    routes = []
    for entry in web.connect_to():
        routes += ["--connect-to", entry]
    routes += ["--connect-to", f"::127.0.0.1:{web.http_port}"]  # every other host, here
    args = ["check", str(folder), "--no-progress", "--no-wayback", "--timeout", "1"]
    args += ["--max-retries", "0", "--cacert", str(web.ca_file), *routes, *extra]
    before = Path.cwd()
    os.chdir(folder)
    try:
        result = runner.invoke(app, args)
    finally:
        os.chdir(before)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code


def _post(text: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="linkcheck-fuzz-"))
    (folder / ".git").mkdir()
    (folder / "post.md").write_text(text, encoding="utf-8")
    return folder


@FUZZ
@given(urls=st.lists(url_text, min_size=1, max_size=4))
def test_any_url_is_a_verdict(web: SimulatedWeb, urls: list[str]) -> None:
    lines = [f"[a]({url}) <{url}> {url}" for url in urls]
    folder = _post("\n\n".join(lines) + "\n")
    assert run_check(web, folder, "--no-cache") in (ExitCode.OK, ExitCode.LINKS_FAILED)


@FUZZ
@given(targets=st.lists(url_text, min_size=1, max_size=4))
def test_any_redirect_target_is_a_verdict(web: SimulatedWeb, targets: list[str]) -> None:
    lines = [f"http://fuzz.test/r?to={quote(target, safe='')}" for target in targets]
    folder = _post("\n\n".join(lines) + "\n")
    assert run_check(web, folder, "--no-cache") in (ExitCode.OK, ExitCode.LINKS_FAILED)


names = st.text(alphabet="abc.-_中 md", min_size=1, max_size=8)
tree = st.lists(
    st.tuples(names, st.one_of(st.binary(max_size=200), url_text.map(str.encode))),
    min_size=1,
    max_size=6,
)


@FUZZ
@given(files=tree, loops=st.integers(min_value=0, max_value=2))
def test_any_file_tree_is_read_or_refused_clearly(
    web: SimulatedWeb, files: list[tuple[str, bytes]], loops: int
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="linkcheck-fuzz-"))
    (folder / ".git").mkdir()
    posts = folder / "posts"
    posts.mkdir()
    for index, (name, data) in enumerate(files):
        (posts / f"{index}{name}.md").write_bytes(data)
    for index in range(loops):
        (posts / f"loop{index}.md").symlink_to(f"loop{index}.md")
    (posts / "up").symlink_to(posts)
    code = run_check(web, folder, "--offline")
    assert code in (ExitCode.OK, ExitCode.LINKS_FAILED, ExitCode.USAGE, ExitCode.COULD_NOT_CHECK)
    extract = runner.invoke(app, ["extract", str(posts)])
    if extract.exception is not None and not isinstance(extract.exception, SystemExit):
        raise extract.exception
    assert extract.exit_code in (ExitCode.OK, ExitCode.USAGE)
