"""One fix-forward rule across every command, on real-looking tag histories.

Each row: the tags a repository carries, a command, and what it gives: a version, or the error
class and the next free version its hint names. `next`/`bump` see every tag; `plan` of a pushed
tag and `upload` see the same history but never count the version's own tag against it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from packaging.version import Version

from release.core.errors import ConsumedVersion, ReleaseError
from release.pipeline.plan import Event, Trigger, make_plan
from release.versioning.check import VersionSources
from release.versioning.consumed import consumed_from_tags
from release.versioning.fixforward import ensure_publishable, ensure_unconsumed, next_version
from release.versioning.versions import (
    Kind,
    ReleaseVersion,
    parse_tag,
    parse_version,
)

Consumed = frozenset[Version]

# The history that exposed the bug: 1.4.0 shipped and was fixed by .post1, but its own tag is
# missing (deleted, or pushed from another clone).
POST_WITHOUT_FINAL = ("v1.3.0", "v1.4.0rc1", "v1.4.0rc2", "v1.4.0.post1")
SHIPPED = ("v1.3.0", "v1.4.0rc1", "v1.4.0rc2", "v1.4.0")
RCS_WITH_GAPS = ("v1.3.0", "v1.3.0.post1", "v1.4.0rc1", "v1.4.0rc6", "v1.4.0rc8", "docs-2024")
SPELT_LOOSELY = ("v1.4.0-rc3", "1.4.0rc4", "V1.4.0.RC5")

HISTORIES = [
    # next: one past the highest consumed rc / post; a released final takes no rc
    ((), "next rc 1.4.0", "1.4.0rc1"),
    (RCS_WITH_GAPS, "next rc 1.4.0", "1.4.0rc9"),
    (SPELT_LOOSELY, "next rc 1.4.0", "1.4.0rc6"),
    (RCS_WITH_GAPS, "next final 1.4.0", "1.4.0"),
    (RCS_WITH_GAPS, "next post 1.3.0", "1.3.0.post2"),
    (RCS_WITH_GAPS, "next post 1.4.0", "VersionRuleError: 1.4.0rc9"),
    (SHIPPED, "next rc 1.4.0", "ConsumedVersion: 1.4.0.post1"),
    (SHIPPED, "next final 1.4.0", "ConsumedVersion: 1.4.0.post1"),
    (SHIPPED, "next post 1.4.0", "1.4.0.post1"),
    (POST_WITHOUT_FINAL, "next final 1.4.0", "ConsumedVersion: 1.4.0.post2"),
    (POST_WITHOUT_FINAL, "next rc 1.4.0", "ConsumedVersion: 1.4.0.post2"),
    (POST_WITHOUT_FINAL, "next post 1.4.0", "1.4.0.post2"),
    (POST_WITHOUT_FINAL, "next rc 1.4.1", "1.4.1rc1"),
    # bump to an explicit version: the same rule, and never a reuse
    (RCS_WITH_GAPS, "bump 1.4.0rc8", "ConsumedVersion: 1.4.0rc9"),
    (RCS_WITH_GAPS, "bump 1.4.0rc9", "1.4.0rc9"),
    (RCS_WITH_GAPS, "bump 1.4.0", "1.4.0"),
    (SHIPPED, "bump 1.4.0", "ConsumedVersion: 1.4.0.post1"),
    (SHIPPED, "bump 1.4.0rc3", "ConsumedVersion: 1.4.0.post1"),
    (SHIPPED, "bump 1.4.0.post1", "1.4.0.post1"),
    (POST_WITHOUT_FINAL, "bump 1.4.0", "ConsumedVersion: 1.4.0.post2"),
    (POST_WITHOUT_FINAL, "bump 1.4.0rc3", "ConsumedVersion: 1.4.0.post2"),
    (POST_WITHOUT_FINAL, "bump 1.4.0.post1", "ConsumedVersion: 1.4.0.post2"),
    (POST_WITHOUT_FINAL, "bump 1.4.0.post2", "1.4.0.post2"),
    # plan of a pushed tag: the version's own tag is expected, the others count
    ((*RCS_WITH_GAPS, "v1.4.0rc9"), "plan v1.4.0rc9", "1.4.0rc9"),
    ((*SHIPPED, "v1.4.0rc3"), "plan v1.4.0rc3", "ConsumedVersion: 1.4.0.post1"),
    (SHIPPED, "plan v1.4.0", "1.4.0"),
    ((*SHIPPED, "v1.4.0.post1"), "plan v1.4.0", "ConsumedVersion: 1.4.0.post2"),
    ((*SHIPPED, "v1.4.0.post1"), "plan v1.4.0.post1", "1.4.0.post1"),
    (POST_WITHOUT_FINAL, "plan v1.4.0.post1", "1.4.0.post1"),
    ((*POST_WITHOUT_FINAL, "v1.4.0"), "plan v1.4.0", "ConsumedVersion: 1.4.0.post2"),
    ((*POST_WITHOUT_FINAL, "v1.4.0rc3"), "plan v1.4.0rc3", "ConsumedVersion: 1.4.0.post2"),
    (("v1.4.0.post1",), "plan v1.4.0.post1", "1.4.0.post1"),  # a shallow clone tells no more
    ((), "plan v1.4.0.post3", "1.4.0.post3"),  # no tags at all: nothing refuses
    # upload: the version's own presence is judged file by file, so only the others count
    (RCS_WITH_GAPS, "upload 1.4.0rc8", "1.4.0rc8"),
    (SHIPPED, "upload 1.4.0", "1.4.0"),
    (SHIPPED, "upload 1.4.0rc2", "ConsumedVersion: 1.4.0.post1"),
    (POST_WITHOUT_FINAL, "upload 1.4.0", "ConsumedVersion: 1.4.0.post2"),
    (POST_WITHOUT_FINAL, "upload 1.4.0.post1", "1.4.0.post1"),
    ((), "upload 1.4.0.post1", "1.4.0.post1"),  # no "needs its final" rule: tags may be absent
]


def _next(seen: Consumed, kind: str, base: str) -> ReleaseVersion:
    return next_version(Kind(kind), Version(base), seen)


def _bump(seen: Consumed, text: str) -> ReleaseVersion:
    version = parse_version(text)
    ensure_unconsumed(version, seen)
    return version


def _plan(seen: Consumed, tag: str) -> ReleaseVersion:
    version = str(parse_tag(tag))
    sources = VersionSources("proxbox-api", version, version)
    pushed = Trigger(Event.PUSH, f"refs/tags/{tag}")
    return make_plan(pushed, sources, ("3.12",), None, seen).version


def _upload(seen: Consumed, text: str) -> ReleaseVersion:
    version = parse_version(text)
    ensure_publishable(version, seen)  # what release.upload.stage asks before anything is sent
    return version


COMMANDS: dict[str, Callable[..., ReleaseVersion]] = {
    "next": _next,
    "bump": _bump,
    "plan": _plan,
    "upload": _upload,
}


def outcome(tags: tuple[str, ...], command: str) -> str:
    """The version the command gives, or the error class and the version its hint names."""
    verb, *args = command.split()
    try:
        return str(COMMANDS[verb](consumed_from_tags(tags), *args))
    except ReleaseError as exc:
        named = re.findall(r"\d+\.\d+\.\d+(?:rc\d+|\.post\d+)?", exc.hint or "")
        return f"{type(exc).__name__}: {named[-1] if named else '(no version named)'}"


@pytest.mark.parametrize(("tags", "command", "expected"), HISTORIES)
def test_one_rule_for_every_command(tags: tuple[str, ...], command: str, expected: str) -> None:
    assert outcome(tags, command) == expected


def test_the_refusal_says_why_and_what_to_tag() -> None:
    with pytest.raises(ConsumedVersion) as caught:
        _plan(consumed_from_tags(POST_WITHOUT_FINAL), "v1.4.0")
    assert caught.value.message == (
        "v1.4.0 may not be released: 1.4.0.post1 is consumed, so 1.4.0 was released and is "
        "never reused"
    )
    assert caught.value.hint == (
        "tag v1.4.0.post2 instead; `nox -s bump -- post` (staged-release bump post) does it"
    )
