"""`next` and `bump` on fixture projects with real git tags and a real `uv lock`.

The tag logic is tested `--offline`. Nothing here may reach PyPI or TestPyPI: every request is
sent to a proxy that is not there, so a test that forgot `--offline` fails instead.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from release.cli import main
from tests.conftest import cli, git_tag

Project = Callable[[str], Path]
OFFLINE_NOTE = (
    "note: --offline: only git tags (and --consumed) were counted; the indexes were not read\n"
)


@pytest.fixture(autouse=True)
def indexes_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"  # nothing listens once it is closed
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, closed)
        monkeypatch.setenv(name.lower(), closed)
    for name in ("NO_PROXY", "no_proxy", "STAGED_RELEASE_INDEXES"):
        monkeypatch.delenv(name, raising=False)


def test_next_rc_skips_past_gaps_in_tags(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    git_tag(root, "v1.4.0rc6", "v1.4.0rc8", "v1.3.0rc20")
    assert cli(capsys, "next", "rc", "--offline", "--project", str(root)) == (
        0,
        "1.4.0rc9\n",
        OFFLINE_NOTE,
    )


def test_next_counts_consumed_versions_from_indexes(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project("rc-agrees"))
    args = ["--offline", "--consumed", "1.4.0rc4", "--consumed", "1.4.0rc2"]
    assert cli(capsys, "next", "rc", "--project", root, *args)[:2] == (0, "1.4.0rc5\n")


def test_next_post_and_base(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    root = project("post-agrees")
    git_tag(root, "v1.4.0", "v1.4.0.post1", "v1.4.0.post2")
    args = ["--offline", "--project", str(root)]
    assert cli(capsys, "next", "post", *args)[:2] == (0, "1.4.0.post3\n")
    assert cli(capsys, "next", "rc", *args, "--base", "1.5.0")[:2] == (0, "1.5.0rc1\n")


def test_next_final_refused_when_consumed(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("final-agrees")
    git_tag(root, "v1.4.0")
    code, _, err = cli(capsys, "next", "final", "--offline", "--project", str(root))
    assert code == 2
    assert "1.4.0 is already consumed" in err
    assert "1.4.0.post1" in err


def test_a_post_tag_proves_the_final_out_when_its_own_tag_is_missing(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("final-agrees")
    git_tag(root, "v1.4.0rc1", "v1.4.0.post1")
    for argv in (["next", "final"], ["next", "rc"], ["bump", "1.4.0"], ["bump", "final"]):
        code, out, err = cli(capsys, *argv, "--offline", "--project", str(root))
        assert (code, out) == (2, ""), argv
        assert "hint: use 1.4.0.post2 (`staged-release bump post`)" in err, argv
    assert cli(capsys, "next", "post", "--offline", "--project", str(root))[:2] == (
        0,
        "1.4.0.post2\n",
    )


def test_an_unreachable_index_is_an_error_never_a_fallback_to_tags(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    git_tag(root, "v1.4.0rc1")
    files = {p: p.read_text() for p in (root / "pyproject.toml", root / "uv.lock")}
    for command in ("next", "bump"):
        code, out, err = cli(capsys, command, "rc", "--project", str(root))
        assert (code, out) == (1, ""), command
        assert "error: cannot reach" in err, command
        assert "; or pass --offline to count only git tags (and --consumed)" in err, command
    assert {p: p.read_text() for p in files} == files


def test_offline_and_indexes_exclude_each_other(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project("rc-agrees"))
    code, out, err = cli(capsys, "next", "rc", "--offline", "--indexes", "local", "--project", root)
    assert (code, out) == (2, "")
    assert "not allowed with argument --offline" in err


def test_bump_rc_writes_pyproject_keeps_comments_and_locks(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    git_tag(root, "v1.4.0rc1")
    before = (root / "pyproject.toml").read_text()
    code, out, _ = cli(capsys, "bump", "rc", "--offline", "--project", str(root))
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
    code, _, err = cli(capsys, "bump", "1.4.0rc2", "--offline", "--project", str(root))
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
    code, _, err = cli(capsys, "bump", "final", "--offline", "--project", str(root))
    assert code == 1
    assert "error: `" in err
    assert "lock` exited with" in err
    assert pyproject.read_text() == broken
