"""Stage `version_check`: pyproject.toml, uv.lock, the tag and the expected version agree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion

from release import git
from release.errors import VersionMismatch, VersionRuleError
from release.versions import (
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
    pyproject: str
    lock: str
    tag: str | None = None
    expected: str | None = None


def verify(sources: VersionSources) -> ReleaseVersion:
    """The release version when every source agrees; VersionMismatch naming all otherwise."""
    version = parse_version(sources.pyproject, where="pyproject.toml [project].version")
    tagged = parse_tag(sources.tag) if sources.tag else None
    hints = []
    if _differs(sources.lock, version):
        hints.append(f"uv.lock still says {shorten(sources.lock)} — run `uv lock`")
    if tagged is not None and tagged != version:
        hints.append(
            f"the tag is {tagged.tag} but pyproject.toml says {version} — tag {version.tag} "
            f"instead, or run `staged-release bump {tagged}` and tag that commit"
        )
    if _differs(sources.expected, version):
        hints.append(
            f"expected {shorten(sources.expected or '')} but the project holds {version} — "
            f"check out the right ref or pass expected_version={version}"
        )
    if hints:
        raise VersionMismatch(
            f"{sources.package}: version sources disagree: {_listing(sources)}",
            hint="; ".join(hints),
        )
    return version


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


def _differs(text: str | None, version: ReleaseVersion) -> bool:
    if text is None:
        return False
    try:
        return to_version(text) != version.version
    except InvalidVersion:
        return True


def _listing(sources: VersionSources) -> str:
    parts = [f"pyproject.toml {sources.pyproject}", f"uv.lock {sources.lock}"]
    if sources.tag:
        parts.append(f"tag {strip_ref(sources.tag)}")
    if sources.expected:
        parts.append(f"expected {sources.expected}")
    return ", ".join(map(shorten, parts))  # a pasted blob must not flood the one-line error
