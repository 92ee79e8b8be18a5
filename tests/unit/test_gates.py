"""The gates plan applies on GitHub (pure), and the API client's reading of runs (against the
workflow rehearsal's stand-in of GitHub's API on a loopback port)."""

from __future__ import annotations

import pytest

from release.core.errors import GitHubRefused, RcNotGreen
from release.github import api as github_api
from release.github.api import WorkflowRun
from release.github.gates import already_carried, lane_run, rc_tags, require_green_rc
from release.pipeline.plan import Event
from release.rehearsals.workflow.github_api import Api, serving
from release.versioning.versions import parse_version


def run(number: int, event: str, tag: str, conclusion: str | None = "success") -> WorkflowRun:
    return WorkflowRun(number, event, tag, "completed" if conclusion else "queued", conclusion)


def test_a_tags_lane_is_its_first_push_or_release_run() -> None:
    runs = [run(7, "release", "v1.0.0"), run(5, "workflow_dispatch", "v1.0.0"),
            run(6, "push", "v1.0.0", "failure"), run(2, "push", "v0.9.0")]  # fmt: skip
    assert lane_run("v1.0.0", runs) == runs[2]
    assert lane_run("v1.0.0", runs, before=6) is None  # run 6 asking: nothing before it


def test_only_a_later_push_or_release_of_a_carried_tag_is_skipped() -> None:
    runs = [run(1, "push", "v1.0.0rc1", "failure"), run(2, "release", "v1.0.0rc1")]
    assert already_carried(Event.RELEASE, "v1.0.0rc1", runs, own=2) == (
        "no lane: v1.0.0rc1's lane already ran in run 1 (push, failure); one lane run per tag "
        "(re-run one with workflow_dispatch)"
    )
    assert already_carried(Event.PUSH, "v1.0.0rc1", runs, own=1) is None  # the first
    assert already_carried(Event.DISPATCH, "v1.0.0rc1", runs, own=3) is None  # a re-run


def test_rc_tags_of_a_final_in_rc_order() -> None:
    tags = ["v1.0.0rc10", "v1.0.0rc2", "v1.0.0", "v1.0.1rc1", "v1.0.0-rc3", "latest"]
    assert rc_tags(parse_version("1.0.0"), tags) == ["v1.0.0rc2", "v1.0.0rc10"]


def test_a_green_rc_lane_lets_the_final_through_whatever_came_before() -> None:
    runs = {"v1.0.0rc1": [run(1, "push", "v1.0.0rc1", "failure")],
            "v1.0.0rc2": [run(3, "release", "v1.0.0rc2"), run(2, "push", "v1.0.0rc2")]}  # fmt: skip
    assert require_green_rc(parse_version("1.0.0"), runs) == "v1.0.0rc2 (run 2, push): success"


def test_a_green_run_that_carried_no_lane_does_not_count() -> None:
    # the pre-release published after a red push is green, and ran no lane
    runs = {"v1.0.0rc1": [run(2, "release", "v1.0.0rc1"), run(1, "push", "v1.0.0rc1", "failure")]}
    with pytest.raises(RcNotGreen, match=r"v1.0.0rc1 \(run 1, push\): failure$"):
        require_green_rc(parse_version("1.0.0"), runs)


def test_an_rc_tag_that_never_ran_is_named() -> None:
    with pytest.raises(RcNotGreen, match=r"none \(v1.0.0rc1 never ran the workflow\)"):
        require_green_rc(parse_version("1.0.0"), {"v1.0.0rc1": []})


def test_the_client_reads_every_page_of_a_tags_runs() -> None:
    api = Api("o/r", "tok")
    for number in range(230):
        api.runs.begin("push" if number % 2 else "release", "v1.0.0" if number < 205 else "v2")
    with serving(api) as env:
        given = {"GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": "tok", "GITHUB_API_URL": "x:9"}
        client = github_api.from_env({"STAGED_RELEASE_INDEXES": "stand-ins", **env, **given})
        runs = client.workflow_runs("release.yml", "v1.0.0")
    assert sorted(r.id for r in runs) == list(range(1, 206))


def test_a_wrong_token_is_refused_with_what_to_do() -> None:
    with serving(Api("o/r", "tok")) as env:
        (origin,) = env.values()
        client = github_api.from_env(
            {"GITHUB_API_URL": origin, "GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": "other"}
        )
        with pytest.raises(GitHubRefused) as caught:
            client.workflow_runs("release.yml", "v1.0.0")
    assert "with 401: Bad credentials" in caught.value.message
    assert "staged-release workflow" in str(caught.value.hint)


def test_the_rehearsal_address_is_read_only_on_stand_ins() -> None:
    env = {"GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": "t",
           "STAGED_RELEASE_GITHUB_API": "http://127.0.0.1:1"}  # fmt: skip
    assert github_api.from_env(env).base == github_api.DEFAULT_API
    staged = {**env, "STAGED_RELEASE_INDEXES": "stand-ins"}
    assert github_api.from_env(staged).base == "http://127.0.0.1:1"
