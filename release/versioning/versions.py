"""Version rules: which versions and tags a release may carry (pure).

Accepted kinds are a final `X.Y.Z`, a release candidate `X.Y.ZrcN` and a post-release
`X.Y.Z.postN`; the tag is `v` followed by the canonical PEP 440 spelling.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from release.core.errors import VersionRuleError

TAG_PREFIX = "v"
ACCEPTED_FORMS = "X.Y.Z, X.Y.ZrcN or X.Y.Z.postN"
QUOTE_LIMIT = 60  # characters of an input quoted in a message: a pasted blob keeps it one line
# Far below Python's int-conversion limit (4300 digits by default, 640 at the lowest), which
# packaging lets escape as a bare ValueError; a number this short and its successor always convert.
LONGEST_NUMBER = 100
_TOO_LONG = re.compile(f"[0-9]{{{LONGEST_NUMBER + 1}}}")


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
            f"{where} is spelt {quote(text)}, which is not the canonical PEP 440 form",
            hint=f"write {shorten(str(version))} instead",
        )
    return ReleaseVersion(version, _kind(version, where))


def parse_tag(tag: str) -> ReleaseVersion:
    """Parse a tag (or `refs/tags/...` ref): exactly `v` + canonical accepted version."""
    name = strip_ref(tag)
    if not name.startswith(TAG_PREFIX):
        raise VersionRuleError(
            f"tag {quote(name)} does not start with {TAG_PREFIX!r}",
            hint=_canonical_hint(name.lstrip("vV")),
        )
    version = _pep440(name[len(TAG_PREFIX) :], "tag", shown=name)
    kind = _kind(version, f"tag {quote(name)}")
    if name != f"{TAG_PREFIX}{version}":
        raise VersionRuleError(
            f"tag {quote(name)} is not spelt canonically",
            hint=f"name the tag {shorten(TAG_PREFIX + str(version))}",
        )
    return ReleaseVersion(version, kind)


def strip_ref(ref: str) -> str:
    return ref.removeprefix("refs/tags/")


def is_tag_ref(ref: str) -> bool:
    return ref.startswith("refs/tags/")


def looks_like_version_tag(name: str) -> bool:
    """`v1...` or `V1...`: meant as a version tag, so the strict rules apply to it."""
    return name[:1] in ("v", "V") and name[1:2].isdigit()


def loose_version(text: str) -> Version:
    """Any PEP 440 spelling, with or without `v` or `refs/tags/` (raises InvalidVersion)."""
    return to_version(strip_ref(text).lstrip("vV"))


def to_version(text: str) -> Version:
    """`Version(text)` for any input: every refusal is an InvalidVersion, whose message says what
    is wrong in words that follow the quoted input ("is not a PEP 440 version")."""
    if _TOO_LONG.search(text):
        raise InvalidVersion(f"has a number of more than {LONGEST_NUMBER} digits")
    try:
        return Version(text)
    except InvalidVersion:
        raise InvalidVersion("is not a PEP 440 version") from None


def quote(text: str) -> str:
    """`text` quoted for a message, cut short so that a huge input keeps the message one line."""
    return repr(shorten(text))


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _pep440(text: str, where: str, shown: str | None = None) -> Version:
    """`text` as a Version; refused with `where` and the input as given (`shown`) quoted."""
    try:
        return to_version(text)
    except InvalidVersion as exc:
        message = f"{where} {quote(text if shown is None else shown)} {exc}"
        raise VersionRuleError(message, hint=f"use one of {ACCEPTED_FORMS}") from None


def _kind(version: Version, where: str) -> Kind:
    problem = _rejection(version)
    if problem:
        raise VersionRuleError(
            f"{where} ({shorten(str(version))}) is {problem}",
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
    return shorten(".".join(map(str, parts))) + "rc1"


def _canonical_hint(text: str) -> str:
    try:
        return f"name the tag {shorten(TAG_PREFIX + str(to_version(text)))}"
    except InvalidVersion:
        return f"name the tag {TAG_PREFIX} followed by {ACCEPTED_FORMS}"
