"""Lane planning (pure): which lane a trigger runs; the order of its stages is the stage table's
(release.pipeline.stages)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

from packaging.version import Version

from release.core.errors import LaneError
from release.pipeline.stages import Target, stage_names
from release.versioning.check import VersionSources, verify
from release.versioning.fixforward import ensure_publishable
from release.versioning.versions import (
    Kind,
    ReleaseVersion,
    is_tag_ref,
    looks_like_version_tag,
    strip_ref,
)


class Event(enum.StrEnum):
    PUSH = "push"
    RELEASE = "release"
    DISPATCH = "workflow_dispatch"
    LOCAL = "local"  # a maintainer asking "what happens when I tag this?"


@dataclass(frozen=True)
class Trigger:
    event: Event
    ref: str | None = None
    publish_target: Target | None = None
    source_ref: str | None = None
    expected_version: str | None = None


@dataclass(frozen=True)
class Plan:
    target: Target
    package: str
    version: ReleaseVersion
    tag_checked: bool  # False when no tag exists yet and the tag is derived from the version
    trigger: Trigger
    pythons: tuple[str, ...]

    @property
    def stages(self) -> list[str]:
        return stage_names(self.target, self.pythons)

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": str(self.target),
            "package": self.package,
            "version": str(self.version),
            "kind": str(self.version.kind),
            "tag": self.version.tag,
            "tag_checked": self.tag_checked,
            "event": str(self.trigger.event),
            "source_ref": self.trigger.source_ref or self.trigger.ref,
            "pythons": list(self.pythons),
            "stages": self.stages,
        }


def make_plan(
    trigger: Trigger,
    sources: VersionSources,
    pythons: tuple[str, ...],
    head_tag: str | None,
    consumed: frozenset[Version] = frozenset(),
) -> Plan:
    """Check the version rules for the trigger's ref and choose the lane. `consumed` holds the
    versions the repository's tags consumed (none in a shallow clone, and then none refuse)."""
    tag, requested = _route(trigger, head_tag)
    if sources.pyproject is None and tag is None:
        raise _untagged(sources.package, trigger)
    version = verify(replace(sources, tag=tag, expected=trigger.expected_version))
    target = target_for(version, requested)
    ensure_publishable(version, consumed)  # before any work: e.g. no v1.4.0 after .post1
    return Plan(target, sources.package, version, tag is not None, trigger, pythons)


def target_for(version: ReleaseVersion, requested: Target | None) -> Target:
    if requested is Target.PYPI and version.kind is Kind.RC:
        raise LaneError(
            f"{version} is a release candidate, and an rc never goes to PyPI",
            hint=f"tag the final v{version.base} once the rc lane is green",
        )
    if requested is Target.TESTPYPI and version.kind is not Kind.RC:
        raise LaneError(
            f"{version} is a {version.kind} version, and those never go to the TestPyPI lane",
            hint=f"rehearse it as v{version.base}rcN first, or publish with publish_target=pypi",
        )
    return requested or (Target.TESTPYPI if version.kind is Kind.RC else Target.PYPI)


def _route(trigger: Trigger, head_tag: str | None) -> tuple[str | None, Target | None]:
    """The tag to check and the target the trigger asks for (None: follow the version)."""
    if trigger.publish_target and trigger.event is not Event.DISPATCH:
        raise LaneError(
            f"publish_target applies to workflow_dispatch, not to a {trigger.event} event",
            hint="drop --publish-target, or use --event workflow_dispatch",
        )
    if trigger.event is Event.LOCAL:
        return (strip_ref(trigger.ref) if trigger.ref else head_tag), None
    if trigger.event is Event.DISPATCH:
        return _dispatch_tag(trigger), trigger.publish_target or Target.TESTPYPI
    # A push or a published release follows the tag's version: an rc's pre-release is the rc
    # lane's (when its push did not carry it already: see release.github.gates).
    return _required_tag(trigger), None


def _untagged(package: str, trigger: Trigger) -> LaneError:
    """A dynamic version is the tag's: without a tag there is no version to plan."""
    if trigger.event is Event.LOCAL:
        where, how = "HEAD carries no version tag", "tag HEAD (`git tag vX.Y.ZrcN`) or pass --ref"
    else:
        where = "this dispatch names no tag"
        how = "tag the commit (`git tag vX.Y.ZrcN`), push it and dispatch with source_ref=<tag>"
    return LaneError(f"{package}'s version is dynamic (the git tag's), and {where}", hint=how)


def _required_tag(trigger: Trigger) -> str:
    ref = trigger.ref or ""
    if not ref or (ref.startswith("refs/") and not is_tag_ref(ref)):
        raise LaneError(
            f"a {trigger.event} of {ref or 'no ref'} is not a release: releases start from a tag",
            hint="push a tag vX.Y.ZrcN (TestPyPI) or vX.Y.Z / vX.Y.Z.postN (PyPI)",
        )
    return strip_ref(ref)


def _dispatch_tag(trigger: Trigger) -> str | None:
    ref = trigger.source_ref or trigger.ref or ""
    if is_tag_ref(ref) or looks_like_version_tag(ref):
        return strip_ref(ref)
    if not trigger.expected_version:
        raise LaneError(
            f"a dispatch from {ref or 'no ref'} (not a tag) needs expected_version",
            hint="dispatch with source_ref=vX.Y.Z..., or give expected_version to confirm",
        )
    return None
