"""Which Docker tags and labels an image gets, and whether a push may go ahead (pure).

Every variant is tagged with the version (`1.4.0`, `1.4.0-nginx`, `1.4.0-granian`); the `latest`
tags follow the highest final or post-release PyPI lists. Version tags never move: a tag that
already holds another wheel refuses the whole push, and the next free version is named instead.
An image is recognised by the sha256 of the wheel it was built from, carried as a label.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from packaging.version import Version

from release.core.errors import ConfigError, ConsumedVersion, VersionRuleError
from release.versioning.fixforward import retag_hint, successor
from release.versioning.versions import Kind, ReleaseVersion

VARIANTS = ("raw", "nginx", "granian")
LATEST = "latest"
OWNER_LABEL = "dev.staged-release"  # marks what the suite made (release.containers.engine.LABEL)
OWNER_VALUE = "image"  # beside "base", the base image release.containers.base_image makes
WHEEL_LABEL = "dev.staged-release.wheel-sha256"  # what recognises an identical re-push
VERSION_LABEL = "org.opencontainers.image.version"
REVISION_LABEL = "org.opencontainers.image.revision"
SOURCE_LABEL = "org.opencontainers.image.source"


class CandidateNotPushed(VersionRuleError):
    """A release candidate was about to get a pushed image tag."""


class ImageTagTaken(ConsumedVersion):
    """A version tag in the registry already holds an image built from another wheel."""


def tags_for(
    image: str, version: ReleaseVersion, listed: frozenset[Version], variant: str
) -> list[str]:
    """`IMAGE:TAG` for every tag of `variant`; `listed` is what PyPI lists for the package."""
    if version.kind is Kind.RC:
        raise CandidateNotPushed(
            f"{version} is a release candidate, and release candidates get no pushed image tag",
            hint=f"images are published for finals and post-releases: tag v{version.base} "
            "once this rc is green",
        )
    suffix = _suffix(variant)
    names = [f"{version}{suffix}"]
    if is_latest(version, listed):
        names.append(f"{LATEST}{suffix}")
    return [f"{image}:{name}" for name in names]


def is_latest(version: ReleaseVersion, listed: frozenset[Version]) -> bool:
    """A final or .postN that no listed final or .postN outranks (pre-releases do not count)."""
    if version.kind is Kind.RC:
        return False
    released = [v for v in listed if not v.is_prerelease]
    return all(v <= version.version for v in released)


def labels(
    version: ReleaseVersion, revision: str, wheel_sha256: str, source_url: str | None
) -> dict[str, str]:
    found = {
        VERSION_LABEL: str(version),
        REVISION_LABEL: revision,
        WHEEL_LABEL: wheel_sha256,
        OWNER_LABEL: OWNER_VALUE,
    }
    if source_url:
        found[SOURCE_LABEL] = source_url
    return found


class TagAction(enum.StrEnum):
    PUSH = "push"
    IDENTICAL = "already pushed (identical)"  # a re-run after a partial push resumes here
    REFUSED = "holds another wheel"


@dataclass(frozen=True)
class PushPlan:
    actions: dict[str, TagAction]  # per `IMAGE:TAG`, in the order given

    def tags(self, action: TagAction) -> list[str]:
        return [tag for tag, done in self.actions.items() if done is action]


def plan_push(wheel_sha256: str, found: Mapping[str, str | None]) -> PushPlan:
    """Per tag: push, skip (identical) or refuse. `found` maps each `IMAGE:TAG` to the wheel
    label of the image the registry holds under it: None when the tag is absent, "" when the
    image there has no such label (not ours, so not provably identical)."""
    return PushPlan({tag: _action(tag, wheel_sha256, held) for tag, held in found.items()})


def ensure_pushable(plan: PushPlan, version: ReleaseVersion, consumed: frozenset[Version]) -> None:
    """Refuse the whole push when any version tag holds another wheel, naming the next free
    version (`consumed`: every version any index or tag has seen)."""
    refused = plan.tags(TagAction.REFUSED)
    if refused:
        instead = successor(version, consumed | {version.version})
        raise ImageTagTaken(
            f"{', '.join(refused)} already {TagAction.REFUSED}, and a version tag is never "
            "overwritten",
            hint=retag_hint(instead),
        )


def tag_of(ref: str) -> str:
    """The tag of `IMAGE:TAG` (a registry's `host:port/` prefix is not a tag)."""
    name, _, tag = ref.rpartition(":")
    return tag if name and "/" not in tag else ""


def read_tag(tag: str) -> tuple[str, str]:
    """The inverse of `tags_for` for one tag: (what it names, variant), e.g. "1.4.0-nginx" ->
    ("1.4.0", "nginx"), "latest" -> ("latest", "raw"). A tag of no variant reads as raw."""
    for variant in VARIANTS[1:]:
        name = tag.removesuffix(_suffix(variant))
        if name != tag:
            return name, variant
    return tag, VARIANTS[0]


def is_moving(ref: str) -> bool:
    """`latest` and `latest-VARIANT` follow the newest release; version tags never move."""
    tag = tag_of(ref)
    return tag == LATEST or tag.startswith(f"{LATEST}-")


def _action(ref: str, wheel_sha256: str, held: str | None) -> TagAction:
    if held == wheel_sha256:
        return TagAction.IDENTICAL
    if held is None or is_moving(ref):
        return TagAction.PUSH
    return TagAction.REFUSED


def _suffix(variant: str) -> str:
    if variant not in VARIANTS:
        raise ConfigError(
            f"unknown image variant {variant!r}", hint=f"use one of: {', '.join(VARIANTS)}"
        )
    return "" if variant == "raw" else f"-{variant}"
