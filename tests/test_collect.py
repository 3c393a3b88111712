"""Inputs: files, directories, globs, stdin; skips, .gitignore, and unreadable files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from linkcheck.collect import collect
from linkcheck.errors import InputError


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def names(root: Path, inputs: list[str], **kwargs: object) -> list[str]:
    collected = collect(inputs, **kwargs)  # type: ignore[arg-type]
    return sorted(
        Path(s.path).resolve().relative_to(root.resolve()).as_posix() for s in collected.sources
    )


def test_directories_are_walked_for_blog_suffixes_only(tmp_path: Path) -> None:
    for name in ("a.md", "b.markdown", "c.mdx", "d.html", "e.htm", "sub/f.MD", "g.txt", "h.png"):
        write(tmp_path / name, "x")
    assert names(tmp_path, [str(tmp_path)]) == [
        "a.md",
        "b.markdown",
        "c.mdx",
        "d.html",
        "e.htm",
        "sub/f.MD",
    ]
    assert names(tmp_path, [str(tmp_path)], suffixes=["txt"]) == ["g.txt"]


def test_vcs_dependency_and_site_folders_are_skipped(tmp_path: Path) -> None:
    for folder in (".git", "node_modules/pkg", "_site", ".linkcheck", "posts"):
        write(tmp_path / folder / "x.md", "x")
    assert names(tmp_path, [str(tmp_path)]) == ["posts/x.md"]


def test_gitignore_rules_apply_with_nesting_and_negation(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".gitignore", "drafts/\n*.tmp.md\n")
    write(tmp_path / "posts" / ".gitignore", "private-*.md\n!private-ok.md\n")
    for name in (
        "drafts/a.md",
        "posts/b.tmp.md",
        "posts/private-x.md",
        "posts/private-ok.md",
        "posts/c.md",
    ):
        write(tmp_path / name, "x")
    assert names(tmp_path, [str(tmp_path)]) == ["posts/c.md", "posts/private-ok.md"]
    # Walking a subfolder still honours the repository's root .gitignore.
    assert names(tmp_path, [str(tmp_path / "posts")]) == ["posts/c.md", "posts/private-ok.md"]


def test_named_files_are_read_whatever_their_suffix(tmp_path: Path) -> None:
    write(tmp_path / "notes.txt", "x")
    assert names(tmp_path, [str(tmp_path / "notes.txt")]) == ["notes.txt"]


def test_quoted_globs_are_expanded(tmp_path: Path) -> None:
    for name in ("2018/a.md", "2019/b.md", "2019/c.png"):
        write(tmp_path / name, "x")
    assert names(tmp_path, [str(tmp_path / "**" / "*")]) == ["2018/a.md", "2019/b.md"]
    with pytest.raises(InputError, match="no file matches"):
        collect([str(tmp_path / "*.nothing")])


def test_a_missing_path_is_an_input_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.md: no such file or directory"):
        collect([str(tmp_path / "missing.md")])


def test_an_undecodable_file_in_a_directory_is_a_warning_and_the_rest_goes_on(
    tmp_path: Path,
) -> None:
    write(tmp_path / "good.md", "https://a.org")
    write(tmp_path / "bad.md", "caf\xe9 cr\xe8me".encode("latin-1"))
    collected = collect([str(tmp_path)])
    assert [Path(s.path).name for s in collected.sources] == ["good.md"]
    assert len(collected.warnings) == 1
    assert "bad.md" in collected.warnings[0]
    assert "not UTF-8" in collected.warnings[0]


def test_an_undecodable_named_file_is_an_input_error(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.md", b"\x00\x01binary")
    with pytest.raises(InputError, match=r"bad\.md: binary file"):
        collect([str(bad)])


def test_an_unreadable_file_in_a_directory_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "good.md", "x")
    # A dangling symlink cannot be read, even by root (CI runs as root, so no chmod trick).
    (tmp_path / "gone.md").symlink_to(tmp_path / "deleted-target.md")
    collected = collect([str(tmp_path)])
    assert [Path(s.path).name for s in collected.sources] == ["good.md"]
    assert len(collected.warnings) == 1
    assert "gone.md: cannot read" in collected.warnings[0]


def test_stdin(tmp_path: Path) -> None:
    text = "参见https://a.org。"
    collected = collect(["-"], stdin=io.BytesIO(text.encode("gb18030")))
    [source] = collected.sources
    assert (source.path, source.text, source.encoding) == ("-", text, "gb18030")


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    post = write(tmp_path / "a.md", "x")
    assert names(tmp_path, [str(post), str(tmp_path), str(post)]) == ["a.md"]


def test_a_symlink_loop_inside_a_directory_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "posts" / "a.md", "[a](https://example.com/)\n")
    (tmp_path / "posts" / "loop.md").symlink_to("loop.md")
    (tmp_path / "posts" / "up").symlink_to(tmp_path / "posts")
    collected = collect([str(tmp_path / "posts")])
    assert [Path(s.path).name for s in collected.sources] == ["a.md"]
    assert any("loop.md" in w and "loop of symbolic links" in w for w in collected.warnings)


def test_a_named_symlink_loop_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "loop.md").symlink_to("loop.md")
    with pytest.raises(InputError, match="symbolic link"):
        collect([str(tmp_path / "loop.md")])


def test_a_directory_without_sources_says_so(tmp_path: Path) -> None:
    write(tmp_path / "notes" / "todo.txt", "https://example.com/\n")
    collected = collect([str(tmp_path / "notes")])
    assert collected.sources == []
    assert any("no source files" in w and ".md" in w for w in collected.warnings)


def test_nothing_readable_is_an_input_error(tmp_path: Path) -> None:
    write(tmp_path / "posts" / "latin1.md", "caf\xe9 cr\xe8me br\xfbl\xe9e".encode("latin-1"))
    write(tmp_path / "posts" / "binary.md", b"\x00\x01\x02\x03" * 50)
    with pytest.raises(InputError, match="none of the 2 source files found could be read"):
        collect([str(tmp_path / "posts")])


def test_one_readable_file_among_unreadable_ones_is_enough(tmp_path: Path) -> None:
    write(tmp_path / "posts" / "latin1.md", "caf\xe9 cr\xe8me br\xfbl\xe9e".encode("latin-1"))
    write(tmp_path / "posts" / "ok.md", "fine\n")
    collected = collect([str(tmp_path / "posts")])
    assert [Path(s.path).name for s in collected.sources] == ["ok.md"]
    assert len(collected.warnings) == 1


def test_a_named_folder_is_read_even_when_a_rule_above_ignores_it(tmp_path: Path) -> None:
    """Before, `linkcheck posts` under an ignored path found 0 links and said nothing."""
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".gitignore", "blog/\n*.draft.md\n")
    write(tmp_path / "blog" / "posts" / "a.md", "x")
    write(tmp_path / "blog" / "posts" / "b.draft.md", "x")
    write(tmp_path / "blog" / "posts" / "sub" / "c.md", "x")
    found = names(tmp_path, [str(tmp_path / "blog" / "posts")])
    # The rule that ignores the folder itself does not apply; *.draft.md still does.
    assert found == ["blog/posts/a.md", "blog/posts/sub/c.md"]
    assert names(tmp_path, [str(tmp_path)]) == []  # walking from above, blog/ stays ignored


def test_no_ignore_reads_what_gitignore_skips(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".gitignore", "drafts/\n")
    write(tmp_path / "posts" / "a.md", "x")
    write(tmp_path / "posts" / "drafts" / "b.md", "x")
    assert names(tmp_path, [str(tmp_path / "posts")]) == ["posts/a.md"]
    assert names(tmp_path, [str(tmp_path / "posts")], gitignore=False) == [
        "posts/a.md",
        "posts/drafts/b.md",
    ]
