"""A job's summary on GitHub Actions: the stage's outcome and the local command reproducing it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from release.pipeline.outcomes import Outcome, Status
from release.pipeline.stages import chosen
from release.reporting.summary import markdown, reproduce
from tests.conftest import cli

Project = Callable[[str], Path]
CI = {"GITHUB_RUN_ID": "42", "GITHUB_REPOSITORY": "acme/app"}


def _name(command: str, options: Mapping[str, str | None]) -> str | None:
    stage = chosen(command, options)
    return None if stage is None else stage.name


def test_a_command_runs_the_stage_its_options_name() -> None:
    cell = {"index": "testpypi", "stage": "validate_rc", "python": "3.12"}
    assert _name("validate", cell) == "validate_rc"
    assert _name("upload", {"index": "pypi"}) == "upload_pypi"
    assert _name("e2e", {"stage": "e2e_postpublish"}) == "e2e_postpublish"
    assert _name("validate", {"index": "pypi", "stage": None}) == "validate_final"
    assert _name("validate", {"index": None, "stage": None}) == "validate_rc"  # the first
    assert _name("upload", {"index": "corp"}) is None  # a configured index: no stage of the table
    assert _name("rehearse", {"lane": "rc"}) is None


def test_a_cell_is_reproduced_from_the_runs_dist_artifact() -> None:
    outcome = Outcome("validate_rc", "3.12", Status.FAILED, 3.0, "pytest failed")
    env = {**CI, "STAGED_RELEASE_DEPENDENCY_INDEX": "https://me:s3cret@mirror.example/simple/"}
    assert reproduce(outcome, env) == [
        "gh run download 42 --repo acme/app --name dist --dir dist",
        (
            "STAGED_RELEASE_DEPENDENCY_INDEX='https://***@mirror.example/simple/' "
            "nox -s validate_rc-3.12"
        ),
    ]


def test_the_workflow_rehearsals_stand_in_settings_are_no_part_of_the_command() -> None:
    outcome = Outcome("plan", "-", Status.PASSED, 0.2, "")
    env = {**CI, "STAGED_RELEASE_ACT_REPOSITORY": "/tmp/repo", "STAGED_RELEASE_INDEXES": "local"}
    assert reproduce(outcome, env) == ["STAGED_RELEASE_INDEXES=local nox -s plan"]


def test_the_build_needs_no_artifact_and_the_table_escapes_its_cells() -> None:
    outcome = Outcome("build", "-", Status.FAILED, 1.0, "a | b", hint="tag v1.0.0rc2")
    text = markdown(outcome, CI)
    assert "| build | ❌ failed | 1.0 s | a \\| b |" in text
    assert "Hint: tag v1.0.0rc2" in text
    assert "gh run download" not in text
    assert "```sh\nnox -s build\n```" in text


def test_a_failed_stage_command_writes_its_summary_under_actions(
    step_summary: Path,
    project: Project,
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = step_summary
    code, _, _ = cli(capsys, "check", "--project", str(project("rc-agrees")), "--tag", "v9.9.9")
    assert code == 2
    text = summary.read_text()
    assert text.startswith("### version_check: failed\n")
    assert "nox -s version_check" in text


def test_nothing_is_written_outside_actions(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cli(capsys, "check", "--project", str(project("rc-agrees")))[0] == 0
    assert list(tmp_path.glob("*.md")) == []
