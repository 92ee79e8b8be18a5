"""Reading a trigger from GitHub Actions' environment and payload; writing step outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from release.core.errors import ConfigError, LaneError
from release.github.events import TriggerFlags, read_payload, trigger_from, write_outputs
from release.pipeline.plan import Event, Trigger
from release.pipeline.stages import Target

NO_FLAGS = TriggerFlags()


def test_dispatch_inputs_come_from_the_payload() -> None:
    env = {"GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_REF": "refs/heads/main"}
    payload = {"inputs": {"publish_target": "pypi", "source_ref": "v1.4.0", "expected_version": ""}}
    assert trigger_from(env, payload, NO_FLAGS) == Trigger(
        Event.DISPATCH, "refs/heads/main", Target.PYPI, "v1.4.0", None
    )


def test_flags_override_the_environment() -> None:
    env = {"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/tags/v1.4.0rc1"}
    flags = TriggerFlags(event="workflow_dispatch", publish_target="testpypi", ref="v1.4.0rc2")
    trigger = trigger_from(env, {}, flags)
    assert (trigger.event, trigger.ref, trigger.publish_target) == (
        Event.DISPATCH,
        "v1.4.0rc2",
        Target.TESTPYPI,
    )


def test_release_event_takes_the_tag_from_the_payload_when_no_ref() -> None:
    trigger = trigger_from(
        {"GITHUB_EVENT_NAME": "release"}, {"release": {"tag_name": "v2.0.0"}}, NO_FLAGS
    )
    assert trigger == Trigger(Event.RELEASE, "refs/tags/v2.0.0")


def test_no_github_means_a_local_plan() -> None:
    assert trigger_from({}, {}, NO_FLAGS).event is Event.LOCAL


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (TriggerFlags(event="pull_request"), "does not release"),
        (TriggerFlags(event="workflow_dispatch", publish_target="prod"), "testpypi or pypi"),
    ],
)
def test_unknown_event_or_target(flags: TriggerFlags, says: str) -> None:
    with pytest.raises(LaneError) as caught:
        trigger_from({}, {}, flags)
    assert says in f"{caught.value.message} {caught.value.hint}"


def test_outputs_are_appended_one_line_each(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.write_text("earlier=1\n")
    write_outputs(out, {"target": "pypi", "pythons": ["3.11", "3.12"], "tag_checked": True})
    assert out.read_text().splitlines() == [
        "earlier=1",
        "target=pypi",
        'pythons=["3.11", "3.12"]',
        "tag_checked=true",
    ]


def test_unreadable_payload_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "event.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError):
        read_payload({"GITHUB_EVENT_PATH": str(bad)})
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"inputs": {"publish_target": "pypi"}}))
    assert read_payload({"GITHUB_EVENT_PATH": str(good)})["inputs"]["publish_target"] == "pypi"


DISPATCH = {"GITHUB_EVENT_NAME": "workflow_dispatch"}


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ({"inputs": "publish_target=pypi"}, "'inputs' is a string, not an object"),
        ({"release": []}, "'release' is an array, not an object"),
        ({"inputs": {"publish_target": 5}}, "'publish_target' is a number, not a string"),
        ({"inputs": {"source_ref": True}}, "'source_ref' is a boolean, not a string"),
        ({"inputs": {"expected_version": ["1.4.0"]}}, "'expected_version' is an array"),
    ],
)
def test_a_payload_of_the_wrong_shape_is_a_config_error(payload: dict[str, Any], says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        trigger_from(DISPATCH, payload, NO_FLAGS)
    assert says in caught.value.message
    assert caught.value.hint


def test_null_or_empty_inputs_mean_not_given() -> None:
    payload = {"inputs": {"publish_target": None, "source_ref": ""}, "release": None}
    assert trigger_from(DISPATCH, payload, NO_FLAGS) == Trigger(Event.DISPATCH)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"[]", "is not a JSON object"),
        (b"[" * 100_000, "nests too deeply"),
        (b"1" * 5000, "cannot read"),  # an integer past Python's int-conversion limit
        (b"\xff\xfe{}", "cannot read"),
    ],
)
def test_a_payload_file_that_is_no_json_object_is_a_config_error(
    tmp_path: Path, content: bytes, says: str
) -> None:
    event = tmp_path / "event.json"
    event.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        read_payload({"GITHUB_EVENT_PATH": str(event)})
    assert says in caught.value.message
    assert len(caught.value.message) < 200 + len(str(event))
