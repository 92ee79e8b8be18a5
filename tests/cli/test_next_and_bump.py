"""`next` and `bump` on fixture projects with real git tags and a real `uv lock`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from release.cli import main
from tests.conftest import cli, git_tag

Project = Callable[[str], Path]


def test_next_rc_skips_past_gaps_in_tags(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    git_tag(root, "v1.4.0rc6", "v1.4.0rc8", "v1.3.0rc20")
    assert cli(capsys, "next", "rc", "--project", str(root))[:2] == (0, "1.4.0rc9\n")


def test_next_counts_consumed_versions_from_indexes(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project("rc-agrees"))
    args = ["--consumed", "1.4.0rc4", "--consumed", "1.4.0rc2"]
    assert cli(capsys, "next", "rc", "--project", root, *args)[:2] == (0, "1.4.0rc5\n")


def test_next_post_and_base(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    root = project("post-agrees")
    git_tag(root, "v1.4.0", "v1.4.0.post1", "v1.4.0.post2")
    assert cli(capsys, "next", "post", "--project", str(root))[:2] == (0, "1.4.0.post3\n")
    assert cli(capsys, "next", "rc", "--project", str(root), "--base", "1.5.0")[:2] == (
        0,
        "1.5.0rc1\n",
    )


def test_next_final_refused_when_consumed(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("final-agrees")
    git_tag(root, "v1.4.0")
    code, _, err = cli(capsys, "next", "final", "--project", str(root))
    assert code == 2
    assert "1.4.0 is already consumed" in err
    assert "1.4.0.post1" in err


def test_bump_rc_writes_pyproject_keeps_comments_and_locks(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    git_tag(root, "v1.4.0rc1")
    before = (root / "pyproject.toml").read_text()
    code, out, _ = cli(capsys, "bump", "rc", "--project", str(root))
    assert (code, out) == (0, "bumped proxbox_api 1.4.0rc1 -> 1.4.0rc2 (pyproject.toml, uv.lock)\n")
    after = (root / "pyproject.toml").read_text()
    assert after == before.replace('version = "1.4.0rc1"', 'version = "1.4.0rc2"')
    assert 'version = "1.4.0rc2"' in (root / "uv.lock").read_text()
    assert main(["check", "--project", str(root), "--tag", "v1.4.0rc2"]) == 0


def test_bump_to_a_consumed_version_changes_nothing(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    git_tag(root, "v1.4.0rc1", "v1.4.0rc2")
    files = {p: p.read_text() for p in (root / "pyproject.toml", root / "uv.lock")}
    code, _, err = cli(capsys, "bump", "1.4.0rc2", "--project", str(root))
    assert code == 2
    assert "hint: use 1.4.0rc3 (`staged-release bump rc`)" in err
    assert {p: p.read_text() for p in files} == files


def test_bump_rejects_a_non_canonical_version(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "bump", "1.4.0-rc3", "--project", str(project("rc-agrees")))
    assert code == 2
    assert "write 1.4.0rc3 instead" in err


def test_failed_lock_puts_pyproject_back(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    pyproject = root / "pyproject.toml"
    # A dependency uv cannot resolve offline makes `uv lock` fail after the version was written.
    broken = pyproject.read_text().replace(
        "dependencies = []", 'dependencies = ["no-such-pkg-zz9"]'
    )
    pyproject.write_text(broken)
    code, _, err = cli(capsys, "bump", "final", "--project", str(root))
    assert code == 1
    assert "error: `" in err
    assert "lock` exited with" in err
    assert pyproject.read_text() == broken
