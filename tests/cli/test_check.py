"""`staged-release check` on fixture projects: agreement, and every way it can disagree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import cli, git_tag

Project = Callable[[str], Path]


def test_agreeing_project_without_tag(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "check", "--project", str(project("rc-agrees")))
    assert code == 0
    assert "ok: proxbox_api 1.4.0rc1: pyproject.toml, uv.lock agree" in out
    assert "no tag was checked" in out


def test_explicit_tag_and_expected_version(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project("post-agrees"))
    args = ["--tag", "v1.4.0.post2", "--expected-version", "1.4.0.post2"]
    code, out, _ = cli(capsys, "check", "--project", root, *args)
    assert code == 0
    assert "tag v1.4.0.post2, expected 1.4.0.post2 agree" in out


def test_a_lock_resolved_before_the_tag_is_a_warning_naming_what_to_relock(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project("self-pinned"))
    code, out, _ = cli(capsys, "check", "--project", root, "--tag", "v1.4.0")
    assert code == 0  # the versions agree: the pins are a warning, not a refusal
    assert out.splitlines()[1] == (
        "warning: uv.lock pins proxbox-plugin 0.3.0 (which asks for proxbox-api<1), which does "
        "not fit proxbox-api 1.4.0 (it was resolved for a 0.0 or .dev version of proxbox-api); "
        "relock at the tag with `uv lock --refresh-package proxbox-api --upgrade-package "
        "proxbox-plugin` and commit uv.lock"
    )
    code, out, _ = cli(capsys, "check", "--project", root, "--tag", "v0.9.0")
    assert "warning" not in out


FAILURES = [
    ("lock-behind", [], "uv.lock 1.3.9", "uv.lock still says 1.3.9 — run `uv lock`"),
    ("dynamic-version", [], "version is dynamic (the git tag's)", "`git tag vX.Y.ZrcN`"),
    ("no-lock-entry", [], "uv.lock has no entry for proxbox-api", "run `uv lock`"),
    ("no-lock", [], "uv.lock does not exist", "run `uv lock` and commit uv.lock"),
    ("noncanonical", [], "'1.4.0-rc1'", "write 1.4.0rc1 instead"),
    ("final-agrees", ["--tag", "v1.4.0-post1"], "not spelt canonically", "v1.4.0.post1"),
    ("final-agrees", ["--tag", "v1.4.1"], "tag v1.4.1", "tag v1.4.0 instead"),
    ("final-agrees", ["--expected-version", "1.4.1"], "expected 1.4.1", "expected 1.4.1 but"),
    ("final-agrees", ["--tag", "v1.4.0.dev1"], "a dev release", "X.Y.ZrcN"),
]


@pytest.mark.parametrize(("scenario", "args", "error", "hint"), FAILURES)
def test_disagreement_is_exit_2_with_error_and_hint(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    scenario: str,
    args: list[str],
    error: str,
    hint: str,
) -> None:
    code, out, err = cli(capsys, "check", "--project", str(project(scenario)), *args)
    lines = err.splitlines()
    assert (code, out) == (2, "")
    assert lines[0].startswith("error: ")
    assert error in lines[0]
    assert lines[1].startswith("hint: ")
    assert hint in lines[1]


def test_tag_at_head_is_checked(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    root = project("rc-agrees")
    git_tag(root, "v1.4.0rc2", "some-other-tag")
    code, _, err = cli(capsys, "check", "--project", str(root))
    assert code == 2
    assert "tag v1.4.0rc2" in err


def test_ci_tag_wins_over_head(
    project: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project("rc-agrees")
    git_tag(root, "v1.4.0rc2")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REF", "refs/tags/v1.4.0rc1")
    code, out, _ = cli(capsys, "check", "--project", str(root))
    assert code == 0
    assert "tag v1.4.0rc1" in out


def test_missing_project_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "check", "--project", str(tmp_path / "nowhere"))
    assert code == 2
    assert "pyproject.toml does not exist" in err
