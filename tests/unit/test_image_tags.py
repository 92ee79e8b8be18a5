"""Image tags: a version tag per variant, `latest*` only for the newest release, never an rc;
version tags never move, so a push meeting another wheel under one is refused."""

from __future__ import annotations

import pytest
from packaging.version import Version

from release.containers import engine as docker_engine
from release.core.errors import ConfigError, ReleaseError
from release.images._tags import (
    OWNER_LABEL,
    VARIANTS,
    WHEEL_LABEL,
    CandidateNotPushed,
    ImageTagTaken,
    TagAction,
    ensure_pushable,
    is_moving,
    labels,
    plan_push,
    read_tag,
    tag_of,
    tags_for,
)
from release.versioning.versions import parse_version

IMAGE = "127.0.0.1:5000/org/notes-service"
OURS, OTHER = "a" * 64, "b" * 64


def versions(*texts: str) -> frozenset[Version]:
    return frozenset(Version(t) for t in texts)


TAGS = [
    # (version, what PyPI lists, variant, tags)
    ("1.4.0", ("1.4.0",), "raw", ["1.4.0", "latest"]),
    ("1.4.0", ("1.4.0",), "nginx", ["1.4.0-nginx", "latest-nginx"]),
    ("1.4.0", ("1.4.0",), "granian", ["1.4.0-granian", "latest-granian"]),
    ("1.4.0", (), "raw", ["1.4.0", "latest"]),
    ("1.4.0", ("1.3.0", "1.4.0", "1.4.0rc2", "1.5.0rc1", "1.5.0.dev1"), "raw", ["1.4.0", "latest"]),
    ("1.4.0", ("1.4.0", "1.5.0"), "raw", ["1.4.0"]),
    ("1.4.0", ("1.4.0", "1.4.0.post1"), "nginx", ["1.4.0-nginx"]),
    ("1.4.0.post1", ("1.4.0", "1.4.0.post1"), "raw", ["1.4.0.post1", "latest"]),
    ("1.4.0.post2", ("1.4.0", "1.4.0.post1"), "granian", ["1.4.0.post2-granian", "latest-granian"]),
    ("1.3.0.post1", ("1.3.0", "1.4.0", "1.3.0.post1"), "raw", ["1.3.0.post1"]),
    ("2.0.0", ("1.9.9.post3", "10.0.0rc1"), "raw", ["2.0.0", "latest"]),
]


@pytest.mark.parametrize(("version", "listed", "variant", "expected"), TAGS)
def test_tags(version: str, listed: tuple[str, ...], variant: str, expected: list[str]) -> None:
    tags = tags_for(IMAGE, parse_version(version), versions(*listed), variant)
    assert tags == [f"{IMAGE}:{t}" for t in expected]


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_release_candidate_gets_no_pushed_tag(variant: str) -> None:
    with pytest.raises(CandidateNotPushed) as caught:
        tags_for(IMAGE, parse_version("1.4.0rc2"), versions("1.4.0rc2"), variant)
    assert "release candidate" in caught.value.message
    assert "v1.4.0" in str(caught.value.hint)


def test_an_unknown_variant_names_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        tags_for(IMAGE, parse_version("1.4.0"), versions(), "apache")
    assert caught.value.hint == "use one of: raw, nginx, granian"


def test_labels_carry_version_revision_wheel_and_ownership() -> None:
    found = labels(parse_version("1.4.0.post1"), "f" * 40, OURS, "https://example.invalid/x")
    assert found == {
        "org.opencontainers.image.version": "1.4.0.post1",
        "org.opencontainers.image.revision": "f" * 40,
        "org.opencontainers.image.source": "https://example.invalid/x",
        WHEEL_LABEL: OURS,
        "dev.staged-release": "image",
    }
    assert "org.opencontainers.image.source" not in labels(parse_version("1.4.0"), "r", OURS, None)


def test_the_ownership_label_is_the_engines() -> None:
    assert OWNER_LABEL == docker_engine.LABEL


REFS = [
    ("notes:1.4.0", "1.4.0", False),
    ("127.0.0.1:5000/notes:latest", "latest", True),
    ("127.0.0.1:5000/notes:latest-nginx", "latest-nginx", True),
    ("127.0.0.1:5000/notes:1.4.0-granian", "1.4.0-granian", False),
    ("127.0.0.1:5000/notes", "", False),
    ("127.0.0.1:5000/latest", "", False),
]


@pytest.mark.parametrize(("ref", "tag", "moving"), REFS)
def test_tag_of_a_reference(ref: str, tag: str, moving: bool) -> None:
    assert (tag_of(ref), is_moving(ref)) == (tag, moving)


V, LATEST = f"{IMAGE}:1.4.0", f"{IMAGE}:latest"
PLANS = [
    # (what the registry holds per tag, the action per tag)
    ({V: None, LATEST: None}, [TagAction.PUSH, TagAction.PUSH]),
    ({V: OURS, LATEST: OURS}, [TagAction.IDENTICAL, TagAction.IDENTICAL]),
    ({V: OURS, LATEST: None}, [TagAction.IDENTICAL, TagAction.PUSH]),
    ({V: None, LATEST: OTHER}, [TagAction.PUSH, TagAction.PUSH]),  # latest moves on
    ({V: None, LATEST: ""}, [TagAction.PUSH, TagAction.PUSH]),
    ({V: OTHER, LATEST: OURS}, [TagAction.REFUSED, TagAction.IDENTICAL]),
    ({V: "", LATEST: None}, [TagAction.REFUSED, TagAction.PUSH]),  # unlabelled: not provably ours
]


@pytest.mark.parametrize(("found", "actions"), PLANS)
def test_push_plan(found: dict[str, str | None], actions: list[TagAction]) -> None:
    assert list(plan_push(OURS, found).actions.values()) == actions


def test_a_plan_without_refusals_may_go_ahead() -> None:
    plan = plan_push(OURS, {V: OURS, LATEST: OTHER, f"{IMAGE}:1.4.0-nginx": None})
    ensure_pushable(plan, parse_version("1.4.0"), versions("1.4.0"))
    assert plan.tags(TagAction.PUSH) == [LATEST, f"{IMAGE}:1.4.0-nginx"]
    assert plan.tags(TagAction.IDENTICAL) == [V]


REFUSALS = [
    # (version, consumed, the version the hint names)
    ("1.4.0", ("1.4.0",), "v1.4.0.post1"),
    ("1.4.0", (), "v1.4.0.post1"),
    ("1.4.0.post1", ("1.4.0", "1.4.0.post1", "1.4.0.post2"), "v1.4.0.post3"),
]


@pytest.mark.parametrize(("version", "consumed", "instead"), REFUSALS)
def test_another_wheel_under_a_version_tag_refuses_the_push(
    version: str, consumed: tuple[str, ...], instead: str
) -> None:
    ref = f"{IMAGE}:{version}-nginx"
    plan = plan_push(OURS, {f"{IMAGE}:{version}": None, ref: OTHER})
    with pytest.raises(ImageTagTaken) as caught:
        ensure_pushable(plan, parse_version(version), versions(*consumed))
    assert isinstance(caught.value, ReleaseError)
    assert caught.value.message.startswith(f"{ref} already holds another wheel")
    assert str(caught.value.hint).startswith(f"tag {instead} instead")


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("version", ["1.4.0", "1.4.0.post2"])
def test_a_tag_reads_back_as_what_it_names_and_its_variant(variant: str, version: str) -> None:
    tags = tags_for(IMAGE, parse_version(version), versions(version), variant)
    assert [read_tag(tag_of(t)) for t in tags] == [(version, variant), ("latest", variant)]
