"""`staged-release plan` under (simulated) GitHub Actions and locally."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from release.cli import main
from release.rehearsals.workflow.github_api import Api, serving
from tests.conftest import cli, git_tag

Project = Callable[[str], Path]
REPOSITORY = "owner/proxbox-api"


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """GitHub's API as a job sees it (the rehearsal's stand-in, reached through
    GITHUB_API_URL as on GitHub): the release workflow's runs, none yet."""
    api = Api(REPOSITORY, "job-token")
    with serving(api) as env:
        (origin,) = env.values()
        monkeypatch.setenv("GITHUB_API_URL", origin)
        monkeypatch.setenv("GITHUB_REPOSITORY", REPOSITORY)
        monkeypatch.setenv("GITHUB_TOKEN", "job-token")
        yield api


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
        "GITHUB_RUN_ID": "1000",  # this run: every run the stand-in lists is earlier
    }.items():
        monkeypatch.setenv(name, value)
    return output


def ran(api: Api, event: str, tag: str, passed: bool | None) -> None:
    """An earlier run of the release workflow: completed (passed or not), or still running."""
    number = api.runs.begin(event, tag)
    if passed is not None:
        api.runs.end(number, passed)


@pytest.mark.usefixtures("github")
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
    github: Api,
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    root = project("final-agrees")
    git_tag(root, "v1.4.0rc1")
    ran(github, "push", "v1.4.0rc1", passed=True)
    inputs = {"publish_target": "pypi", "source_ref": "v1.4.0", "expected_version": "1.4.0"}
    actions(monkeypatch, tmp_path, "workflow_dispatch", "refs/heads/main", inputs=inputs)
    assert main(["plan", "--json", "--project", str(root)]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["target"], plan["event"], plan["source_ref"]) == (
        "pypi",
        "workflow_dispatch",
        "v1.4.0",
    )
    assert "images" in plan["stages"]


@pytest.mark.usefixtures("github")
def test_a_pre_release_of_a_new_rc_tag_runs_the_rc_lane(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    output = actions(monkeypatch, tmp_path, "release", "refs/tags/v1.4.0rc1")
    code, out, _ = cli(capsys, "plan", "--json", "--project", str(project("rc-agrees")))
    assert (code, json.loads(out)["target"]) == (0, "testpypi")
    assert "target=testpypi" in output.read_text()


@pytest.mark.parametrize("event", ["release", "push"])
def test_a_tag_whose_lane_ran_runs_none_and_says_why(
    step_summary: Path,
    event: str,
    github: Api,
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # the first run of the tag carried its lane (a push, or a release made on a new tag)
    ran(github, "push" if event == "release" else "release", "v1.4.0", passed=False)
    ran(github, "push", "v1.3.0", passed=True)  # another tag's: no matter
    summary = step_summary
    output = actions(monkeypatch, tmp_path, event, "refs/tags/v1.4.0")
    code, out, _ = cli(capsys, "plan", "--json", "--project", str(project("final-agrees")))
    assert (code, json.loads(out)["target"]) == (0, "")
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs["target"] == ""  # every later job's `if:` is false
    reason = "no lane: v1.4.0's lane already ran in run 1 (push, failure)"
    assert reason.replace("push", "release" if event == "push" else "push") in summary.read_text()


def test_a_dispatch_re_runs_a_lane_whose_tag_ran(
    github: Api,
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    ran(github, "push", "v1.4.0rc1", passed=False)
    inputs = {"publish_target": "testpypi", "source_ref": "v1.4.0rc1"}
    actions(monkeypatch, tmp_path, "workflow_dispatch", "refs/heads/main", inputs=inputs)
    code, out, _ = cli(capsys, "plan", "--json", "--project", str(project("rc-agrees")))
    assert (code, json.loads(out)["target"]) == (0, "testpypi")


@pytest.mark.parametrize("event", ["push", "release"])
def test_a_final_whose_rc_lanes_failed_is_refused_naming_them(
    event: str,
    github: Api,
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    root = project("final-agrees")
    git_tag(root, "v1.4.0rc1", "v1.4.0rc2", "v1.3.0rc1")
    ran(github, "push", "v1.4.0rc1", passed=False)
    ran(github, "release", "v1.4.0rc1", passed=True)  # its pre-release: no lane, green
    ran(github, "push", "v1.4.0rc2", passed=None)  # still running
    ran(github, "push", "v1.3.0rc1", passed=True)  # another version's rc
    output = actions(monkeypatch, tmp_path, event, "refs/tags/v1.4.0")
    code, out, err = cli(capsys, "plan", "--json", "--project", str(root))
    assert (code, out) == (2, "")
    assert (
        "error: 1.4.0 needs a green rc lane of 1.4.0 first, and none passed: rc lane runs: "
        "v1.4.0rc1 (run 1, push): failure; v1.4.0rc2 (run 3, push): in_progress"
    ) in err
    assert output.read_text() == ""  # no lane for CI to run


@pytest.mark.usefixtures("github")
def test_a_final_with_no_rc_is_refused(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    inputs = {"publish_target": "pypi", "source_ref": "v1.4.0"}
    actions(monkeypatch, tmp_path, "workflow_dispatch", "refs/heads/main", inputs=inputs)
    code, _, err = cli(capsys, "plan", "--project", str(project("final-agrees")))
    assert code == 2
    assert "no rc tag of 1.4.0 exists" in err


def test_a_final_after_a_green_rc_says_which(
    step_summary: Path,
    github: Api,
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    root = project("final-agrees")
    git_tag(root, "v1.4.0rc1", "v1.4.0rc2")
    ran(github, "push", "v1.4.0rc1", passed=False)
    ran(github, "push", "v1.4.0rc2", passed=True)
    summary = step_summary
    actions(monkeypatch, tmp_path, "push", "refs/tags/v1.4.0")
    code, out, _ = cli(capsys, "plan", "--json", "--project", str(root))
    assert (code, json.loads(out)["target"]) == (0, "pypi")
    assert "green rc: v1.4.0rc2 (run 2, push): success" in summary.read_text()


@pytest.mark.usefixtures("github")
def test_a_job_without_the_token_is_told_to_map_it(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    actions(monkeypatch, tmp_path, "push", "refs/tags/v1.4.0rc1")
    code, _, err = cli(capsys, "plan", "--project", str(project("rc-agrees")))
    assert code == 2
    assert "error: GITHUB_TOKEN is not set in this step" in err
    assert "github.token" in err


@pytest.mark.usefixtures("github")
def test_a_job_without_actions_read_is_told_which_permission(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "owner/another")  # the API says 404, as GitHub does
    actions(monkeypatch, tmp_path, "push", "refs/tags/v1.4.0rc1")
    code, _, err = cli(capsys, "plan", "--project", str(project("rc-agrees")))
    assert code == 2
    assert "with 404" in err
    assert "plan: `actions: read`" in err


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


@pytest.mark.usefixtures("github")
def test_a_pushed_branch_is_not_a_release(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    actions(monkeypatch, tmp_path, "push", "refs/heads/main")
    assert main(["plan", "--project", str(project("final-agrees"))]) == 2
    assert "releases start from a tag" in capsys.readouterr().err


@pytest.mark.usefixtures("github")
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


@pytest.mark.usefixtures("github")
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
