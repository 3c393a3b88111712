"""No request into a private network unless the user asks (issue 11 §2).

A "secret" server on 127.0.0.1 stands for a metadata service or an intranet host: public
pages of the simulated web redirect there, link there in every spelling of 127.0.0.1, and
embed images from there. It must never see a request, in `check` or in `archive`, unless
--include-private is given.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.testing.simweb import SimulatedWeb, running

from .conftest import web_cli_args

runner = CliRunner()


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatedWeb]:
    root = tmp_path_factory.mktemp("secret-web")
    (root / "routes.toml").write_text(
        '[[route]]\nhost = "127.0.0.1"\npath = "/secret"\nbody = "instance credentials"\n',
        encoding="utf-8",
    )
    with running(root, tmp_path_factory.mktemp("secret-ca")) as web:
        yield web


@pytest.fixture(scope="module")
def evil(tmp_path_factory: pytest.TempPathFactory, secret: SimulatedWeb) -> Iterator[SimulatedWeb]:
    """evil.test: a public host whose pages point into the private network."""
    port = secret.http_port
    targets = {
        "/to-loopback": f"http://127.0.0.1:{port}/secret",
        "/to-localhost": f"http://localhost:{port}/secret",
        "/to-decimal": f"http://2130706433:{port}/secret",
        "/to-short": f"http://127.1:{port}/secret",
        "/to-mapped": f"http://[::ffff:127.0.0.1]:{port}/secret",
        "/to-metadata": "http://169.254.169.254/latest/meta-data/",
        "/to-intranet": "http://10.0.0.1/",
        "/to-nat64": "http://[64:ff9b::a00:1]/",  # 10.0.0.1 through a NAT64 translator
        "/to-local-nat64": "http://[64:ff9b:1::a00:1]/",
        "/to-bad-idna": "http://xn--zz.example.com/",
    }
    root = tmp_path_factory.mktemp("evil-web")
    (root / "evil.test").mkdir()
    routes = "".join(
        f'[[route]]\nhost = "evil.test"\npath = "{path}"\nstatus = 302\nlocation = "{to}"\n\n'
        for path, to in targets.items()
    )
    (root / "routes.toml").write_text(routes, encoding="utf-8")
    (root / "evil.test" / "images.html").write_text(
        "<html><head><title>Images</title></head><body><p>A page with a picture "
        f'from the intranet.</p><img src="http://127.0.0.1:{port}/secret">'
        f'<img src="http://localhost:{port}/secret"></body></html>',
        encoding="utf-8",
    )
    with running(root, tmp_path_factory.mktemp("evil-ca")) as web:
        yield web


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check_json(web: SimulatedWeb, project: Path, urls: list[str], *extra: str) -> list[dict]:
    import json

    (project / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")
    options = ["--format", "json", "--no-cache", "--no-wayback", *web_cli_args(web), *extra]
    result = runner.invoke(app, ["check", "post.md", *options])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1), result.stderr + result.stdout
    return list(json.loads(result.stdout)["results"])


REDIRECTS = [
    "to-loopback",
    "to-localhost",
    "to-decimal",
    "to-short",
    "to-mapped",
    "to-metadata",
    "to-intranet",
    "to-nat64",
    "to-local-nat64",
]


def test_redirects_into_the_private_network_are_not_followed(
    evil: SimulatedWeb, secret: SimulatedWeb, project: Path
) -> None:
    before = len(secret.requests)
    links = check_json(evil, project, [f"https://evil.test/{path}" for path in REDIRECTS])
    assert [(link["status"], link["reason"]) for link in links] == [
        ("unknown", "private-redirect")
    ] * len(REDIRECTS)
    assert len(secret.requests) == before


def test_every_spelling_of_loopback_is_excluded(secret: SimulatedWeb, project: Path) -> None:
    port = secret.http_port
    hosts = [
        "127.0.0.1",
        "127.1",
        "0x7f000001",
        "2130706433",
        "017700000001",
        "0",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[64:ff9b::7f00:1]",
        "localhost",
        "sub.localhost",
    ]
    before = len(secret.requests)
    links = check_json(secret, project, [f"http://{host}:{port}/secret" for host in hosts])
    assert {(link["status"], link["reason"]) for link in links} == {("excluded", "private-host")}
    assert len(secret.requests) == before


def _loopback_name() -> str:
    """A name other than localhost that this machine resolves to a loopback address."""
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, 80)}
    except OSError:
        addresses = set()
    if not addresses or not all(a.startswith("127.") or a == "::1" for a in addresses):
        pytest.skip(f"this machine's name {name!r} does not resolve to loopback")
    return name


def test_a_name_that_resolves_to_loopback_is_not_contacted(
    secret: SimulatedWeb, project: Path
) -> None:
    name = _loopback_name()
    before = len(secret.requests)
    [link] = check_json(secret, project, [f"http://{name}:{secret.http_port}/secret"])
    assert (link["status"], link["reason"]) == ("excluded", "private-host")
    assert "private address" in link["detail"]
    assert len(secret.requests) == before


def test_include_private_is_the_way_in(secret: SimulatedWeb, project: Path) -> None:
    before = len(secret.requests)
    [link] = check_json(
        secret, project, [f"http://127.0.0.1:{secret.http_port}/secret"], "--include-private"
    )
    assert (link["status"], link["reason"]) == ("alive", "http-200")
    assert len(secret.requests) == before + 1


def test_a_redirect_to_a_malformed_name_is_a_verdict(evil: SimulatedWeb, project: Path) -> None:
    [link] = check_json(evil, project, ["https://evil.test/to-bad-idna"])
    assert (link["status"], link["reason"]) == ("unknown", "invalid-redirect")
    assert "xn--zz" in link["detail"]


def test_archive_fetches_nothing_private(
    evil: SimulatedWeb, secret: SimulatedWeb, project: Path
) -> None:
    before = len(secret.requests)
    urls = ["https://evil.test/images", "https://evil.test/to-loopback"]
    urls += ["https://evil.test/to-bad-idna", "https://evil.test/to-metadata"]
    (project / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")
    keep = web_cli_args(evil)
    result = runner.invoke(app, ["archive", "post.md", *keep])
    assert result.exit_code == 0, result.stderr + result.stdout
    assert len(secret.requests) == before
    warcs = list((project / ".linkcheck" / "archive").rglob("*.warc.gz"))
    assert warcs, result.stdout
    import gzip

    for warc in warcs:
        assert b"instance credentials" not in gzip.decompress(warc.read_bytes())
