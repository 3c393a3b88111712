"""`linkcheck extract` through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkcheck import __version__
from linkcheck.cli import app

from .conftest import check_golden

runner = CliRunner()


def test_text_listing_of_the_sample_blog(in_repo: Path) -> None:
    result = runner.invoke(app, ["extract", "fixtures/blog"])
    assert result.exit_code == 0, result.output
    check_golden("blog.extract.txt", result.stdout)


def test_json_listing_of_the_sample_blog(in_repo: Path) -> None:
    result = runner.invoke(
        app, ["extract", "fixtures/blog", "--format", "json", "--root-dir", "fixtures/blog"]
    )
    assert result.exit_code == 0, result.output
    check_golden("blog.extract.json", result.stdout)
    document = json.loads(result.stdout)
    assert document["schema"] == "linkcheck.extract/1"
    by_url = {record["url"]: record for record in document["links"]}
    assert by_url["/images/img2/mask_rcnn.png"]["path"] == "fixtures/blog/images/img2/mask_rcnn.png"
    assert by_url["/images/img3/git.jpg"]["path"] is None
    captcha = next(r for r in document["links"] if "wappoc_appmsgcaptcha" in r["url"])
    assert captcha["target"] == "https://mp.weixin.qq.com/s/Ut_of4Xb8c0beACShKOWlQ"
    assert captcha["unwrapped_from"] == captcha["url"]


def test_output_is_sorted_by_file_line_and_column(in_repo: Path) -> None:
    result = runner.invoke(app, ["extract", "fixtures/blog", "--format", "json"])
    keys = [(r["file"], r["line"], r["column"]) for r in json.loads(result.stdout)["links"]]
    assert keys == sorted(keys)
    assert len(keys) > 40


def test_scope_filter(in_repo: Path) -> None:
    result = runner.invoke(app, ["extract", "fixtures/blog", "-f", "json", "--scope", "local,mail"])
    scopes = {r["scope"] for r in json.loads(result.stdout)["links"]}
    assert scopes == {"local", "mail"}
    bad = runner.invoke(app, ["extract", "fixtures/blog", "--scope", "nearby"])
    assert bad.exit_code == 2
    assert "--scope" in bad.stderr


def test_missing_path_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.md")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"linkcheck: error: {tmp_path / 'nope.md'}: no such file or directory"
    ]


def test_warnings_go_to_stderr_and_the_listing_goes_on(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text("https://a.org\n", encoding="utf-8")
    (tmp_path / "bad.md").write_bytes("caf\xe9".encode("latin-1"))
    result = runner.invoke(app, ["extract", str(tmp_path)])
    assert result.exit_code == 0
    assert "https://a.org" in result.stdout
    assert "linkcheck: warning: skipped" in result.stderr
    assert "bad.md" in result.stderr


def test_stdin_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "links.json"
    result = runner.invoke(
        app,
        ["extract", "-", "-f", "json", "-o", str(out)],
        input="参考https://x.org/a中的代码".encode(),
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    [record] = json.loads(out.read_text(encoding="utf-8"))["links"]
    assert (record["file"], record["column"], record["url"]) == ("-", 3, "https://x.org/a")


def test_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "post.md").write_text("https://a.org", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(
        app, ["extract", str(tmp_path / "post.md"), "-o", str(blocker / "x.json")]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


@pytest.mark.parametrize("argv", [["--version"], ["extract", "--help"]])
def test_python_dash_m_entry_point(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "linkcheck", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert (
        (__version__ in result.stdout) if argv == ["--version"] else ("--root-dir" in result.stdout)
    )


def test_the_exit_delivers_all_the_output_and_the_exit_code(tmp_path: Path) -> None:
    """main() leaves without tearing the interpreter down (cli._leave): what was written
    to the pipes must still all arrive, well past a pipe's buffer, and the code with it."""
    post = tmp_path / "post.md"
    post.write_text("".join(f"https://a.example/{n}\n\n" for n in range(4000)), "utf-8")
    listed = subprocess.run(
        [sys.executable, "-m", "linkcheck", "extract", str(post)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 4000
    assert lines[-1].endswith("https://a.example/3999")
    missing = subprocess.run(
        [sys.executable, "-m", "linkcheck", "extract", str(tmp_path / "absent.md")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


def test_the_json_listing_is_laid_out_exactly_as_json_dumps_would(tmp_path: Path) -> None:
    """The records are written by template: every string escaped as json's own encoder does
    (quotes, backslashes, control characters, non-ASCII), null where a value is missing, and
    each record starts with the fields every JSON output shares (models.link_record)."""
    from linkcheck.extract import extract_text
    from linkcheck.models import link_record

    post = tmp_path / 'a "quoted"\\ 文章.md'
    post.write_text(
        '[引号 "q" \\\\ \x07](https://例子.测试/路径?q="x"#frag)\n'
        "<https://link.zhihu.com/?target=https%3A//github.com/a/b>\n"
        "![](missing.png) [mail](mailto:a@b.c) [](#top)\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["extract", str(post), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert result.stdout == json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    links = extract_text(str(post), post.read_text(encoding="utf-8"))
    records = document["links"]
    assert len(records) == len(links) == 5
    for link, record in zip(sorted(links, key=lambda x: x.sort_key), records, strict=True):
        assert list(record)[:6] == list(link_record(link))
        assert {k: record[k] for k in link_record(link)} == link_record(link)
        assert record["text"] == link.text
    assert records[0]["target"] == "https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84?q=%22x%22"
    assert records[0]["fragment"] == "frag"
    assert records[1]["unwrapped_from"].startswith("https://link.zhihu.com/")
    assert records[2]["path"] is None
