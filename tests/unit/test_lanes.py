"""Lane planning: which trigger runs which lane, and what each lane refuses."""

from __future__ import annotations

import pytest
from packaging.version import Version

from release.core.errors import (
    ConsumedVersion,
    LaneError,
    ReleaseError,
    VersionMismatch,
    VersionRuleError,
)
from release.pipeline.plan import Event, Trigger, make_plan
from release.pipeline.stages import LANES, Target, stage_names
from release.versioning.check import VersionSources
from release.versioning.consumed import consumed_from_tags

PYTHONS = ("3.11", "3.12", "3.13")
D = Event.DISPATCH


def sources(version: str) -> VersionSources:
    return VersionSources("proxbox-api", version, version)


LANE_CASES = [
    # (trigger, project version, expected target)
    (Trigger(Event.PUSH, "refs/tags/v1.4.0rc1"), "1.4.0rc1", Target.TESTPYPI),
    (Trigger(Event.PUSH, "refs/tags/v1.4.0"), "1.4.0", Target.PYPI),
    (Trigger(Event.PUSH, "refs/tags/v1.4.0.post2"), "1.4.0.post2", Target.PYPI),
    (Trigger(Event.RELEASE, "refs/tags/v1.4.0"), "1.4.0", Target.PYPI),
    (Trigger(Event.RELEASE, "refs/tags/v1.4.0.post1"), "1.4.0.post1", Target.PYPI),
    # a pre-release published for an rc tag is the rc's lane, never a request for PyPI
    (Trigger(Event.RELEASE, "refs/tags/v1.4.0rc1"), "1.4.0rc1", Target.TESTPYPI),
    (Trigger(D, "refs/heads/main", Target.PYPI, "v1.4.0"), "1.4.0", Target.PYPI),
    (Trigger(D, "refs/heads/main", Target.PYPI, "refs/tags/v1.4.0.post3"), "1.4.0.post3", "pypi"),
    (Trigger(D, "refs/heads/main", Target.TESTPYPI, "v1.4.0rc2"), "1.4.0rc2", Target.TESTPYPI),
    (Trigger(D, "refs/tags/v1.4.0rc2"), "1.4.0rc2", Target.TESTPYPI),
    (Trigger(D, "refs/heads/main", Target.PYPI, None, "1.4.0"), "1.4.0", Target.PYPI),
    (Trigger(Event.LOCAL), "1.4.0rc1", Target.TESTPYPI),
    (Trigger(Event.LOCAL), "1.4.0", Target.PYPI),
    (Trigger(Event.LOCAL, "v1.4.0.post1"), "1.4.0.post1", Target.PYPI),
]


@pytest.mark.parametrize(("trigger", "version", "target"), LANE_CASES)
def test_lane_for_trigger(trigger: Trigger, version: str, target: Target) -> None:
    plan = make_plan(trigger, sources(version), PYTHONS, None)
    assert (plan.target, str(plan.version)) == (target, version)


REFUSED = [
    (Trigger(D, None, Target.PYPI, "v1.4.0rc1"), "1.4.0rc1", LaneError, "never goes to PyPI"),
    (Trigger(D, None, Target.TESTPYPI, "v1.4.0"), "1.4.0", LaneError, "TestPyPI lane"),
    (Trigger(D, None, None, "v1.4.0.post1"), "1.4.0.post1", LaneError, "TestPyPI lane"),
    (Trigger(Event.PUSH, "refs/heads/main"), "1.4.0", LaneError, "start from a tag"),
    (Trigger(Event.PUSH, None), "1.4.0", LaneError, "start from a tag"),
    (Trigger(Event.PUSH, "refs/tags/v1.4.0", Target.PYPI), "1.4.0", LaneError, "publish_target"),
    (Trigger(D, "refs/heads/main", Target.PYPI), "1.4.0", LaneError, "expected_version"),
    (Trigger(D, "main", Target.PYPI, None, "1.4.1"), "1.4.0", VersionMismatch, "expected 1.4.1"),
    (Trigger(Event.PUSH, "refs/tags/v1.4.0-rc1"), "1.4.0rc1", VersionRuleError, "canonically"),
    (Trigger(Event.PUSH, "refs/tags/v1.4.0rc2"), "1.4.0rc1", VersionMismatch, "tag v1.4.0rc2"),
    (Trigger(Event.PUSH, "refs/tags/v1.4.0.dev1"), "1.4.0.dev1", VersionRuleError, "dev"),
]


@pytest.mark.parametrize(("trigger", "version", "error", "says"), REFUSED)
def test_refused_triggers(
    trigger: Trigger, version: str, error: type[ReleaseError], says: str
) -> None:
    with pytest.raises(error) as caught:
        make_plan(trigger, sources(version), PYTHONS, None)
    assert says in f"{caught.value.message} {caught.value.hint}"


def tagged(*tags: str) -> frozenset[Version]:
    return consumed_from_tags(tags)


SUPERSEDED = [
    # (trigger, version, the repository's tags, the tag the hint asks for)
    (Trigger(Event.PUSH, "refs/tags/v1.4.0"), "1.4.0", ("v1.4.0", "v1.4.0.post1"), "v1.4.0.post2"),
    (Trigger(Event.RELEASE, "refs/tags/v1.4.0"), "1.4.0", ("v1.4.0.post1",), "v1.4.0.post2"),
    (Trigger(Event.PUSH, "refs/tags/v1.4.0rc3"), "1.4.0rc3", ("v1.4.0",), "v1.4.0.post1"),
    (Trigger(Event.PUSH, "refs/tags/v1.4.0rc3"), "1.4.0rc3", ("v1.4.0.post2",), "v1.4.0.post3"),
    (Trigger(Event.LOCAL), "1.4.0rc3", ("v1.4.0rc3", "v1.4.0"), "v1.4.0.post1"),
    (Trigger(D, "main", Target.PYPI, "v1.4.0"), "1.4.0", ("v1.4.0.post1",), "v1.4.0.post2"),
]


@pytest.mark.parametrize(("trigger", "version", "tags", "instead"), SUPERSEDED)
def test_a_tag_the_history_moved_past_is_refused(
    trigger: Trigger, version: str, tags: tuple[str, ...], instead: str
) -> None:
    with pytest.raises(ConsumedVersion) as caught:
        make_plan(trigger, sources(version), PYTHONS, None, tagged(*tags))
    assert str(caught.value.hint).startswith(f"tag {instead} instead;")


def test_the_pushed_tag_itself_and_later_bases_do_not_refuse() -> None:
    history = tagged("v1.4.0rc1", "v1.4.0rc2", "v1.4.0", "v1.3.0.post4", "v1.4.1rc1")
    for tag in ("v1.4.0", "v1.4.0.post1", "v1.4.1rc2", "v1.4.1"):
        version = tag.removeprefix("v")
        plan = make_plan(Trigger(Event.PUSH, tag), sources(version), PYTHONS, None, history)
        assert str(plan.version) == version


def test_rc_on_pypi_says_tag_the_final() -> None:
    trigger = Trigger(D, None, Target.PYPI, "v1.4.0rc3")
    with pytest.raises(LaneError) as caught:
        make_plan(trigger, sources("1.4.0rc3"), PYTHONS, None)
    assert caught.value.hint == "tag the final v1.4.0 once the rc lane is green"


def test_local_plan_uses_the_tag_at_head_or_says_it_is_not_tagged() -> None:
    tagged = make_plan(Trigger(Event.LOCAL), sources("1.4.0rc1"), PYTHONS, "v1.4.0rc1")
    untagged = make_plan(Trigger(Event.LOCAL), sources("1.4.0rc1"), PYTHONS, None)
    assert (tagged.tag_checked, untagged.tag_checked) == (True, False)
    assert untagged.as_dict()["tag"] == "v1.4.0rc1"


def test_local_plan_checks_the_tag_at_head() -> None:
    with pytest.raises(VersionMismatch):
        make_plan(Trigger(Event.LOCAL), sources("1.4.0rc2"), PYTHONS, "v1.4.0rc1")


def test_plan_json_fields() -> None:
    trigger = Trigger(Event.PUSH, "refs/tags/v1.4.0rc1")
    fields = make_plan(trigger, sources("1.4.0rc1"), ("3.12",), None).as_dict()
    assert fields == {
        "target": "testpypi",
        "package": "proxbox-api",
        "version": "1.4.0rc1",
        "kind": "rc",
        "tag": "v1.4.0rc1",
        "tag_checked": True,
        "event": "push",
        "source_ref": "refs/tags/v1.4.0rc1",
        "pythons": ["3.12"],
        "stages": [
            "version_check",
            "build",
            "upload_testpypi",
            "validate_rc-3.12",
            "e2e_rc",
        ],
    }


def test_pypi_lane_publishes_images_only_after_every_validation_cell() -> None:
    stages = stage_names(Target.PYPI, PYTHONS)
    validated = max(stages.index(f"validate_final-{p}") for p in PYTHONS)
    assert stages.index("upload_pypi") < stages.index("validate_final-3.11")
    assert validated < stages.index("images") < stages.index("e2e_postpublish")


def test_every_lane_checks_versions_and_builds_before_uploading() -> None:
    for stages in LANES.values():
        names = [s.name for s in stages]
        upload = next(i for i, n in enumerate(names) if n.startswith("upload_"))
        assert names.index("version_check") < names.index("build") < upload
