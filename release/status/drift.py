"""The drift rules (pure): each takes the facts and returns the drift it finds, one line per
finding that says what happened and what to do. A rule whose sources were not read finds none.

Order is fixed (rule order, then newest version first), so the same state prints the same lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from packaging.version import Version

from release.core.errors import VersionRuleError
from release.images import LATEST
from release.index.profiles import RELEASE, STAGING
from release.pipeline.stages import Job, builder, doing, reading
from release.status.facts import OTHER, Facts, Image, Listing, is_kind, kind_of
from release.versioning.fixforward import successor
from release.versioning.versions import Kind, parse_version


@dataclass(frozen=True)
class Drift:
    rule: str  # the rule's name: what a machine keys on
    version: str  # the version it concerns ("" for none in particular)
    line: str  # what happened, and what to do


Rule = Callable[[Facts], list[Drift]]


def find_drift(facts: Facts) -> list[Drift]:
    return [drift for rule in RULES for drift in rule(facts)]


def tag_without_upload(facts: Facts) -> list[Drift]:
    """A version tag that no index lists: half a release, or an abandoned one."""
    if facts.tags is None or not facts.listings():
        return []
    listed = facts.listed()
    return [
        Drift("tag-without-upload", str(t.version), _publish_line(facts, t.name, t.version))
        for t in sorted(facts.tags, key=lambda t: t.version, reverse=True)
        if t.version not in listed and kind_of(t.version) != OTHER
    ]


LABELS = {STAGING: "TestPyPI", RELEASE: "PyPI"}


def _validation(index: str) -> str:
    return " ".join(s.name for s in reading(index))


def _pushing() -> str:
    return " ".join(s.name for s in doing(Job.PUSH))


def _publish_line(facts: Facts, tag: str, version: Version) -> str:
    index = STAGING if is_kind(version, Kind.RC) else RELEASE
    sessions = " ".join(s.name for s in (builder(), *doing(Job.PUBLISH, index)))
    return (
        f"{tag} is tagged but no index lists {version}: check the tag out and run "
        f"`nox -s {sessions}` to publish it to {LABELS[index]}; or, if it is abandoned, leave it "
        f"(the version stays consumed) and release {_next_free(facts, version)} instead"
    )


def upload_without_tag(facts: Facts) -> list[Drift]:
    """A version an index lists that no tag names (deleted, or pushed from another clone)."""
    if facts.tags is None:
        return []
    untagged = facts.listed() - set(facts.tag_versions())
    return [
        Drift("upload-without-tag", str(v), _tag_it_line(facts, v))
        for v in sorted(untagged, reverse=True)
    ]


def _tag_it_line(facts: Facts, version: Version) -> str:
    where = " and ".join(x.label for x in facts.listings() if version in x.versions())
    revisions = {i.revision for i in facts.images_of(str(version)).values() if i.revision}
    commit = next(iter(sorted(revisions)), "<commit it was built from>")
    return (
        f"{version} is on {where} but no tag names it: tag the commit it was built from "
        f"(`git tag v{version} {commit}`) and push the tag; never tag another commit with it"
    )


def manifest_differs(facts: Facts) -> list[Drift]:
    """A file dist/manifest.json records that an index serves with other bytes."""
    manifest = facts.manifest
    if manifest is None:
        return []
    recorded = {f.filename: f.sha256 for f in manifest.files}
    return [
        _differs(facts, listing, served.filename, recorded[served.filename], served.sha256)
        for listing in facts.listings()
        for served in listing.files
        if served.sha256 and recorded.get(served.filename, served.sha256) != served.sha256
    ]


def _differs(facts: Facts, listing: Listing, filename: str, mine: str, served: str) -> Drift:
    version = Version(facts.manifest.version) if facts.manifest else Version("0")
    line = (
        f"{filename}: dist/manifest.json says sha256 {mine}, {listing.label} serves {served}: "
        "dist/ is not what was published; never upload it again (the index refuses other bytes "
        f"under a used name) — ship the change as {_next_free(facts, version)}"
    )
    return Drift("manifest-differs", str(version), line)


def rc_on_release_index(facts: Facts) -> list[Drift]:
    """A release candidate on the release index: installers of the package may now get it."""
    if facts.release is None:
        return []
    label = facts.release.label
    line = (
        "{v} is a release candidate on {label}, where only finals and post-releases belong: "
        "yank it on {label} (its file names can never be reused, so it stays consumed) and "
        "make sure rc tags upload to TestPyPI only"
    )
    return [
        Drift("rc-on-release-index", str(v), line.format(v=v, label=label))
        for v in sorted(facts.release.versions(), reverse=True)
        if v.is_prerelease
    ]


def final_without_rc(facts: Facts) -> list[Drift]:
    """A final on the release index with no rc of it on the staging index: it skipped the rc
    lane. A .postN needs none (its fix is validated before upload)."""
    if facts.release is None or facts.staging is None:
        return []
    staged = {Version(v.base_version) for v in facts.staging.versions() if v.is_prerelease}
    return [
        Drift("final-without-rc", str(v), _skipped_rc(facts, v))
        for v in sorted(facts.release.versions(), reverse=True)
        if is_kind(v, Kind.FINAL) and v not in staged
    ]


def _skipped_rc(facts: Facts, version: Version) -> str:
    release = _release_label(facts)
    staging = facts.staging.label if facts.staging else "the staging index"
    return (
        f"{version} is on {release} but no rc of it is on {staging}: it skipped the rc lane; "
        f"validate it as published (`nox -s {_validation(RELEASE)}`), ship any fix as "
        f"{_next_free(facts, version)}, and start the next release with an rc "
        "(`nox -s bump -- rc`)"
    )


def image_holds_another_wheel(facts: Facts) -> list[Drift]:
    """A version tag whose image was not built from the wheel the release index serves."""
    if facts.release is None or facts.images is None:
        return []
    found = []
    for image in (i for i in facts.images if i.names != LATEST):
        wheels = _wheels(facts.release, Version(image.names))
        if image.wheel_sha256 not in wheels:
            found.append(_foreign(facts, image, wheels))
    return found


def _wheels(listing: Listing, version: Version) -> set[str]:
    return {f.sha256 or "" for f in listing.of(version) if f.filename.endswith(".whl")}


def _foreign(facts: Facts, image: Image, wheels: set[str]) -> Drift:
    held = image.wheel_sha256 or "no wheel label"
    serves = ", ".join(sorted(wheels)) or "no wheel"
    release = _release_label(facts)
    line = (
        f"{facts.repository}:{image.tag} holds wheel sha256 {held}, but {release} serves "
        f"{serves} for {image.names}: the image is not the released package, and version tags "
        f"never move — publish {_next_free(facts, _version(image.names))} with its images"
    )
    return Drift("image-holds-another-wheel", image.names, line)


def latest_not_highest(facts: Facts) -> list[Drift]:
    """`latest` (per variant) must hold the highest final or .postN the release index lists."""
    if facts.release is None or not facts.images:
        return []
    released = [v for v in facts.release.versions() if not v.is_prerelease]
    if not released:
        return []
    highest = max(released)
    found = []
    for variant in facts.variants:
        held = facts.images_of(LATEST).get(variant)
        points = _points_at(facts, held) if held else "nothing"
        if points != str(highest):
            found.append(_stale_latest(facts, variant, points, highest))
    return found


def _points_at(facts: Facts, latest: Image) -> str:
    """The version whose image `latest` holds: the version tag with its digest, else its label."""
    same = [
        i.names for i in facts.images or ()
        if i.variant == latest.variant and i.names != LATEST and i.digest == latest.digest
    ]  # fmt: skip
    return max(same, key=_version, default=latest.version or "an unlabelled image")


def _stale_latest(facts: Facts, variant: str, points: str, highest: Version) -> Drift:
    tag = LATEST if variant == facts.variants[0] else f"{LATEST}-{variant}"
    release = _release_label(facts)
    line = (
        f"{facts.repository}:{tag} holds {points}, but the highest release on {release} is "
        f"{highest}: run the images stage for {highest} (its build in dist/, "
        f"`nox -s {_pushing()}`): it moves latest and leaves version tags as they are"
    )
    return Drift("latest-not-highest", str(highest), line)


def _release_label(facts: Facts) -> str:
    return facts.release.label if facts.release else "the release index"


def missing_variant(facts: Facts) -> list[Drift]:
    """A final or .postN on the release index whose images lack a variant."""
    if facts.release is None or facts.images is None:
        return []
    found = []
    for version in sorted(facts.release.versions(), reverse=True):
        if version.is_prerelease:
            continue
        missing = [v for v in facts.variants if v not in facts.images_of(str(version))]
        if missing:
            found.append(_missing(facts, version, missing))
    return found


def _missing(facts: Facts, version: Version, missing: list[str]) -> Drift:
    release = _release_label(facts)
    line = (
        f"{version} is on {release} but its images lack {', '.join(missing)}: run the images "
        f"stage for {version} (`nox -s {_pushing()}` with its build in dist/); it pushes only what "
        "is missing"
    )
    return Drift("missing-variant", str(version), line)


def offered_by_nothing(facts: Facts) -> list[Drift]:
    """A version an index has consumed whose every listed file is yanked: nothing offers it."""
    listings = facts.listings()
    found = []
    for version in sorted(facts.listed(), reverse=True):
        files = [f for x in listings for f in x.of(version)]
        if files and all(f.yanked for f in files):
            found.append(Drift("offered-by-nothing", str(version), _yanked(facts, version)))
    return found


def _yanked(facts: Facts, version: Version) -> str:
    return (
        f"{version} is consumed but every file of it is yanked, so no index offers it: it can "
        f"never be released again; release {_next_free(facts, version)} if it was meant to be "
        "offered"
    )


def _next_free(facts: Facts, version: Version) -> str:
    """The next free version after `version` (the fix-forward rule's successor)."""
    try:
        return str(successor(parse_version(str(version)), facts.consumed() | {version}))
    except VersionRuleError:  # a version outside the rules (an alpha) has no successor
        return "the next free version (`staged-release next rc`)"


def _version(text: str) -> Version:
    try:
        return Version(text)
    except ValueError:
        return Version("0")


RULES: tuple[Rule, ...] = (
    tag_without_upload,
    upload_without_tag,
    manifest_differs,
    rc_on_release_index,
    final_without_rc,
    image_holds_another_wheel,
    latest_not_highest,
    missing_variant,
    offered_by_nothing,
)
