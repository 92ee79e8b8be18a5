"""check, plan, bump and validate on a project whose version is its git tag (hatch-vcs style:
`dynamic = ["version"]`, and a uv.lock entry with no version). Nothing here reads an index."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.test_next_and_bump import OFFLINE_NOTE, indexes_unreachable  # noqa: F401
from tests.conftest import cli, git_tag

Project = Callable[[str], Path]


def git(root: Path, *args: str) -> str:
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    done = subprocess.run(
        ["git", *ident, "-C", str(root), *args], check=True, capture_output=True, text=True
    )
    return done.stdout


def tagged(project: Project, *tags: str, later_commit: bool = False) -> Path:
    """The fixture as a repository whose first commit carries `tags`; with `later_commit`,
    HEAD is one commit past them."""
    root = project("dynamic-tagged")
    git_tag(root, *tags)
    if later_commit:
        (root / "src" / "tagged_app" / "fix.py").write_text("FIXED = True\n")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "a fix")
    return root


def unchanged(root: Path) -> dict[str, str]:
    return {name: (root / name).read_text() for name in ("pyproject.toml", "uv.lock")}


# --- check ------------------------------------------------------------------------------------


def test_check_takes_the_version_from_the_tag_at_head(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tagged(project, "v1.4.0rc1", "docs-2024")
    assert cli(capsys, "check", "--project", str(root)) == (
        0,
        "ok: tagged-app 1.4.0rc1: uv.lock, tag v1.4.0rc1 (the dynamic version) agree\n",
        "",
    )


def test_check_takes_an_explicit_tag_without_any_repository(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project("dynamic-tagged"))
    args = ["--tag", "v2.0.0", "--expected-version", "2.0.0"]
    code, out, _ = cli(capsys, "check", "--project", root, *args)
    assert (code, out.split(":")[1]) == (0, " tagged-app 2.0.0")


def test_check_takes_the_ci_tag(
    project: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REF", "refs/tags/v1.4.0.post1")
    code, out, _ = cli(capsys, "check", "--project", str(project("dynamic-tagged")))
    assert (code, out.split(":")[1]) == (0, " tagged-app 1.4.0.post1")


def test_check_without_any_tag_is_exit_2_with_the_tagging_hint(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tagged(project)  # a repository, but no tag anywhere
    assert cli(capsys, "check", "--project", str(root)) == (
        2,
        "",
        (
            "error: tagged-app's version is dynamic (the git tag's), and no tag was given, none "
            "from CI and none at HEAD: tag it (`git tag vX.Y.ZrcN`), or pass --tag (to rehearse "
            "before tagging, say)\n"
            "hint: tag HEAD with the release version (`git tag vX.Y.ZrcN`), or pass --tag\n"
        ),
    )


def test_the_tag_rules_hold_for_a_dynamic_version(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project("dynamic-tagged"))
    code, _, err = cli(capsys, "check", "--project", root, "--tag", "v1.4.0-rc1")
    assert code == 2
    assert "hint: name the tag v1.4.0rc1" in err


def test_a_version_uv_locked_for_a_dynamic_project_is_not_compared(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    # Older uv wrote the version the backend computed at lock time; it names no release.
    root = str(project("dynamic-version"))  # its uv.lock says 1.4.0
    assert cli(capsys, "check", "--project", root, "--tag", "v1.5.0rc1")[0] == 0


# --- plan -------------------------------------------------------------------------------------


def test_a_local_plan_follows_the_tag_at_head(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "plan", "--project", str(tagged(project, "v1.4.0rc1")))
    assert code == 0
    assert out.splitlines()[:2] == [
        "tagged-app 1.4.0rc1 (rc) -> testpypi lane",
        "tag:     v1.4.0rc1",
    ]


def test_a_local_plan_without_a_tag_says_to_tag(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(tagged(project))
    code, out, err = cli(capsys, "plan", "--project", root)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "error: tagged-app's version is dynamic (the git tag's), and HEAD carries no version tag",
        "hint: tag HEAD (`git tag vX.Y.ZrcN`) or pass --ref",
    ]
    code, out, _ = cli(capsys, "plan", "--project", root, "--ref", "v1.4.0")
    assert (code, out.splitlines()[0]) == (0, "tagged-app 1.4.0 (final) -> pypi lane")


# --- bump -------------------------------------------------------------------------------------


def test_bump_writes_nothing_and_prints_the_tag_to_create(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tagged(project, "v1.4.0rc1", later_commit=True)
    before = unchanged(root)
    assert cli(capsys, "bump", "rc", "--offline", "--project", str(root)) == (
        0,
        "tagged-app 1.4.0rc2: the version is the git tag, nothing written; git tag v1.4.0rc2\n",
        OFFLINE_NOTE,
    )
    assert unchanged(root) == before
    assert git(root, "tag", "--list").split() == ["v1.4.0rc1"]
    assert git(root, "status", "--porcelain") == ""  # no `uv lock` either


def test_bump_tag_creates_the_tag_at_head_and_check_then_finds_it(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tagged(project, "v1.4.0rc1", later_commit=True)
    code, out, _ = cli(capsys, "bump", "rc", "--tag", "--offline", "--project", str(root))
    assert (code, out) == (
        0,
        "tagged HEAD v1.4.0rc2 (tagged-app 1.4.0rc2); push the tag to start its lane\n",
    )
    assert git(root, "tag", "--points-at", "HEAD").split() == ["v1.4.0rc2"]
    assert cli(capsys, "check", "--project", str(root))[:2] == (
        0,
        "ok: tagged-app 1.4.0rc2: uv.lock, tag v1.4.0rc2 (the dynamic version) agree\n",
    )


def test_bump_tag_refuses_a_second_version_tag_at_head(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tagged(project, "v1.4.0rc1")
    code, out, err = cli(capsys, "bump", "rc", "--tag", "--offline", "--project", str(root))
    assert (code, out) == (2, "")
    assert "error: HEAD already carries v1.4.0rc1; v1.4.0rc2 would be a second version tag" in err
    assert git(root, "tag", "--list").split() == ["v1.4.0rc1"]


def test_the_current_version_is_the_head_tag_else_the_highest_tag(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tagged(project, "v1.3.0", "v1.4.0rc3", later_commit=True)
    args = ["--offline", "--project", str(root)]
    assert "git tag v1.4.0rc4" in cli(capsys, "bump", "rc", *args)[1]
    assert "git tag v1.4.0\n" in cli(capsys, "bump", "final", *args)[1]
    git(root, "tag", "v1.3.0.post1")  # at HEAD: now the current version
    assert "git tag v1.3.0.post2" in cli(capsys, "bump", "post", *args)[1]


def test_bump_without_any_version_tag_asks_for_a_base(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(tagged(project, "latest"))
    code, _, err = cli(capsys, "bump", "rc", "--offline", "--project", root)
    assert code == 2
    assert err.splitlines()[-2:] == [
        "error: tagged-app's version is dynamic (the git tag's), and no version tag exists yet",
        "hint: pass --base X.Y.Z: the release the next version belongs to",
    ]
    out = cli(capsys, "bump", "rc", "--base", "2.0.0", "--offline", "--project", root)[1]
    assert out.endswith("git tag v2.0.0rc1\n")


def test_bump_tag_is_refused_for_a_static_version(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("rc-agrees")
    before = unchanged(root)
    code, out, err = cli(capsys, "bump", "rc", "--tag", "--offline", "--project", str(root))
    assert (code, out) == (2, "")
    assert "hint: bump without --tag, commit pyproject.toml and uv.lock, then tag" in err
    assert unchanged(root) == before


# --- validate ---------------------------------------------------------------------------------


def test_validate_without_a_build_cannot_know_a_dynamic_version(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project("dynamic-tagged")
    code, out, err = cli(capsys, "validate", "--python", "3.12", "--project", str(root))
    assert (code, out) == (2, "")
    assert "error: tagged-app's version is dynamic, and without " in err
    assert "hint: run it where the build stage left dist/ (or pass --dist)" in err
