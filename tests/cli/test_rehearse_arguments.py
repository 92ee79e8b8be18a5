"""`rehearse`'s arguments: a bad --fail-at, or the whole machine's options given to one lane,
are refused in one line with exit 2, before anything is copied or started."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import cli, git_tag


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("rehearse", "--fail-at", "nope"), "no stage 'nope'"),
        (("rehearse", "--fail-at", "validate_rc:3.99"), "not one of the project's Pythons"),
        (("rehearse", "--fail-at", "upload_pypi:3.12"), "runs once, not per Python"),
        (("rehearse", "rc", "--post-fix"), "belong to the whole machine"),
        (("rehearse", "final", "--fail-at", "build"), "belong to the whole machine"),
        (("rehearse", "--no-publisher", "pypi"), "--no-publisher belong to --workflow"),
        (("rehearse", "rc", "--token-lifetime", "60"), "--no-publisher belong to --workflow"),
        (("rehearse", "--workflow", "--event", "publish"), "'publish' is not KIND[:TAG]"),
        (("rehearse", "--workflow", "--event", "push:"), "'push:' is not KIND[:TAG]"),
        (
            ("rehearse", "--workflow", "--event", "push:v1.4.0-rc1"),
            "'v1.4.0-rc1': tag 'v1.4.0-rc1' is not spelt canonically",
        ),
    ],
)
def test_a_bad_rehearsal_request_is_refused_before_anything_runs(
    capsys: pytest.CaptureFixture[str], project: Callable[[str], Path], argv: tuple[str, ...],
    says: str,
) -> None:  # fmt: skip
    root = project("final-agrees")
    code, _, err = cli(capsys, *argv, "--project", str(root))
    assert code == 2
    assert says in err
    assert not (root / ".staged-release").exists()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--event", "push"), "HEAD has none"),
        (("--input", "publish_target=pypi"), "--input is an input of a workflow_dispatch event"),
        (("--event", "push", "--input", "a=b"), "--input is an input of a workflow_dispatch"),
        (("--tag", "v1.0.0"), "--tag names the tag of the events --event sends"),
    ],
)
def test_a_bad_workflow_rehearsal_request_is_refused_before_anything_starts(
    capsys: pytest.CaptureFixture[str], project: Callable[[str], Path], argv: tuple[str, ...],
    says: str,
) -> None:  # fmt: skip
    root = project("final-agrees")
    assert cli(capsys, "workflow", "--project", str(root))[0] == 0
    git_tag(root)  # a repository whose HEAD has no tag
    code, _, err = cli(capsys, "rehearse", "--workflow", *argv, "--project", str(root))
    assert code == 2
    assert says in err
    assert not (root / ".staged-release").exists()


def test_a_workflow_rehearsal_of_a_project_without_uv_lock_is_refused_before_anything_starts(
    capsys: pytest.CaptureFixture[str], project: Callable[[str], Path]
) -> None:
    """Every job's version check reads uv.lock: without one, nothing is built or started."""
    root = project("no-lock")
    assert cli(capsys, "workflow", "--project", str(root))[0] == 0
    git_tag(root)
    code, _, err = cli(capsys, "rehearse", "--workflow", "--project", str(root))
    assert code == 2
    assert err.startswith(f"error: {root / 'uv.lock'} does not exist")
    assert not (root / ".staged-release").exists()


def test_a_workflow_rehearsal_of_a_version_the_lanes_refuse_is_refused_before_anything_starts(
    capsys: pytest.CaptureFixture[str], project: Callable[[str], Path]
) -> None:
    """The default events tag the project's version: "1.4" (packaging's form) is none."""
    root = project("final-agrees")
    for name in ("pyproject.toml", "uv.lock"):
        path = root / name
        path.write_text(path.read_text().replace('version = "1.4.0"', 'version = "1.4"', 1))
    assert cli(capsys, "workflow", "--project", str(root))[0] == 0
    git_tag(root)
    code, _, err = cli(capsys, "rehearse", "--workflow", "--project", str(root))
    assert code == 2
    assert err.startswith("error: pyproject.toml [project].version (1.4) is not of the form X.Y.Z")
    assert not (root / ".staged-release").exists()
