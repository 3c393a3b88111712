"""Hostile or careless input is data, never a crash (issue 11 §4): a malformed URL is an
`invalid-url` verdict, a strange file is a warning, and the run goes on with exit 0-3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck.cli import app
from linkcheck.fetch.addresses import url_problem
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import web_cli_args

runner = CliRunner()

MALFORMED = [
    "http://[::1",
    "http://xn--zz.com/",
    "http://xn--abc-.com/",
    "http://256.256.256.256/",
    "http://1.2.3.4.5/",
    "http://a.com:abc/",
    "http://a.com:99999/",
    "http://a..b/",
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("url", MALFORMED)
def test_url_problem_names_what_is_wrong(url: str) -> None:
    assert url_problem(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/x/y",
        "http://xn--ls8h.la/",  # a real domain whose name IDNA 2008 refuses
        "https://xn--fiqs8s.xn--fiqs8s/",
        "http://[::1]:8080/",
        "http://under_score.example/",
    ],
)
def test_requestable_urls_have_no_problem(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize("offline", [False, True])
def test_malformed_urls_are_verdicts_not_crashes(
    simweb: SimulatedWeb, project: Path, offline: bool
) -> None:
    lines = [f"[link {i}]({url})" for i, url in enumerate(MALFORMED)]
    lines.append("host:port and https://github.com/facebookresearch/Detectron")
    (project / "post.md").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    extra = ["--offline"] if offline else []
    code, out, err = run_cli(
        "check", "post.md", "--format", "json", "--no-wayback", *extra, *web_cli_args(simweb)
    )
    assert code in (0, 1, 3), err
    results = json.loads(out)["results"]
    verdicts = {r["url"]: (r["status"], r["reason"]) for r in results}
    for url in MALFORMED:
        assert verdicts[url] == ("unknown", "invalid-url"), url
    github = verdicts["https://github.com/facebookresearch/Detectron"]
    assert github[0] == ("unknown" if offline else "alive")


def test_a_real_name_that_idna_2008_refuses_is_requested(project: Path) -> None:
    """xn--ls8h.la is registered; httpx raised on it instead of sending the request."""
    root = project / "web"
    (root / "xn--ls8h.la").mkdir(parents=True)
    (root / "github.com").mkdir()  # a name for the HTTPS certificate
    (root / "xn--ls8h.la" / "index.html").write_text("<title>ok</title>", encoding="utf-8")
    (project / "post.md").write_text("http://xn--ls8h.la/\n", encoding="utf-8")
    web = SimulatedWeb(root).start(project)
    try:
        code, out, err = run_cli("check", "post.md", "--format", "json", *web_cli_args(web))
    finally:
        web.stop()
    assert code == 0, err
    [result] = json.loads(out)["results"]
    assert (result["status"], result["reason"]) == ("alive", "http-200")
    assert web.requests[-1].host == "xn--ls8h.la"


def test_two_images_with_the_same_bytes_archive_once(project: Path) -> None:
    """Two image URLs, identical bytes: archive crashed with SameFileError."""
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    root = project / "web"
    (root / "pics.test").mkdir(parents=True)
    (root / "one.png").write_bytes(png)
    (root / "pics.test" / "page.html").write_text(
        '<html><body><p>Two pictures</p><img src="/a.png"><img src="/b.png"></body></html>',
        encoding="utf-8",
    )
    routes = "".join(
        f'[[route]]\nhost = "pics.test"\npath = "/{name}"\nfile = "one.png"\n'
        f'headers = {{ "Content-Type" = "image/png" }}\n\n'
        for name in ("a.png", "b.png")
    )
    (root / "routes.toml").write_text(routes, encoding="utf-8")
    (project / "post.md").write_text("https://pics.test/page\n", encoding="utf-8")
    web = SimulatedWeb(root).start(project)
    try:
        code, out, err = run_cli("archive", "post.md", *web_cli_args(web))
    finally:
        web.stop()
    assert code == 0, err + out
    assets = list((project / ".linkcheck" / "archive").rglob("assets/*.png"))
    assert len(assets) == 1
    assert assets[0].read_bytes() == png
