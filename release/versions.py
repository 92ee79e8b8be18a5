"""Version rules: which versions and tags a release may carry (pure).

Accepted kinds are a final `X.Y.Z`, a release candidate `X.Y.ZrcN` and a post-release
`X.Y.Z.postN`; the tag is `v` followed by the canonical PEP 440 spelling.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from release.errors import VersionRuleError

TAG_PREFIX = "v"
ACCEPTED_FORMS = "X.Y.Z, X.Y.ZrcN or X.Y.Z.postN"


class Kind(enum.StrEnum):
    FINAL = "final"
    RC = "rc"
    POST = "post"


@dataclass(frozen=True, order=True)
class ReleaseVersion:
    """A version that passed the rules; `str()` gives its canonical spelling."""

    version: Version
    kind: Kind

    @property
    def base(self) -> Version:
        return Version(self.version.base_version)

    @property
    def tag(self) -> str:
        return f"{TAG_PREFIX}{self.version}"

    def __str__(self) -> str:
        return str(self.version)


def parse_version(text: str, *, where: str = "the version") -> ReleaseVersion:
    """Parse `text` strictly: it must be canonical and one of the accepted kinds."""
    version = _pep440(text, where)
    if str(version) != text:
        raise VersionRuleError(
            f"{where} is spelt {text!r}, which is not the canonical PEP 440 form",
            hint=f"write {version} instead",
        )
    return ReleaseVersion(version, _kind(version, where))


def parse_tag(tag: str) -> ReleaseVersion:
    """Parse a tag (or `refs/tags/...` ref): exactly `v` + canonical accepted version."""
    name = strip_ref(tag)
    if not name.startswith(TAG_PREFIX):
        raise VersionRuleError(
            f"tag {name!r} does not start with {TAG_PREFIX!r}",
            hint=_canonical_hint(name.lstrip("vV")),
        )
    version = _pep440(name[len(TAG_PREFIX) :], f"tag {name!r}")
    kind = _kind(version, f"tag {name!r}")
    if name != f"{TAG_PREFIX}{version}":
        raise VersionRuleError(
            f"tag {name!r} is not spelt canonically", hint=f"name the tag {TAG_PREFIX}{version}"
        )
    return ReleaseVersion(version, kind)


def strip_ref(ref: str) -> str:
    return ref.removeprefix("refs/tags/")


def is_tag_ref(ref: str) -> bool:
    return ref.startswith("refs/tags/")


def looks_like_version_tag(name: str) -> bool:
    """`v1...` or `V1...`: meant as a version tag, so the strict rules apply to it."""
    return name[:1] in ("v", "V") and name[1:2].isdigit()


def consumed_from_tags(tags: Iterable[str]) -> frozenset[Version]:
    """Versions that tags have consumed, read leniently: any tag once pushed counts."""
    found = set()
    for tag in tags:
        try:
            found.add(loose_version(tag))
        except InvalidVersion:
            continue  # not a version tag ("docs-2024", "latest"): it consumes nothing
    return frozenset(found)


def loose_version(text: str) -> Version:
    """Any PEP 440 spelling, with or without `v` or `refs/tags/` (raises InvalidVersion)."""
    return Version(strip_ref(text).lstrip("vV"))


def _pep440(text: str, where: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise VersionRuleError(
            f"{where} {text!r} is not a PEP 440 version", hint=f"use one of {ACCEPTED_FORMS}"
        ) from None


def _kind(version: Version, where: str) -> Kind:
    problem = _rejection(version)
    if problem:
        raise VersionRuleError(
            f"{where} ({version}) is {problem}",
            hint=f"use one of {ACCEPTED_FORMS}, for example {_example(version)}",
        )
    if version.pre is not None:
        return Kind.RC
    return Kind.POST if version.post is not None else Kind.FINAL


def _rejection(version: Version) -> str | None:
    """Why `version` is not an accepted kind, or None when it is."""
    checks = (
        (version.epoch != 0, "an epoch version"),
        (version.local is not None, "a local version"),
        (version.dev is not None, "a dev release"),
        (version.pre is not None and version.pre[0] != "rc", "an alpha or beta"),
        (version.pre is not None and version.post is not None, "a post-release of an rc"),
        (len(version.release) != 3, "not of the form X.Y.Z"),
        (version.pre is not None and version.pre[1] == 0, "rc0 (rc numbers start at 1)"),
        (version.post == 0, "post0 (post numbers start at 1)"),
    )
    return next((reason for failed, reason in checks if failed), None)


def _example(version: Version) -> str:
    parts = [*version.release, 0, 0, 0][:3]
    return ".".join(map(str, parts)) + "rc1"


def _canonical_hint(text: str) -> str:
    try:
        return f"name the tag {TAG_PREFIX}{Version(text)}"
    except InvalidVersion:
        return f"name the tag {TAG_PREFIX} followed by {ACCEPTED_FORMS}"
