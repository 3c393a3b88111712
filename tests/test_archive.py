"""The archive: capture, WARC records, the readable copy, dedupe, refusals, crashes, paths."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from linkcheck.archive.store import Archive, fingerprint
from linkcheck.cli import app
from linkcheck.testing.simweb import SimulatedWeb

from .conftest import wait_for_rows, web_cli_args

runner = CliRunner()
ARTICLE = "https://mp.weixin.qq.com/s/with-images"


def archive(web: SimulatedWeb, *args: str) -> str:
    result = runner.invoke(app, ["archive", *args, *web_cli_args(web)])
    assert result.exit_code == 0, result.stderr + result.stdout
    return result.stdout


def archive_on(root: Path, project: Path) -> tuple[str, SimulatedWeb]:
    """`archive post.md` against a simulated web of its own, serving root; stopped after."""
    web = SimulatedWeb(root).start(project)
    try:
        return archive(web, "post.md"), web
    finally:
        web.stop()


def write_post(project: Path, *urls: str) -> None:
    (project / "post.md").write_text("\n\n".join(urls) + "\n", encoding="utf-8")


def snapshot_of(project: Path, url: str) -> tuple[Path, Archive]:
    store = Archive(project / ".linkcheck" / "archive")
    latest = store.latest(url)
    assert latest is not None
    return store.root / latest.folder, store


def test_a_wechat_article_reopens_whole_from_the_readable_copy(
    simweb: SimulatedWeb, project: Path
) -> None:
    write_post(project, ARTICLE)
    assert "archived" in archive(simweb, "post.md")
    folder, _ = snapshot_of(project, ARTICLE)
    page = (folder / "page.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "<iframe" not in page.lower()
    assert not re.search(r"\son\w+\s*=", page)
    assert "Content-Security-Policy" in page
    assert 'content="no-referrer"' in page
    assert ARTICLE in page  # the banner names the source
    assert "visibility: visible" in page
    assert "visibility: hidden" not in page
    sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', page)
    backgrounds = re.findall(r"url\('([^']*)'\)", page)
    # Three images live: two lazy <img>, one inline background; the fourth is missing.
    assert len(sources) == 2
    assert len(backgrounds) == 1
    for local in sources + backgrounds:
        assert local.startswith("assets/")
        assert (folder / local).is_file()
    assert not re.search(r'(src|srcset|data-src|href)="https?://mmbiz', page)
    assert "第一段文字" in page


def test_the_images_were_fetched_without_a_referer(simweb: SimulatedWeb, project: Path) -> None:
    write_post(project, ARTICLE)
    before = len(simweb.requests)
    archive(simweb, "post.md")
    images = [r for r in simweb.requests[before:] if r.host == "mmbiz.qpic.cn"]
    assert len(images) == 4
    assert all(r.header("Referer") is None for r in images)


def _records(warc: Path) -> list[tuple[str, str, dict[str, str], bytes, str | None]]:
    found = []
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            http = record.http_headers
            headers = dict(http.headers) if http is not None else {}
            statusline = http.statusline if http is not None else None
            found.append(
                (
                    record.rec_type,
                    record.rec_headers.get_header("WARC-Target-URI") or "",
                    {
                        **dict(record.rec_headers.headers),
                        **{f"http:{k.lower()}": v for k, v in headers.items()},
                    },
                    record.raw_stream.read(),
                    statusline,
                )
            )
    return found


def test_warc_records_follow_the_header_rules(simweb: SimulatedWeb, project: Path) -> None:
    write_post(project, "https://gzip.test/", "https://github.com/matterport/Mask_RCNN")
    archive(simweb, "post.md")
    folder, _ = snapshot_of(project, "https://gzip.test/")
    [warc] = folder.glob("linkcheck-*.warc.gz")
    records = _records(warc)
    assert records[0][0] == "warcinfo"
    [response] = [r for r in records if r[0] == "response"]
    _, uri, headers, payload, statusline = response
    assert uri == "https://gzip.test/"
    assert headers["WARC-Type"] == "response"
    assert "http:transfer-encoding" not in headers
    assert headers["http:content-encoding"] == "gzip"
    assert int(headers["http:content-length"]) == len(payload)
    assert payload[:2] == b"\x1f\x8b"  # the bytes as sent: still gzip
    assert gzip.decompress(payload).startswith(b"<!doctype html>")
    digest = "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode()
    assert headers["WARC-Payload-Digest"] == digest
    assert headers["WARC-IP-Address"] == "127.0.0.1"
    assert statusline == "200 OK"
    assert [r[0] for r in records].count("request") == 1
    # The renamed repository: the 301 hop has its own record before the page.
    folder, _ = snapshot_of(project, "https://github.com/matterport/Mask_RCNN")
    [warc] = folder.glob("linkcheck-*.warc.gz")
    responses = [(uri, status) for kind, uri, _, _, status in _records(warc) if kind == "response"]
    assert responses == [
        ("https://github.com/matterport/Mask_RCNN", "301 Moved Permanently"),
        ("https://github.com/matterport/Mask-RCNN", "200 OK"),
    ]


def test_the_warc_is_version_1_1_with_gzip_members(simweb: SimulatedWeb, project: Path) -> None:
    write_post(project, ARTICLE)
    archive(simweb, "post.md")
    folder, _ = snapshot_of(project, ARTICLE)
    [warc] = folder.glob("linkcheck-*.warc.gz")
    with gzip.open(warc) as stream:
        first = stream.read(200)
    assert first.startswith(b"WARC/1.1\r\n")
    kinds = [kind for kind, *_ in _records(warc)]
    assert kinds.count("response") == 5  # the page and four images, the missing one included
    # warcio's own checker: every record parses and every digest matches.
    checked = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", str(warc)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "digest pass" in checked.stdout


def test_unchanged_pages_are_not_stored_twice_and_images_are_shared(
    simweb: SimulatedWeb, project: Path
) -> None:
    write_post(project, ARTICLE, "https://mp.weixin.qq.com/s/shares-an-image")
    first = archive(simweb, "post.md")
    assert re.findall(r"^([a-z]+) ", first, re.M) == ["archived", "archived"]
    second = archive(simweb, "post.md")
    assert re.findall(r"^([a-z]+) ", second, re.M) == ["unchanged", "unchanged"]
    root = project / ".linkcheck" / "archive"
    assert len(list((root / "snapshots").glob("*/*/*"))) == 2
    blobs = [p for p in (root / "blobs").rglob("*") if p.is_file()]
    assert len(blobs) == 3  # image 0 is in both articles, stored once
    assert "recent" in archive(simweb, "post.md", "--max-age", "1d")


def test_fingerprints_ignore_what_changes_on_every_fetch() -> None:
    assert fingerprint("  正文  第二段 ", ["ab"]) == fingerprint("正文 第二段", ["ab"])
    assert fingerprint("正文", ["ab"]) != fingerprint("正文", ["cd"])
    from linkcheck.archive.readable import content_text

    one = '<script nonce="a1">var x=1</script><div id="js_content"><p>正文</p></div>'
    two = '<script nonce="b2">var x=2</script><div id="js_content"><p>正文</p></div>'
    assert content_text(one) == content_text(two) == "正文"


@pytest.mark.parametrize(
    "url",
    [
        "https://mp.weixin.qq.com/s/deleted",
        "https://mp.weixin.qq.com/s/captcha-redirect",
        "https://zhuanlan.zhihu.com/p/25954683",
    ],
)
def test_error_pages_are_never_snapshots(simweb: SimulatedWeb, project: Path, url: str) -> None:
    write_post(project, url)
    assert "refused" in archive(simweb, "post.md")
    store = Archive(project / ".linkcheck" / "archive")
    assert store.snapshots() == []


def test_list_show_verify_export(simweb: SimulatedWeb, project: Path) -> None:
    write_post(project, ARTICLE, "https://gzip.test/")
    archive(simweb, "post.md")
    listing = archive(simweb, "list")
    assert ARTICLE in listing
    assert "带图片的文章" in listing
    shown = archive(simweb, "show", ARTICLE).strip()
    assert shown.endswith("page.html")
    assert Path(shown).is_file()
    assert "2 snapshots verified" in archive(simweb, "verify")
    archive(simweb, "export", "all.warc.gz")
    uris = {uri for kind, uri, *_ in _records(project / "all.warc.gz") if kind == "response"}
    assert {ARTICLE, "https://gzip.test/"} <= uris


def test_export_to_wacz_validates_and_lists_every_page(simweb: SimulatedWeb, project: Path) -> None:
    """issue 28, item 4: WACZ 1.1.1 that py-wacz's own validator accepts, every page in
    pages.jsonl with its title and a capture time in Z, the WARCs stored as they are."""
    import json
    import subprocess
    import sys
    import zipfile

    write_post(project, ARTICLE, "https://gzip.test/")
    archive(simweb, "post.md")
    archive(simweb, "post.md", "--max-age", "0")  # a second capture of each: many per URL
    said = archive(simweb, "export", "all.wacz")
    wacz = project / "all.wacz"
    validator = Path(sys.executable).with_name("wacz")
    checked = subprocess.run(
        [str(validator), "validate", "-f", str(wacz)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with zipfile.ZipFile(wacz) as bundle:
        names = bundle.namelist()
        lines = bundle.read("pages/pages.jsonl").decode().splitlines()
        warcs = [info for info in bundle.infolist() if info.filename.startswith("archive/")]
        index = bundle.read("indexes/index.cdx").decode()
    pages = [json.loads(line) for line in lines[1:]]
    snapshots = Archive(project / ".linkcheck" / "archive").snapshots()
    assert f"exported {len(snapshots)} snapshots" in said
    assert {p["id"] for p in pages} == {s.id for s in snapshots}
    assert {p["url"] for p in pages} == {ARTICLE, "https://gzip.test/"}
    assert all(p["ts"].endswith("Z") for p in pages)
    assert any(p.get("title") == "带图片的文章" for p in pages)
    assert "datapackage.json" in names
    assert len(warcs) == len(snapshots)
    assert all(info.compress_type == zipfile.ZIP_STORED for info in warcs)
    assert "mp.weixin.qq" in index


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_pywb_replays_the_exported_wacz_with_its_redirects(
    simweb: SimulatedWeb, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """issue 28, item 4: Webrecorder's pywb takes the WACZ as it is (`wb-manager add
    --unpack-wacz`, which finds its index only under the spec's name, index.cdx) and
    replays each page, its images and a renamed repository's redirect from it; and a
    --browser capture behind Zhihu's challenge as its reader saw it: the page, not the
    challenge, and the POST its script made (indexed with its body, as pywb looks it up)."""
    import urllib.error
    import urllib.request

    moved = "https://github.com/matterport/Mask_RCNN"
    challenged, answer = _challenge_with_xhr(simweb, "/p/behind-challenge-replayed")
    write_post(project, ARTICLE, "https://gzip.test/", moved)
    archive(simweb, "post.md")
    write_post(project, challenged)
    archive(simweb, "post.md", "--browser")
    archive(simweb, "export", "all.wacz")
    bin_dir = Path(sys.executable).parent
    replay = tmp_path_factory.mktemp("pywb")
    for command in (["init", "blog"], ["add", "--unpack-wacz", "blog", str(project / "all.wacz")]):
        subprocess.run([str(bin_dir / "wb-manager"), *command], cwd=replay, check=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen(
        [str(bin_dir / "wayback"), "--port", str(port), "--bind", "127.0.0.1"],
        cwd=replay,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    class _Kept(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None  # the replayed redirect itself, not where it leads

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _Kept())

    def replayed(url: str, posted: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/blog/2026id_/{url}", posted)
        try:
            with opener.open(request, timeout=30) as got:
                return got.status, dict(got.headers), got.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    try:
        for _ in range(300):  # until it listens (at most 30 s)
            try:
                replayed(ARTICLE)
                break
            except OSError:
                time.sleep(0.1)
        status, _, page = replayed(ARTICLE)
        assert status == 200
        assert "带图片的文章".encode() in page
        image = re.search(rb'data-src="(https://mmbiz\.qpic\.cn/[^"]+)"', page)
        assert image is not None
        status, _, picture = replayed(image.group(1).decode().replace("&amp;", "&"))
        assert status == 200
        assert picture.startswith(b"\x89PNG")
        status, headers, body = replayed("https://gzip.test/")
        assert status == 200
        if headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        assert b"<html" in body.lower()
        status, headers, _ = replayed(moved)
        assert status == 301
        assert headers["Location"].endswith("https://github.com/matterport/Mask-RCNN")
        status, _, page = replayed(challenged)
        assert status == 200
        assert b"js-initialData" in page  # the page, not the zse-ck challenge
        api = "https://zhuanlan.zhihu.com/api/v4/answers/77"
        status, _, fetched = replayed(api, posted=b"q=77")
        assert (status, fetched) == (200, answer)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_search_finds_a_chinese_phrase_and_the_posts_citing_it(
    simweb: SimulatedWeb, project: Path
) -> None:
    """issue 28, item 5: SQLite FTS5 with the trigram tokenizer over the readable text, so
    a Chinese phrase finds its page with no word breaks; each hit with its URL, capture
    time, a snippet and the places citing it."""
    write_post(project, ARTICLE, "https://gzip.test/")
    archive(simweb, "post.md")
    found = runner.invoke(app, ["archive", "search", "带背景图的段落"])
    assert found.exit_code == 0, found.stderr
    assert ARTICLE in found.stdout
    assert "[带背景图的段落]" in found.stdout  # the snippet marks the match
    assert "cited by: post.md:1" in found.stdout
    assert "gzip.test" not in found.stdout
    assert "1 found" in found.stdout
    short = runner.invoke(app, ["archive", "search", "段落"])  # two characters: no trigram
    assert short.exit_code == 0, short.stderr
    assert ARTICLE in short.stdout
    nothing = runner.invoke(app, ["archive", "search", "这句话不在任何页面上"])
    assert nothing.exit_code == 1
    assert "0 found" in nothing.stdout


def test_search_indexes_snapshots_made_before_it(simweb: SimulatedWeb, project: Path) -> None:
    import sqlite3

    write_post(project, ARTICLE)
    archive(simweb, "post.md")
    index = project / ".linkcheck" / "archive" / "index.sqlite3"
    with sqlite3.connect(index) as db:
        db.execute("DROP TABLE page_search")  # as an archive from before search was
    found = runner.invoke(app, ["archive", "search", "最后一段"])
    assert found.exit_code == 0, found.stderr
    assert ARTICLE in found.stdout


def test_verify_finds_tampering(simweb: SimulatedWeb, project: Path) -> None:
    write_post(project, ARTICLE)
    archive(simweb, "post.md")
    blob = next(p for p in (project / ".linkcheck" / "archive" / "blobs").rglob("*") if p.is_file())
    blob.unlink()
    blob.write_bytes(b"not the image any more")
    result = runner.invoke(app, ["archive", "verify"])
    assert result.exit_code == 1
    assert "does not match its digest" in result.stdout


@pytest.mark.parametrize(
    "path",
    ["/../../../../tmp/evil", "/%2e%2e/%2e%2e/escape", "/" + "a" * 300, "/CON/aux.html", "/x%00y"],
)
def test_names_never_come_from_urls(simweb: SimulatedWeb, project: Path, path: str) -> None:
    write_post(project, f"https://soft404.test{path}")
    archive(simweb, "post.md")
    root = (project / ".linkcheck" / "archive").resolve()
    names = re.compile(
        r"^(index\.sqlite3(-wal|-shm)?|index\.html|blobs|sha256|[0-9a-f]{2}|[0-9a-f]{64}"
        r"|[0-9a-f]{64}\.(png|jpg|gif|webp|avif)|snapshots|tmp|\d{4}|\d{2}"
        r"|\d{8}T\d{6}Z-[0-9a-f]{8}|linkcheck-\d{8}T\d{6}Z-[0-9a-f]{8}\.warc\.gz"
        r"|page\.html|meta\.json|assets)$"
    )
    for found in root.rglob("*"):
        assert found.resolve().is_relative_to(root)
        assert names.match(found.name), found
    assert not (project.parent / "tmp" / "evil").exists()


def test_a_killed_archive_run_leaves_a_consistent_index(
    simweb: SimulatedWeb, project: Path
) -> None:
    urls = [f"https://gzip.test/?n={i}" for i in range(6)]
    urls += [f"https://hostile.test/drip?n={i}" for i in range(4)]  # slow: still running
    write_post(project, *urls)
    run = subprocess.Popen(
        [sys.executable, "-m", "linkcheck", "archive", "post.md", *web_cli_args(simweb)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    index = project / ".linkcheck" / "archive" / "index.sqlite3"
    rows = wait_for_rows(index, "snapshots", 1)
    time.sleep(0.3)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    assert rows >= 1
    root = project / ".linkcheck" / "archive"
    assert any((root / "tmp").iterdir())  # the drip captures were staged when killed
    # Every row points at a complete folder; the next open sweeps the leftovers.
    assert "verified" in archive(simweb, "verify")
    assert not any((root / "tmp").iterdir())
    store = Archive(root)
    folders = {s.folder for s in store.snapshots()}
    on_disk = {p.relative_to(store.root).as_posix() for p in (root / "snapshots").glob("*/*/*")}
    assert folders == on_disk


def test_check_archive_then_dead_links_point_at_their_snapshot(
    simweb: SimulatedWeb, project: Path
) -> None:
    import json

    write_post(project, "https://hostile.test/alive-then-gone")
    args = ["check", "post.md", "--format", "json", "--no-cache", *web_cli_args(simweb)]
    first = runner.invoke(app, [*args, "--archive"])
    assert first.exit_code == 0, first.stderr
    [alive] = json.loads(first.stdout)["results"]
    assert (alive["status"], alive["snapshot"]) == ("alive", None)
    second = runner.invoke(app, args)
    assert second.exit_code == 1
    [dead] = json.loads(second.stdout)["results"]
    assert dead["status"] == "dead"
    assert dead["snapshot"].endswith("page.html")
    assert "Soon gone" in Path(dead["snapshot"]).read_text(encoding="utf-8")
    assert dead["wayback"] is None  # the fake Wayback Machine has no capture of it


def test_dead_links_get_the_newest_wayback_capture(simweb: SimulatedWeb, project: Path) -> None:
    import json

    write_post(project, "https://github.com/no-such/repository")
    result = runner.invoke(app, ["check", "post.md", "--format", "json", *web_cli_args(simweb)])
    [dead] = json.loads(result.stdout)["results"]
    assert dead["wayback"] == (
        "https://web.archive.org/web/20200101000000/https://github.com/no-such/repository"
    )
    before = len(simweb.requests)
    again = runner.invoke(app, ["check", "post.md", "--format", "json", *web_cli_args(simweb)])
    assert json.loads(again.stdout)["results"][0]["wayback"] == dead["wayback"]
    # The verdict and the lookup both come from the state database: nothing is asked.
    assert len(simweb.requests) == before
    quiet = runner.invoke(
        app,
        [
            "check",
            "post.md",
            "--format",
            "json",
            "--no-wayback",
            "--no-cache",
            *web_cli_args(simweb),
        ],
    )
    assert json.loads(quiet.stdout)["results"][0]["wayback"] is None


def test_save_to_wayback_uses_the_users_keys_on_archive_org_only(
    simweb: SimulatedWeb, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_post(project, "https://github.com/facebookresearch/Detectron")
    args = ["check", "post.md", "--no-cache", "--save-to-wayback", *web_cli_args(simweb)]
    missing = runner.invoke(app, args)
    assert "needs IA_ACCESS_KEY and IA_SECRET_KEY" in missing.stderr
    monkeypatch.setenv("IA_ACCESS_KEY", "fixture-access")
    monkeypatch.setenv("IA_SECRET_KEY", "fixture-secret")
    before = len(simweb.requests)
    saved = runner.invoke(app, args)
    assert "Save Page Now: 1 of 1 pages archived" in saved.stderr
    assert "fixture-secret" not in saved.stdout + saved.stderr
    sent = simweb.requests[before:]
    with_keys = [r for r in sent if r.header("Authorization")]
    assert [r.target for r in with_keys] == ["/save"]
    assert with_keys[0].host == "web.archive.org"
    assert with_keys[0].header("Authorization") == "LOW fixture-access:fixture-secret"
    assert any(r.target == "/save/status/spn2-fixture0001" for r in sent)


def test_hostile_pages_are_bounded(simweb: SimulatedWeb, project: Path) -> None:
    write_post(project, "https://hostile.test/endless", "https://hostile.test/gzip-bomb")
    archive(simweb, "post.md")
    store = Archive(project / ".linkcheck" / "archive")
    endless = store.snapshots("https://hostile.test/endless")
    assert [s.quality for s in endless] == ["truncated"]
    assert store.latest("https://hostile.test/endless") is None  # never the good copy
    shown = runner.invoke(app, ["archive", "show", "https://hostile.test/endless"])
    assert shown.exit_code == 2
    assert "is truncated" in shown.stderr
    assert endless[0].id in shown.stderr
    [warc] = (store.root / endless[0].folder).glob("*.warc.gz")
    [response] = [r for r in _records(warc) if r[0] == "response"]
    assert response[2]["WARC-Truncated"] == "length"
    assert len(response[3]) == 32 * 1024 * 1024  # the cap, not the endless body
    # The bomb is stored as sent: about 200 KB of gzip, not 200 MB of zeros.
    [bomb] = store.snapshots("https://hostile.test/gzip-bomb")
    assert bomb.bytes_total < 2 * 1024 * 1024


def test_a_gbk_page_is_archived_as_chinese_not_mojibake(project: Path) -> None:
    root = project / "web"
    (root / "gbk.test").mkdir(parents=True)
    page = (
        "<html><head><title>旧博客</title></head><body><p>用 GBK 编码的中文页面。</p></body></html>"
    )
    (root / "gbk-page.html").write_bytes(page.encode("gbk"))
    (root / "routes.toml").write_text(
        '[[route]]\nhost = "gbk.test"\npath = "/old"\nfile = "gbk-page.html"\n'
        'headers = { "Content-Type" = "text/html; charset=GBK" }\n',
        encoding="utf-8",
    )
    write_post(project, "https://gbk.test/old")
    web = SimulatedWeb(root).start(project)
    try:
        archive(web, "post.md")
    finally:
        web.stop()
    folder, store = snapshot_of(project, "https://gbk.test/old")
    copy = (folder / "page.html").read_text(encoding="utf-8")
    assert "用 GBK 编码的中文页面。" in copy
    assert store.latest("https://gbk.test/old").title == "旧博客"  # type: ignore[union-attr]


def test_archive_retries_like_check(project: Path) -> None:
    """A first 503, or a 429 with Retry-After: 1, is waited out as check does; before, both
    pages were refused as snapshots."""
    root = project / "web"
    (root / "busy.test").mkdir(parents=True)
    (root / "routes.toml").write_text(
        '[[route]]\nhost = "busy.test"\npath = "/a"\nstatuses = [503, 200]\n'
        'body = "<title>A</title><p>first busy, then fine</p>"\n\n'
        '[[route]]\nhost = "busy.test"\npath = "/b"\nstatuses = [429, 200]\n'
        'headers = { "Retry-After" = "1" }\nbody = "<title>B</title><p>rate-limited once</p>"\n',
        encoding="utf-8",
    )
    write_post(project, "https://busy.test/a", "https://busy.test/b")
    out, web = archive_on(root, project)
    assert "2 URLs: 2 archived" in out
    asked = [r.target for r in web.requests]
    assert asked.count("/a") == 2
    assert asked.count("/b") == 2
    folder, _ = snapshot_of(project, "https://busy.test/b")
    assert "rate-limited once" in (folder / "page.html").read_text(encoding="utf-8")


def test_the_index_lists_every_capture_its_verdict_and_its_posts_and_is_inert(
    simweb: SimulatedWeb, project: Path
) -> None:
    """issue 28, item 5: a static index of the archive, opened in Chromium with a beacon's
    worth of checks: no script, nothing loaded, every link local or http(s)."""
    from selectolax.lexbor import LexborHTMLParser

    from .conftest import render_in_chromium

    write_post(project, ARTICLE, "https://gzip.test/")
    checked = runner.invoke(app, ["check", "post.md", "--no-wayback", *web_cli_args(simweb)])
    assert checked.exit_code in (0, 1), checked.stderr
    archive(simweb, "post.md")
    archive(simweb, "post.md", "--max-age", "0")
    index = project / ".linkcheck" / "archive" / "index.html"
    source = index.read_text(encoding="utf-8")
    tree = LexborHTMLParser(source)
    assert tree.css("script") == []
    assert "'unsafe-inline'" not in source
    sections = {s.css_first(".url").text(): s for s in tree.css("section")}
    assert set(sections) == {ARTICLE, "https://gzip.test/"}
    article = sections[ARTICLE]
    assert "now: alive" in article.text()
    assert "cited by post.md:1" in article.text()
    copies = [a.attributes["href"] for a in article.css("a") if a.text() == "readable copy"]
    assert len(copies) == len(Archive(project / ".linkcheck" / "archive").snapshots(ARTICLE))
    assert all((index.parent / href).is_file() for href in copies)
    rendered = render_in_chromium(index)
    assert rendered.css_first("h1").text().startswith("Archived pages (2 URLs)")


def test_base_href_and_zhihu_s_shown_picture_are_captured(
    simweb: SimulatedWeb, project: Path
) -> None:
    """issue 28, item 1: images relative to <base href> were fetched from the wrong URL,
    and Zhihu's figures from data-original while its script shows data-actualsrc."""
    from linkcheck.testing.simweb import Route

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    for path in ("/static/pic.png", "/shown.png", "/full.png", "/gallery/pic.png"):
        body = png + path.encode()  # each picture its own bytes
        simweb.add_route(
            Route("cdn.example.com", path, headers=(("Content-Type", "image/png"),), body=body)
        )
    page = (
        b"<!doctype html><html><head><title>Gallery</title>"
        b'<base href="https://cdn.example.com/static/"></head><body><p>A gallery.</p>'
        b'<img src="pic.png" alt="relative to the base">'
        b'<img src="data:image/svg+xml,x" data-original="https://cdn.example.com/full.png" '
        b'data-actualsrc="https://cdn.example.com/shown.png" alt="a Zhihu figure">'
        b"</body></html>"
    )
    simweb.add_route(
        Route("docs.example.org", "/gallery/", headers=(("Content-Type", "text/html"),), body=page)
    )
    url = "https://docs.example.org/gallery/"
    write_post(project, url)
    before = len(simweb.requests)
    archive(simweb, "post.md")
    asked = {r.target for r in simweb.requests[before:] if r.host == "cdn.example.com"}
    assert asked == {"/static/pic.png", "/shown.png"}  # not /gallery/pic.png, not the full size
    from selectolax.lexbor import LexborHTMLParser

    folder, _ = snapshot_of(project, url)
    copy = (folder / "page.html").read_text(encoding="utf-8")
    images = [n.attributes.get("src") or "" for n in LexborHTMLParser(copy).css("img")]
    assert len(images) == 2
    assert all(src.startswith("assets/") and (folder / src).is_file() for src in images)


def test_a_cited_pdf_is_a_file_in_the_snapshot(simweb: SimulatedWeb, project: Path) -> None:
    """issue 28, item 1: a cited PDF was a one-line placeholder page, the file only inside
    the WARC; now it is the snapshot's own file, and the readable copy links it."""
    from linkcheck.testing.simweb import Route

    pdf = b"%PDF-1.4\n% a paper the post cites\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
    simweb.add_route(
        Route(
            "docs.example.org",
            "/paper.pdf",
            headers=(("Content-Type", "application/pdf"),),
            body=pdf,
        )
    )
    url = "https://docs.example.org/paper.pdf"
    write_post(project, url)
    archive(simweb, "post.md")
    folder, _ = snapshot_of(project, url)
    assert (folder / "document.pdf").read_bytes() == pdf
    copy = (folder / "page.html").read_text(encoding="utf-8")
    assert 'href="document.pdf"' in copy
    again = archive(simweb, "post.md", "--max-age", "0")
    assert "unchanged" in again  # the same bytes: no second copy


def test_a_styled_page_keeps_its_look_from_local_files(project: Path) -> None:
    """issue 28, item 1: the stylesheet the page links, the sheet it imports, the font and
    the background images they name (each read against its own sheet's URL) are fetched and
    in the WARC, and the readable copy carries the sheets with every url() pointing at a
    local file; a url() to another site's address loads nothing."""
    root = project / "web"
    site = root / "styled.test"
    (site / "css").mkdir(parents=True)
    (site / "fonts").mkdir()
    (site / "img").mkdir()
    (site / "page.html").write_text(
        "<!doctype html><html><head><title>Styled</title>"
        '<link rel="stylesheet" href="/css/site.css"></head>'
        '<body><p class="x">styled text</p></body></html>',
        encoding="utf-8",
    )
    (site / "css" / "site.css").write_text(
        '@import "more.css";\n'
        "@font-face { font-family: Kai; src: url(../fonts/kai.woff2) format('woff2'); }\n"
        "body { font-family: Kai; background: url('../img/bg.png') repeat; }\n"
        "p { border-image: url(https://elsewhere.test/remote.png) 30; }\n",
        encoding="utf-8",
    )
    (site / "css" / "more.css").write_text(
        ".x { background-image: url(/img/x.png); color: teal; }\n", encoding="utf-8"
    )
    (site / "fonts" / "kai.woff2").write_bytes(b"wOF2" + b"\x00" * 400)
    (site / "img" / "bg.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"background" * 30)
    (site / "img" / "x.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"x-image" * 30)
    write_post(project, "https://styled.test/page")
    out, _ = archive_on(root, project)
    assert "1 URLs: 1 archived" in out
    folder, _ = snapshot_of(project, "https://styled.test/page")
    [warc] = folder.glob("linkcheck-*.warc.gz")
    fetched = {uri for kind, uri, _, _, _ in _records(warc) if kind == "response"}
    assert {
        "https://styled.test/page",
        "https://styled.test/css/site.css",
        "https://styled.test/css/more.css",
        "https://styled.test/fonts/kai.woff2",
        "https://styled.test/img/bg.png",
        "https://styled.test/img/x.png",
    } <= fetched
    page = (folder / "page.html").read_text(encoding="utf-8")
    style = LexborHTMLParser(page).css_first("style")
    assert style is not None
    css = style.text()
    urls = re.findall(r"url\('([^']*)'\)", css)
    assert len(urls) == 3  # the font and the two backgrounds
    for url in urls:
        assert url.startswith("assets/")
        assert (folder / url).is_file()
    assert sorted(Path(url).suffix for url in urls) == [".png", ".png", ".woff2"]
    assert "color: teal" in css  # the imported sheet, before the importing one
    assert css.index("teal") < css.index("font-family: Kai")
    assert "elsewhere.test" not in css
    assert "@import" not in css


def test_a_browser_capture_draws_the_page(simweb: SimulatedWeb, project: Path) -> None:
    """issue 28, item 2 (its drawing part): with --browser the snapshot also holds the page
    as Chromium drew it, a full-page PNG and a PDF, and the archive's index links both."""
    write_post(project, "https://mp.weixin.qq.com/s/with-images")
    archive(simweb, "post.md", "--browser")
    folder, _ = snapshot_of(project, "https://mp.weixin.qq.com/s/with-images")
    screenshot = (folder / "screenshot.png").read_bytes()
    assert screenshot.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", screenshot[16:24])
    assert width > 100
    assert height > 100
    assert (folder / "page.pdf").read_bytes().startswith(b"%PDF-")
    latest = Archive(project / ".linkcheck" / "archive").latest(ARTICLE)
    assert latest is not None
    on_disk = sum(
        p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.name != "meta.json"
    )
    assert latest.bytes_total == on_disk  # the drawings counted in the snapshot's size
    index = (project / ".linkcheck" / "archive" / "index.html").read_text(encoding="utf-8")
    assert "screenshot.png" in index
    assert "page.pdf" in index


_XHR_TEXT = "\u6ce8\u610f\u529b\u673a\u5236 written by the XHR"


def _challenge_with_xhr(web: SimulatedWeb, path: str) -> tuple[str, bytes]:
    """A Zhihu page behind the simulated challenge whose text arrives by a POST fetch once
    the page runs: (its URL, the API's answer)."""
    from linkcheck.testing.simweb import Route

    page = (
        b'<html><head><title>Answer</title></head><body><script id="js-initialData">{}</script>'
        b'<p id="answer">loading</p><script>'
        b'fetch("/api/v4/answers/77", {method: "POST", body: "q=77"})'
        b".then(r => r.json())"
        b'.then(d => { document.getElementById("answer").textContent = d.text; });'
        b"</script></body></html>"
    )
    web.add_route(Route("zhuanlan.zhihu.com", path, behaviour="challenge", body=page))
    answer = json.dumps({"text": _XHR_TEXT}, ensure_ascii=False).encode()
    web.add_route(
        Route(
            "zhuanlan.zhihu.com",
            "/api/v4/answers/77",
            body=answer,
            headers=(("Content-Type", "application/json"),),
        )
    )
    return f"https://zhuanlan.zhihu.com{path}", answer


def test_a_browser_capture_of_a_challenge_page_keeps_what_its_scripts_fetched(
    simweb: SimulatedWeb, project: Path
) -> None:
    """issue 28, item 2: a page behind Zhihu's challenge, whose text arrives by XHR once the
    challenge is passed, is archived through the browser: the drawings, the XHR's request
    and response in the WARC with its body, and a readable copy made from the DOM the
    scripts wrote (the client alone gets the challenge and no snapshot)."""
    from linkcheck.testing.simweb import CHALLENGE_COOKIE

    url, answer = _challenge_with_xhr(simweb, "/p/behind-challenge-xhr")
    write_post(project, url)
    assert "1 refused" in archive(simweb, "post.md")  # the client alone: the challenge
    out = archive(simweb, "post.md", "--browser")
    assert "1 archived" in out, out
    folder, store = snapshot_of(project, url)
    assert (folder / "screenshot.png").read_bytes().startswith(b"\x89PNG")
    assert (folder / "page.pdf").read_bytes().startswith(b"%PDF-")
    [warc] = folder.glob("linkcheck-*.warc.gz")
    with warc.open("rb") as stream:  # each record read as the iterator reaches it
        xhr = {
            record.rec_type: (
                record.http_headers,
                record.content_stream().read(),
                record.rec_headers,
            )
            for record in ArchiveIterator(stream)
            if record.rec_headers.get_header("WARC-Target-URI")
            == "https://zhuanlan.zhihu.com/api/v4/answers/77"
        }
    response_headers, body, warc_headers = xhr["response"]
    assert body == answer
    assert response_headers.get_statuscode() == "200"
    assert response_headers.get_header("Content-Length") == str(len(answer))
    assert warc_headers.get_header("WARC-Resource-Type") == "Fetch"
    request_headers, posted, _ = xhr["request"]
    assert (request_headers.protocol, request_headers.statusline) == (
        "POST",
        "/api/v4/answers/77 HTTP/1.1",
    )
    assert posted == b"q=77"
    copy = (folder / "page.html").read_text(encoding="utf-8")
    assert _XHR_TEXT in copy
    assert "<script" not in copy.lower()
    latest = store.latest(url)
    assert latest is not None
    assert latest.http_status == 200  # the page the browser reached, not the challenge
    # The WARC holds the browser's exchanges for the page, not the client's challenge: a
    # replay at the capture's time shows the page (the challenge would reload forever).
    with warc.open("rb") as stream:
        page_statuses = [
            record.http_headers.get_statuscode()
            for record in ArchiveIterator(stream)
            if record.rec_type == "response"
            and record.rec_headers.get_header("WARC-Target-URI") == url
        ]
    assert page_statuses == ["200"]
    # The cookie the browser earned (its value: sim- and a number) is in no record.
    whole = gzip.decompress(warc.read_bytes()).decode("latin-1")
    assert not re.search(rf"{CHALLENGE_COOKIE}=sim-\d", whole)


def test_check_archive_browser_snapshots_the_challenge_page_it_verified(
    simweb: SimulatedWeb, project: Path
) -> None:
    """`check --archive --browser`: the page the browser's second opinion called alive is
    archived through the browser too (the client alone would get the challenge again)."""

    url, _ = _challenge_with_xhr(simweb, "/p/behind-challenge-check-archive")
    write_post(project, url)
    args = ["check", "post.md", "--format", "json", "--no-cache", "--browser", "--archive"]
    result = runner.invoke(app, [*args, *web_cli_args(simweb)])
    assert result.exit_code == 0, result.stderr
    [checked] = json.loads(result.stdout)["results"]
    assert checked["status"] == "alive"
    folder, _ = snapshot_of(project, url)
    assert (folder / "screenshot.png").is_file()
    assert _XHR_TEXT in (folder / "page.html").read_text(encoding="utf-8")


def test_a_page_whose_script_sends_the_browser_elsewhere_keeps_the_client_s_copy(
    simweb: SimulatedWeb, project: Path
) -> None:
    """The rendered DOM replaces the client's HTML only when it is the same page: one whose
    script sends the browser to a login wall is kept as the client read it (and drawn)."""
    from linkcheck.testing.simweb import Route

    html = (("Content-Type", "text/html; charset=utf-8"),)
    page = b"<html><body><p>the cited text</p><script>location.href = '/wall';</script></body>"
    simweb.add_route(Route("gzip.test", "/js-elsewhere", body=page, headers=html))
    simweb.add_route(Route("gzip.test", "/wall", body=b"<p>Please log in</p>", headers=html))
    url = "https://gzip.test/js-elsewhere"
    write_post(project, url)
    assert "1 archived" in archive(simweb, "post.md", "--browser")
    folder, store = snapshot_of(project, url)
    copy = (folder / "page.html").read_text(encoding="utf-8")
    assert "the cited text" in copy
    assert "Please log in" not in copy
    assert (folder / "screenshot.png").is_file()
    latest = store.latest(url)
    assert latest is not None
    assert latest.final_url == url
    assert any(r.target == "/wall" for r in simweb.requests)  # the browser did go there
