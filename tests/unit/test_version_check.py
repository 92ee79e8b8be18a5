"""Agreement of pyproject.toml, uv.lock, the tag and the expected version."""

from __future__ import annotations

import pytest

from release.core.errors import VersionMismatch, VersionRuleError
from release.versioning.check import VersionSources, ci_tag, pick_head_tag, verify


def test_all_sources_agree() -> None:
    sources = VersionSources("proxbox-api", "1.4.0rc1", "1.4.0rc1", "v1.4.0rc1", "1.4.0rc1")
    assert str(verify(sources)) == "1.4.0rc1"


MISMATCHES = [
    (("1.4.0", "1.3.9", None, None), "uv.lock still says 1.3.9 — run `uv lock`"),
    (("1.4.0", "1.4.0", "v1.4.1", None), "the tag is v1.4.1 but pyproject.toml says 1.4.0"),
    (("1.4.0", "1.4.0", None, "1.4.1"), "expected 1.4.1 but the project holds 1.4.0"),
    (("1.4.0", "1.4.0", None, "v1.4.0rc1"), "expected v1.4.0rc1"),
]


@pytest.mark.parametrize(("values", "hint"), MISMATCHES)
def test_mismatch_says_what_to_change(values: tuple[str, str, str, str], hint: str) -> None:
    with pytest.raises(VersionMismatch) as caught:
        verify(VersionSources("proxbox-api", *values))
    assert hint in str(caught.value.hint)


def test_every_source_is_listed_with_its_value() -> None:
    with pytest.raises(VersionMismatch) as caught:
        verify(VersionSources("proxbox-api", "1.4.0", "1.3.9", "v1.4.1", "1.4.2"))
    assert caught.value.message == (
        "proxbox-api: version sources disagree: pyproject.toml 1.4.0, uv.lock 1.3.9, "
        "tag v1.4.1, expected 1.4.2"
    )
    assert str(caught.value.hint).count(";") == 2


def test_expected_version_compares_normalized() -> None:
    version = verify(VersionSources("p", "1.4.0rc1", "1.4.0rc1", None, "1.4.0-rc1"))
    # the release is pyproject.toml's canonical spelling, not the expected one's
    assert (str(version), version.tag) == ("1.4.0rc1", "v1.4.0rc1")


CI_ENVS = [
    ({"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/tags/v1.2.3"}, "v1.2.3"),
    ({"GITHUB_ACTIONS": "true", "GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v1.2.3"}, "v1.2.3"),
    ({"GITHUB_ACTIONS": "true", "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main"}, None),
    ({"GITHUB_REF": "refs/tags/v1.2.3"}, None),
]


@pytest.mark.parametrize(("env", "tag"), CI_ENVS)
def test_ci_tag(env: dict[str, str], tag: str | None) -> None:
    assert ci_tag(env) == tag


def test_head_tag_ignores_other_tags_and_refuses_ambiguity() -> None:
    assert pick_head_tag(["latest", "v1.2.3", "docs-v2"]) == "v1.2.3"
    assert pick_head_tag(["latest"]) is None
    with pytest.raises(VersionRuleError) as caught:
        pick_head_tag(["v1.2.3rc2", "v1.2.3"])
    assert caught.value.hint == "say which one with --tag"
