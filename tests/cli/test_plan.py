"""`staged-release plan` under (simulated) GitHub Actions and locally."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from release.cli import main
from tests.conftest import cli, git_tag

Project = Callable[[str], Path]


def actions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, event: str, ref: str, **payload: object
) -> Path:
    """Set up the environment GitHub Actions gives a job; return its $GITHUB_OUTPUT file."""
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(payload))
    output = tmp_path / "github_output"
    output.touch()
    for name, value in {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_REF": ref,
        "GITHUB_EVENT_PATH": str(event_file),
        "GITHUB_OUTPUT": str(output),
    }.items():
        monkeypatch.setenv(name, value)
    return output


def test_rc_tag_push_plans_the_testpypi_lane_and_writes_outputs(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    output = actions(monkeypatch, tmp_path, "push", "refs/tags/v1.4.0rc1")
    assert main(["plan", "--json", "--project", str(project("rc-agrees"))]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["target"], plan["package"], plan["version"]) == (
        "testpypi",
        "proxbox_api",
        "1.4.0rc1",
    )
    assert plan["stages"][:3] == ["version_check", "build", "upload_testpypi"]
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["target"] == "testpypi"
    assert json.loads(outputs["pythons"]) == ["3.11", "3.12", "3.13"]


def test_dispatch_to_pypi_from_payload_inputs(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    inputs = {"publish_target": "pypi", "source_ref": "v1.4.0", "expected_version": "1.4.0"}
    actions(monkeypatch, tmp_path, "workflow_dispatch", "refs/heads/main", inputs=inputs)
    assert main(["plan", "--json", "--project", str(project("final-agrees"))]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["target"], plan["event"], plan["source_ref"]) == (
        "pypi",
        "workflow_dispatch",
        "v1.4.0",
    )
    assert "images" in plan["stages"]


def test_release_event_on_an_rc_is_refused_and_writes_nothing(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    output = actions(monkeypatch, tmp_path, "release", "refs/tags/v1.4.0rc1")
    assert main(["plan", "--json", "--project", str(project("rc-agrees"))]) == 2
    _, err = capsys.readouterr()
    assert "an rc never goes to PyPI" in err
    assert "hint: tag the final v1.4.0 once the rc lane is green" in err
    assert output.read_text() == ""


def test_flags_override_and_human_summary(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project("post-agrees"))
    assert main(["plan", "--project", root, "--event", "push", "--ref", "v1.4.0.post2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "proxbox-api 1.4.0.post2 (post) -> pypi lane"
    assert "validate_final-3.13 -> images" in out


def test_local_plan_of_an_untagged_project(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "--project", str(project("rc-agrees"))]) == 0
    assert "tag:     v1.4.0rc1 (not tagged yet)" in capsys.readouterr().out


def test_a_pushed_branch_is_not_a_release(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    actions(monkeypatch, tmp_path, "push", "refs/heads/main")
    assert main(["plan", "--project", str(project("final-agrees"))]) == 2
    assert "releases start from a tag" in capsys.readouterr().err


def test_a_pushed_final_is_refused_once_a_post_of_it_is_tagged(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    root = project("final-agrees")
    git_tag(root, "v1.4.0rc1", "v1.4.0", "v1.4.0.post1")
    output = actions(monkeypatch, tmp_path, "push", "refs/tags/v1.4.0")
    code, out, err = cli(capsys, "plan", "--json", "--project", str(root))
    assert (code, out) == (2, "")
    assert "error: v1.4.0 may not be released: 1.4.0.post1 is consumed" in err
    assert "hint: tag v1.4.0.post2 instead" in err
    assert output.read_text() == ""  # no lane for CI to run


def test_a_pushed_rc_is_planned_although_its_own_tag_exists(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    root = project("rc-agrees")
    git_tag(root, "v1.3.0", "v1.3.0.post1", "v1.4.0rc1")
    actions(monkeypatch, tmp_path, "push", "refs/tags/v1.4.0rc1")
    code, out, _ = cli(capsys, "plan", "--json", "--project", str(root))
    assert (code, json.loads(out)["target"]) == (0, "testpypi")
