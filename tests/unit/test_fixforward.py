"""Fix-forward: the next rc / final / post from consumed versions, gaps and all."""

from __future__ import annotations

import pytest
from packaging.version import Version

from release.core.errors import ConsumedVersion, VersionRuleError
from release.versioning.fixforward import (
    ensure_unconsumed,
    next_version,
    parse_base,
    parse_consumed,
    refusal,
)
from release.versioning.versions import Kind, parse_version


def consumed(*versions: str) -> frozenset[Version]:
    return parse_consumed(versions)


NEXT = [
    (Kind.RC, "1.4.0", (), "1.4.0rc1"),
    (Kind.RC, "1.4.0", ("1.4.0rc1",), "1.4.0rc2"),
    (Kind.RC, "1.4.0", ("1.4.0rc6", "1.4.0rc8"), "1.4.0rc9"),
    (Kind.RC, "1.4.0", ("1.3.0rc9", "1.4.1rc4", "1.4.0rc2"), "1.4.0rc3"),
    (Kind.RC, "1.4.0", ("v1.4.0-rc3",), "1.4.0rc4"),
    (Kind.RC, "1.4.0", ("1.4.0a7", "1.4.0.dev3"), "1.4.0rc1"),
    (Kind.FINAL, "1.4.0", ("1.4.0rc1", "1.4.0rc2"), "1.4.0"),
    (Kind.FINAL, "1.4.0", ("1.3.0", "1.3.0.post1"), "1.4.0"),
    (Kind.POST, "1.4.0", ("1.4.0",), "1.4.0.post1"),
    (Kind.POST, "1.4.0", ("1.4.0", *(f"1.4.0.post{n}" for n in range(1, 12))), "1.4.0.post12"),
    (Kind.POST, "1.4.0", ("1.4.0", "1.4.0.post2", "1.4.0.post9"), "1.4.0.post10"),
    (Kind.POST, "1.4.0", ("1.4", "1.4.0rc1.post3"), "1.4.0.post1"),
    (Kind.POST, "1.4.0", ("1.4.0", "1.3.0.post5"), "1.4.0.post1"),
]


@pytest.mark.parametrize(("kind", "base", "seen", "expected"), NEXT)
def test_next_version(kind: Kind, base: str, seen: tuple[str, ...], expected: str) -> None:
    assert str(next_version(kind, Version(base), consumed(*seen))) == expected


def test_no_rc_after_the_final_was_released() -> None:
    with pytest.raises(ConsumedVersion) as caught:
        next_version(Kind.RC, Version("1.4.0"), consumed("1.4.0rc2", "1.4.0", "1.4.0.post1"))
    assert "1.4.0.post2" in str(caught.value.hint)


def test_a_consumed_final_is_refused_with_the_next_post() -> None:
    with pytest.raises(ConsumedVersion) as caught:
        next_version(Kind.FINAL, Version("1.4.0"), consumed("1.4.0", "1.4.0.post1"))
    assert caught.value.hint == "use 1.4.0.post2 (`staged-release bump post`)"


def test_a_consumed_post_proves_the_final_was_released_without_its_tag() -> None:
    with pytest.raises(ConsumedVersion) as caught:
        next_version(Kind.FINAL, Version("1.4.0"), consumed("1.4.0rc2", "1.4.0.post1"))
    assert caught.value.message == (
        "1.4.0.post1 is consumed, so 1.4.0 was released and is never reused"
    )
    assert caught.value.hint == "use 1.4.0.post2 (`staged-release bump post`)"


def test_no_post_before_the_final() -> None:
    with pytest.raises(VersionRuleError) as caught:
        next_version(Kind.POST, Version("1.4.0"), consumed("1.4.0rc3"))
    assert "1.4.0rc4" in str(caught.value.hint)


def test_consumed_rc_names_the_next_free_rc() -> None:
    with pytest.raises(ConsumedVersion) as caught:
        ensure_unconsumed(parse_version("1.4.0rc2"), consumed("1.4.0rc2", "1.4.0rc5"))
    assert caught.value.hint == "use 1.4.0rc6 (`staged-release bump rc`)"


UNCONSUMED = [
    ("1.4.0rc3", ("1.4.0rc2",)),
    ("1.4.0rc3", ("1.4.0rc1", "1.3.0")),  # a gap is fine
    ("1.4.0", ("1.4.0rc1", "1.4.0rc2")),
    ("1.4.0.post2", ("1.4.0", "1.4.0.post1")),
]


@pytest.mark.parametrize(("text", "seen"), UNCONSUMED)
def test_unconsumed_version_passes(text: str, seen: tuple[str, ...]) -> None:
    version = parse_version(text)
    assert refusal(version, consumed(*seen)) is None  # the rule's verdict: nothing to refuse
    ensure_unconsumed(version, consumed(*seen))  # so the command goes on (raises nothing)


def test_the_version_a_bump_picks_is_one_the_rule_lets_pass() -> None:
    seen = consumed("1.4.0rc2")
    picked = next_version(Kind.RC, Version("1.4.0"), seen)
    assert str(picked) == "1.4.0rc3"
    assert refusal(picked, seen) is None


@pytest.mark.parametrize("text", ["1.4.0rc1", "1.4", "1.4.0.post1", "nope"])
def test_base_must_be_x_y_z(text: str) -> None:
    with pytest.raises(VersionRuleError):
        parse_base(text)


def test_bad_consumed_value_is_a_user_error() -> None:
    with pytest.raises(VersionRuleError):
        parse_consumed(["one.two"])
