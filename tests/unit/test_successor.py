"""The version offered after a consumed one: the next rc before the final, the next post after."""

from __future__ import annotations

import pytest
from packaging.version import Version

from release.core.errors import ConsumedVersion
from release.versioning.fixforward import next_version, parse_consumed, successor
from release.versioning.versions import Kind, parse_version

SUCCESSORS = [
    # (consumed version, everything consumed, the successor)
    ("1.4.0rc1", ("1.4.0rc1",), "1.4.0rc2"),
    ("1.4.0rc2", ("1.4.0rc1", "1.4.0rc2"), "1.4.0rc3"),
    ("1.4.0rc6", ("1.4.0rc6", "1.4.0rc8"), "1.4.0rc9"),
    ("1.4.0rc1", ("1.4.0rc1", "1.3.0rc7", "1.4.1rc5", "1.3.0.post4"), "1.4.0rc2"),
    ("1.4.0rc1", ("v1.4.0-rc1", "1.4.0c3"), "1.4.0rc4"),
    ("1.4.0rc3", ("1.4.0rc3", "1.4.0"), "1.4.0.post1"),
    ("1.4.0", ("1.4.0rc2", "1.4.0"), "1.4.0.post1"),
    ("1.4.0", ("1.4.0", "1.4.0.post2", "1.4.0.post9"), "1.4.0.post10"),
    ("1.4.0", ("1.4.0", "1.3.0.post5", "1.4.1.post2"), "1.4.0.post1"),
    ("1.4.0.post1", ("1.4.0", "1.4.0.post1"), "1.4.0.post2"),
    ("1.4.0.post3", ("1.4.0", "1.4.0.post3", "1.4.0.post1"), "1.4.0.post4"),
]


@pytest.mark.parametrize(("version", "seen", "expected"), SUCCESSORS)
def test_successor(version: str, seen: tuple[str, ...], expected: str) -> None:
    nxt = successor(parse_version(version), parse_consumed(seen))
    assert str(nxt) == expected


def test_successor_is_a_release_version_of_the_right_kind() -> None:
    rc = successor(parse_version("1.4.0rc1"), parse_consumed(["1.4.0rc1"]))
    post = successor(parse_version("1.4.0"), parse_consumed(["1.4.0"]))
    assert (rc.kind, rc.tag) == (Kind.RC, "v1.4.0rc2")
    assert (post.kind, post.tag) == (Kind.POST, "v1.4.0.post1")


def test_a_consumed_post_is_followed_by_the_next_post() -> None:
    nxt = successor(parse_version("1.4.0.post1"), parse_consumed(["1.4.0.post1"]))
    assert str(nxt) == "1.4.0.post2"


def test_next_rc_is_refused_once_a_post_proves_the_final_is_out() -> None:
    with pytest.raises(ConsumedVersion):
        next_version(Kind.RC, Version("1.4.0"), parse_consumed(["1.4.0rc2", "1.4.0.post1"]))
