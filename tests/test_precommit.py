"""--changed-only against a real git repository, and the hook through real pre-commit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from linkcheck.changed import ALL_LINES, changed_lines

from .conftest import REPO

OLD_POST = "# 旧文章\n\n![old](/images/long-gone.png)\n\n第一段。\n\n第二段。\n"


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
        },
    )
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "here.png").write_bytes(b"png")
    (tmp_path / "old.md").write_text(OLD_POST, encoding="utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "an old post with an old dead image")
    return tmp_path


def test_changed_lines(repo: Path) -> None:
    (repo / "old.md").write_text(
        OLD_POST.replace("第二段。", "第二段，改过了。\n新的一行。"), encoding="utf-8"
    )
    (repo / "new.md").write_text("x\n", encoding="utf-8")
    (repo / "staged.md").write_text("y\n", encoding="utf-8")
    git(repo, "add", "staged.md")
    changed = changed_lines(["old.md", "new.md", "staged.md"], repo)
    assert changed[(repo / "old.md").resolve()] == {7, 8}
    assert changed[(repo / "new.md").resolve()] is ALL_LINES
    assert changed[(repo / "staged.md").resolve()] is ALL_LINES


def test_changed_lines_before_the_first_commit(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "a.md").write_text("x\n", encoding="utf-8")
    git(tmp_path, "add", "a.md")
    assert changed_lines(["a.md"], tmp_path)[(tmp_path / "a.md").resolve()] is ALL_LINES


def _head_of_this_project() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, "the tests run from a git checkout of linkcheck"
    return result.stdout.strip()


def test_the_pre_commit_hook(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Real pre-commit installs this project's hook (.pre-commit-hooks.yaml at HEAD)."""
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {REPO}\n  rev: {_head_of_this_project()}\n  hooks:\n  - id: linkcheck\n",
        encoding="utf-8",
    )
    home = tmp_path_factory.mktemp("pre-commit-home")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(home)}

    def pre_commit() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=900,
            env=environment,
            check=False,
        )

    # An unrelated edit to a post with an old dead link passes: only changed lines count.
    (repo / "old.md").write_text(
        OLD_POST.replace("第一段。", "第一段，改了一个字。"), encoding="utf-8"
    )
    git(repo, "add", "old.md", ".pre-commit-config.yaml")
    passed = pre_commit()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    git(repo, "commit", "-q", "--no-verify", "-m", "unrelated edit")
    # A new post with a dead link fails, naming the file and the line.
    (repo / "new.md").write_text(
        "# 新文章\n\n![ok](/images/here.png)\n\n![bad](/images/nope.png)\n", encoding="utf-8"
    )
    git(repo, "add", "new.md")
    failed = pre_commit()
    assert failed.returncode != 0
    assert "new.md" in failed.stdout
    assert "5:8" in failed.stdout  # the image URL on line 5
    assert "file-missing" in failed.stdout
    assert "long-gone" not in failed.stdout


def test_a_file_with_no_change_is_checked_whole(repo: Path) -> None:
    """`pre-commit run --all-files` passes committed files with no diff: once no link of
    theirs was checked, so a post with dead links passed (issue 26, item 7)."""
    (repo / "trimmed.md").write_text("a\n\nb\n", encoding="utf-8")
    git(repo, "add", "trimmed.md")
    git(repo, "commit", "-q", "-m", "another post")
    (repo / "trimmed.md").write_text("a\n", encoding="utf-8")  # only a deletion
    changed = changed_lines(["old.md", "trimmed.md"], repo)
    assert changed[(repo / "old.md").resolve()] is ALL_LINES
    assert changed[(repo / "trimmed.md").resolve()] == set()  # changed, nothing added
    linkcheck = Path(sys.executable).with_name("linkcheck")
    found = subprocess.run(
        [str(linkcheck), "check", "--changed-only", "--no-progress", "old.md"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert found.returncode == 1, found.stderr
    assert "long-gone" in found.stdout


def test_offline_the_hook_warns_and_still_judges_local_links(repo: Path) -> None:
    """A laptop on a train (no network: a namespace of its own) may commit; a dead local
    image on a changed line still fails; without --changed-only (CI) offline is exit 3."""
    from .test_real_conditions import _can_unshare, unshared

    if not _can_unshare():
        pytest.skip("this machine cannot make a network namespace (unshare -n)")
    linkcheck = str(Path(sys.executable).with_name("linkcheck"))
    (repo / "new.md").write_text("[a](https://example.org/x)\n", encoding="utf-8")
    hook = [linkcheck, "check", "--changed-only", "--no-progress", "new.md"]
    warned = unshared(["-n", *hook], repo)
    assert warned.returncode == 0, warned.stderr
    assert "--changed-only: a warning, not a failure" in warned.stderr
    ci = unshared(["-n", linkcheck, "check", "--no-progress", "new.md"], repo)
    assert ci.returncode == 3, ci.stderr
    (repo / "new.md").write_text(
        "[a](https://example.org/x) ![b](/images/nope.png)\n", encoding="utf-8"
    )
    failed = unshared(["-n", *hook], repo)
    assert failed.returncode == 1, failed.stderr
    assert "file-missing" in failed.stdout
