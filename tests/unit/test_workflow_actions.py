"""Which local stand-in serves each `uses:` of a workflow, and the refusal of the rest."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pytest
import yaml

from release.config.images import ImagesSpec
from release.core.errors import ActionNotEmulated, ConfigError, ReleaseError
from release.github.workflow import Facts, release_workflow
from release.rehearsals.workflow import actions

PINS = tomllib.loads(resources.files("release.github").joinpath("actions.toml").read_text())[
    "actions"
]
EVERY_JOB = Facts(
    ("3.11", "3.12", "3.13"), e2e=True, images=ImagesSpec(app="a:app", registry="ghcr.io/o")
)


def workflow(**jobs: list[str]) -> dict[str, object]:
    return {"jobs": {job: {"steps": [{"uses": u} for u in uses]} for job, uses in jobs.items()}}


def served(workflow: dict[str, object] | str) -> dict[str, str]:
    return {uses: str(folder) for uses, folder in actions.local_repositories(workflow).items()}


def test_the_release_workflow_is_served_entirely_by_stand_ins() -> None:
    release = release_workflow(EVERY_JOB)  # every job: stack and images too; as text
    pairs = served(release)
    pinned = {
        f"{p['uses']}@{p['sha']}" for p in PINS.values() if p["uses"] != "zizmorcore/zizmor-action"
    }
    assert set(pairs) == pinned  # each pinned action once, however many jobs use it
    for directory in pairs.values():
        assert (Path(directory) / "action.yml").is_file()


def test_any_ref_of_a_known_action_maps_to_its_stand_in() -> None:
    pairs = served(workflow(a=["actions/checkout@v4", "astral-sh/setup-uv@abc"]))
    assert pairs == {
        "actions/checkout@v4": str(actions.ACTIONS / "checkout"),
        "astral-sh/setup-uv@abc": str(actions.ACTIONS / "setup-uv"),
    }


def test_the_repositorys_own_actions_are_left_to_act() -> None:
    flow = workflow(a=["./.github/actions/mine", "actions/checkout@v5"])
    flow["jobs"]["b"] = {"uses": "./.github/workflows/other.yml"}  # type: ignore[index]
    assert list(served(flow)) == ["actions/checkout@v5"]


@pytest.mark.parametrize(
    "uses",
    [
        "docker://alpine:3.20",
        "pypa/gh-action-pypi-publish@release/v1",
        "actions/checkout/subdir@v5",
        "actions/checkout",  # no ref: GitHub refuses it too
        "octo/repo/.github/workflows/release.yml@main",
    ],
)
def test_an_action_without_stand_in_is_refused_naming_it_and_its_job(uses: str) -> None:
    with pytest.raises(ActionNotEmulated) as refused:
        actions.local_repositories(workflow(build=["actions/checkout@v5"], publish=[uses]))
    assert f"`{uses}` (job `publish`)" in refused.value.message
    assert refused.value.hint is not None
    assert "actions/checkout" in refused.value.hint
    assert isinstance(refused.value, ReleaseError)
    assert refused.value.exit_code == 2


def test_every_refused_action_is_named_at_once() -> None:
    with pytest.raises(ActionNotEmulated) as refused:
        actions.local_repositories(workflow(a=["x/y@1"], b=["docker://z"]))
    assert "`x/y@1` (job `a`)" in refused.value.message
    assert "`docker://z` (job `b`)" in refused.value.message


def test_a_reusable_workflow_from_elsewhere_is_refused() -> None:
    flow = {"jobs": {"call": {"uses": "octo/repo/.github/workflows/r.yml@v1"}}}
    with pytest.raises(ActionNotEmulated, match="job `call`"):
        actions.local_repositories(flow)


def test_act_gets_no_skip_checkout_and_one_local_repository_each() -> None:
    found = actions.local_repositories(
        workflow(a=["actions/checkout@v5"], b=["actions/checkout@v5"])
    )
    assert actions.act_arguments(found) == [
        "--no-skip-checkout",
        f"--local-repository=actions/checkout@v5={actions.ACTIONS / 'checkout'}",
    ]


def test_a_workflow_that_is_no_yaml_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"release\.yml is not YAML"):
        actions.local_repositories("jobs: [unclosed", "release.yml")


def test_a_workflow_without_jobs_uses_nothing() -> None:
    assert actions.local_repositories({"name": "x"}) == {}
    assert actions.local_repositories({"jobs": ["not", "a", "mapping"]}) == {}
    assert actions.local_repositories("just a string") == {}


def test_the_environment_names_the_four_settings_and_the_shared_tool_folders(
    tmp_path: Path,
) -> None:
    env = actions.environment(tmp_path / "repo", tmp_path / "artifacts", tmp_path / "tools", "/py")
    assert env == {
        "STAGED_RELEASE_ACT_REPOSITORY": str(tmp_path / "repo"),
        "STAGED_RELEASE_ACT_ARTIFACTS": str(tmp_path / "artifacts"),
        "STAGED_RELEASE_ACT_PYTHON": "/py",
        "STAGED_RELEASE_ACT_TOOLS": str(tmp_path / "tools"),
        "UV_TOOL_DIR": str(tmp_path / "tools"),
        "UV_TOOL_BIN_DIR": str(tmp_path / "tools" / "bin"),
    }


@pytest.mark.parametrize("name", sorted(set(actions.STAND_INS.values())))
def test_each_stand_in_is_a_composite_action_saying_what_it_does_not_emulate(name: str) -> None:
    action = yaml.safe_load((actions.ACTIONS / name / "action.yml").read_text())
    assert "Does NOT emulate" in action["description"]
    assert action["runs"]["using"] == "composite"
    (step,) = action["runs"]["steps"]
    assert step["run"].endswith(f"-I -m release.rehearsals.workflow.actions._step {name}")
    # Every input the step reads is declared, under its own name.
    for variable, value in step["env"].items():
        declared = variable.removeprefix("INPUT_").lower().replace("_", "-")
        assert declared in action["inputs"], variable
        assert value == "${{ inputs." + declared + " }}"
