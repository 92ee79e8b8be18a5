"""The version check: pyproject.toml, uv.lock, the tag and the expected version agree.

A dynamic version (`dynamic = ["version"]`: hatch-vcs, setuptools-scm, pdm-backend's scm source)
is the tag's, so the tag is then required, and the tag rules are the version rules. One the
build backend reads from a file (release.versioning.held) is compared as pyproject.toml's is,
under that file's name (`origin`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion

from release.core import git
from release.core.errors import ConfigError, VersionMismatch, VersionRuleError
from release.versioning.versions import (
    ReleaseVersion,
    is_tag_ref,
    looks_like_version_tag,
    parse_tag,
    parse_version,
    shorten,
    strip_ref,
    to_version,
)


@dataclass(frozen=True)
class VersionSources:
    package: str
    pyproject: str | None  # None: the version is dynamic, the tag gives it
    lock: str | None  # None: uv.lock's entry records no version (uv's way for a dynamic one)
    tag: str | None = None
    expected: str | None = None
    origin: str = "pyproject.toml"  # where `pyproject` is written: a backend's version file

    @property
    def where(self) -> str:
        return _where(self.origin)


TAG_HEAD_HINT = "tag HEAD with the release version (`git tag vX.Y.ZrcN`), or pass --tag"


def verify(sources: VersionSources) -> ReleaseVersion:
    """The release version when every source agrees; VersionMismatch naming all otherwise."""
    version = declared_version(sources)
    hints = _disagreements(sources, version)
    if hints:
        raise VersionMismatch(
            f"{sources.package}: version sources disagree: {_listing(sources)}",
            hint="; ".join(hints),
        )
    return version


def declared_version(sources: VersionSources) -> ReleaseVersion:
    """pyproject.toml's version, or for a dynamic one the tag's (ConfigError without a tag)."""
    if sources.pyproject is not None:
        return parse_version(sources.pyproject, where=sources.where)
    if sources.tag:
        return parse_tag(sources.tag)
    raise ConfigError(
        f"{shorten(sources.package)}'s version is dynamic (the git tag's), and no tag was given,"
        " none from CI and none at HEAD",
        hint=TAG_HEAD_HINT,
    )


def _disagreements(sources: VersionSources, version: ReleaseVersion) -> list[str]:
    """What to do about each source that names another version: one hint apiece."""
    tagged = parse_tag(sources.tag) if sources.tag else None
    hints = []
    # A dynamic version's lock entry, if uv wrote one, holds whatever the backend computed when
    # it locked (a dev version, say): it names no release, so only its presence counts.
    if sources.pyproject is not None and _differs(sources.lock, version):
        hints.append(f"uv.lock still says {shorten(sources.lock or '')} — run `uv lock`")
    if tagged is not None and tagged != version:
        hints.append(
            f"the tag is {tagged.tag} but {sources.origin} says {version} — tag {version.tag} "
            f"instead, or run `staged-release bump {tagged}` and tag that commit"
        )
    if _differs(sources.expected, version):
        hints.append(
            f"expected {shorten(sources.expected or '')} but the project holds {version} — "
            f"check out the right ref or pass expected_version={version}"
        )
    return hints


def resolve_tag(explicit: str | None, env: Mapping[str, str], root: Path) -> str | None:
    """The tag to check: --tag, else the CI tag, else the one version tag at HEAD, else None."""
    return explicit or ci_tag(env) or pick_head_tag(git.tags_at_head(root))


def ci_tag(env: Mapping[str, str]) -> str | None:
    if env.get("GITHUB_ACTIONS") != "true":
        return None
    ref = env.get("GITHUB_REF", "")
    if is_tag_ref(ref):
        return strip_ref(ref)
    return env.get("GITHUB_REF_NAME") if env.get("GITHUB_REF_TYPE") == "tag" else None


def pick_head_tag(tags: Sequence[str]) -> str | None:
    versions = [t for t in tags if looks_like_version_tag(t)]
    if len(versions) > 1:
        raise VersionRuleError(
            f"HEAD carries several version tags: {', '.join(sorted(versions))}",
            hint="say which one with --tag",
        )
    return versions[0] if versions else None


def tagged_version(head_tags: Sequence[str], tags: Sequence[str]) -> ReleaseVersion | None:
    """Where a dynamic version stands: the version tag at HEAD, else the repository's highest
    version tag (tags that break the rules name no release of ours and are passed over)."""
    head = pick_head_tag(head_tags)
    if head is not None:
        return parse_tag(head)
    return max(filter(None, map(_lenient_tag, tags)), default=None)


def _lenient_tag(tag: str) -> ReleaseVersion | None:
    try:
        return parse_tag(tag)
    except VersionRuleError:
        return None


def _differs(text: str | None, version: ReleaseVersion) -> bool:
    if text is None:
        return False
    try:
        return to_version(text) != version.version
    except InvalidVersion:
        return True


def _listing(sources: VersionSources) -> str:
    parts = [
        f"{sources.origin} {sources.pyproject}"
        if sources.pyproject
        else "pyproject.toml (dynamic)",
        f"uv.lock {sources.lock or '(no version)'}",
    ]
    if sources.tag:
        parts.append(f"tag {strip_ref(sources.tag)}")
    if sources.expected:
        parts.append(f"expected {sources.expected}")
    return ", ".join(map(shorten, parts))  # a pasted blob must not flood the one-line error


def current_version(
    name: str, declared: str | None, repo: Path, origin: str = "pyproject.toml"
) -> ReleaseVersion:
    """Where the project stands: the version pyproject.toml (or the backend's version file,
    `origin`) holds; a tag-derived one's is the version tag at HEAD, else the repository's
    highest."""
    if declared is not None:
        return parse_version(declared, where=_where(origin))
    found = tagged_version(git.tags_at_head(repo), git.tags(repo))
    if found is None:
        raise ConfigError(
            f"{name}'s version is dynamic (the git tag's), and no version tag exists yet",
            hint="pass --base X.Y.Z: the release the next version belongs to",
        )
    return found


def _where(origin: str) -> str:
    return "pyproject.toml [project].version" if origin == "pyproject.toml" else origin
