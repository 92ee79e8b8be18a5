"""Version and tag rules: accepted kinds, canonical spelling, and the hints given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from packaging.version import Version

from release.core.errors import VersionRuleError
from release.versioning.consumed import consumed_from_tags
from release.versioning.versions import Kind, parse_tag, parse_version

ACCEPTED_TAGS = [
    ("v1.4.0", "1.4.0", Kind.FINAL),
    ("v1.4.0rc1", "1.4.0rc1", Kind.RC),
    ("v1.4.0rc12", "1.4.0rc12", Kind.RC),
    ("v1.4.0.post1", "1.4.0.post1", Kind.POST),
    ("v10.20.30.post7", "10.20.30.post7", Kind.POST),
    ("refs/tags/v2.0.0rc3", "2.0.0rc3", Kind.RC),
    ("v0.0.1", "0.0.1", Kind.FINAL),
]


@pytest.mark.parametrize(("tag", "version", "kind"), ACCEPTED_TAGS)
def test_accepted_tags(tag: str, version: str, kind: Kind) -> None:
    parsed = parse_tag(tag)
    assert (str(parsed), parsed.kind, parsed.tag) == (version, kind, f"v{version}")


NON_CANONICAL_TAGS = [
    ("v1.0.0-rc1", "name the tag v1.0.0rc1"),
    ("v1.0.0.RC1", "name the tag v1.0.0rc1"),
    ("v1.0.0-post1", "name the tag v1.0.0.post1"),
    ("1.0.0rc1", "name the tag v1.0.0rc1"),
    ("v01.0.0", "name the tag v1.0.0"),
    ("V1.0.0", "name the tag v1.0.0"),
    ("v1.0.0c1", "name the tag v1.0.0rc1"),
    ("v1.0.0-1", "name the tag v1.0.0.post1"),
    ("v1.0.0_rc1", "name the tag v1.0.0rc1"),
]


@pytest.mark.parametrize(("tag", "hint"), NON_CANONICAL_TAGS)
def test_non_canonical_tags_get_the_canonical_spelling(tag: str, hint: str) -> None:
    with pytest.raises(VersionRuleError) as caught:
        parse_tag(tag)
    assert caught.value.hint == hint


REJECTED_KINDS = [
    ("v1.0.0.dev1", "a dev release"),
    ("v1.0.0a1", "an alpha or beta"),
    ("v1.0.0b2", "an alpha or beta"),
    ("v1.0.0+local.1", "a local version"),
    ("v1!1.0.0", "an epoch version"),
    ("v1.0", "not of the form X.Y.Z"),
    ("v1.0.0.0", "not of the form X.Y.Z"),
    ("v1.0.0rc1.post1", "a post-release of an rc"),
    ("v1.0.0rc0", "rc0"),
    ("v1.0.0.post0", "post0"),
]


@pytest.mark.parametrize(("tag", "reason"), REJECTED_KINDS)
def test_rejected_kinds_name_the_accepted_forms(tag: str, reason: str) -> None:
    with pytest.raises(VersionRuleError) as caught:
        parse_tag(tag)
    assert reason in caught.value.message
    assert "X.Y.Z, X.Y.ZrcN or X.Y.Z.postN" in str(caught.value.hint)


@pytest.mark.parametrize("tag", ["vnext", "v", "release-1", ""])
def test_tags_that_are_no_version_at_all(tag: str) -> None:
    with pytest.raises(VersionRuleError):
        parse_tag(tag)


def test_pyproject_version_must_be_canonical() -> None:
    with pytest.raises(VersionRuleError) as caught:
        parse_version("1.4.0-rc1", where="pyproject.toml [project].version")
    assert caught.value.hint == "write 1.4.0rc1 instead"
    assert "pyproject.toml" in caught.value.message


def test_consumed_tags_are_read_leniently() -> None:
    tags = ["v1.0.0-rc1", "1.0.0rc2", "docs-2024", "latest", "v1.0.0"]
    assert {str(v) for v in consumed_from_tags(tags)} == {"1.0.0rc1", "1.0.0rc2", "1.0.0"}


HUGE = "1" * 5000  # past Python's int-conversion limit, which packaging lets escape as ValueError


@pytest.mark.parametrize(
    "parse",
    [
        lambda: parse_version(HUGE),
        lambda: parse_version("1.0.0rc" + HUGE),
        lambda: parse_tag("v1.0." + HUGE),
        lambda: parse_tag("refs/tags/v" + HUGE + ".0.0"),
    ],
)
def test_a_number_of_thousands_of_digits_is_one_short_rule_error(parse: Callable[[], Any]) -> None:
    with pytest.raises(VersionRuleError) as caught:
        parse()
    assert "has a number of more than 100 digits" in caught.value.message
    assert len(caught.value.message) < 120  # the input is quoted cut short, not echoed whole


def test_a_huge_input_is_quoted_cut_short() -> None:
    with pytest.raises(VersionRuleError) as caught:
        parse_tag("release-" + "x" * 10_000)
    assert caught.value.message == f"tag 'release-{'x' * 49}...' does not start with 'v'"


def test_a_tag_with_a_huge_number_consumes_nothing() -> None:
    assert consumed_from_tags(["v" + HUGE, "v1.0.0"]) == {Version("1.0.0")}
