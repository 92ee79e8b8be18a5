"""One row per version seen anywhere, newest first, with its lane state in words; and the next
versions the fix-forward rules allow (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import Version

from release.core.errors import ReleaseError
from release.images import LATEST
from release.index.profiles import RELEASE, STAGING
from release.pipeline.stages import reading
from release.status.facts import OTHER, Facts, Image, Listing, kind_of, versions_seen
from release.versioning.fixforward import next_version
from release.versioning.versions import Kind


@dataclass(frozen=True)
class File:
    filename: str
    sha256: str | None
    matches_manifest: bool | None  # None: dist/ holds no manifest of this file
    yanked: bool = False


@dataclass(frozen=True)
class Row:
    version: str
    kind: str
    tag: str | None
    commit: str | None
    files: dict[str, list[File]]  # index label -> its files of this version
    images: list[Image]
    state: str  # the lane state in words


def rows(facts: Facts) -> list[Row]:
    return [_row(facts, v) for v in versions_seen(facts)]


def _row(facts: Facts, version: Version) -> Row:
    tag = facts.tag_versions().get(version)
    files = {x.label: _files(facts, x, version) for x in facts.listings() if x.of(version)}
    return Row(
        str(version), kind_of(version), tag.name if tag else None, tag.commit if tag else None,
        files, _images(facts, version), state(facts, version),
    )  # fmt: skip


def _images(facts: Facts, version: Version) -> list[Image]:
    """The version's image tags per variant, each followed by the `latest` tag holding the same
    image (where `latest` points is part of where the version stands)."""
    held = facts.images_of(str(version))
    moving = [
        i for i in facts.images_of(LATEST).values()
        if i.variant in held and held[i.variant].digest == i.digest
    ]  # fmt: skip
    return sorted([*held.values(), *moving], key=lambda i: (_order(facts, i), i.names == LATEST))


def _order(facts: Facts, image: Image) -> int:
    return facts.variants.index(image.variant) if image.variant in facts.variants else 99


def _files(facts: Facts, listing: Listing, version: Version) -> list[File]:
    manifest = facts.manifest
    found = []
    for listed in listing.of(version):
        mine = manifest.file(listed.filename) if manifest else None
        same = None if mine is None else mine.sha256 == listed.sha256
        found.append(File(listed.filename, listed.sha256, same, listed.yanked))
    return found


def state(facts: Facts, version: Version) -> str:
    """The lane state in words: "rc on TestPyPI, validated", "final on PyPI, images published"."""
    kind = kind_of(version)
    parts = [_on(facts, x, version, kind) for x in facts.listings() if x.of(version)]
    tagged = version in facts.tag_versions()
    if parts and facts.tags is not None and not tagged:
        parts.append("not tagged")
    elif not parts and tagged:
        where = "on no index" if facts.listings() else "indexes not read"
        parts.append(f"{kind} tagged, {where}")
    return "; ".join(parts) or "only in the registry"


def _on(facts: Facts, listing: Listing, version: Version, kind: str) -> str:
    words = [f"{kind} on {listing.label}"]
    index = RELEASE if listing is facts.release else STAGING
    # what the table's cells reading this index proved ("validated"), each when all passed
    words += [s.status for s in reading(index) if _validated(facts, listing, version, s.name)]
    if listing is facts.release and not version.is_prerelease and facts.images is not None:
        words.append(_images_words(facts, version))
    return ", ".join(words)


def _validated(facts: Facts, listing: Listing, version: Version, stage: str) -> bool:
    """Every Python's cell of `stage` passed for a wheel the index lists for `version`."""
    wheels = {f.sha256 for f in listing.of(version) if f.filename.endswith(".whl")}
    passed = {
        c.python for c in facts.cells
        if (c.stage, c.version, c.passed) == (stage, str(version), True) and c.sha256 in wheels
    }  # fmt: skip
    return bool(facts.pythons) and set(facts.pythons) <= passed


def _images_words(facts: Facts, version: Version) -> str:
    held = facts.images_of(str(version))
    if not held:
        return "no images"
    missing = [v for v in facts.variants if v not in held]
    return f"images lack {', '.join(missing)}" if missing else "images published"


def next_versions(facts: Facts) -> dict[str, str]:
    """The next rc, final and post the rules allow, from everything consumed; a kind the rules
    refuse says why instead."""
    base = _base(facts)
    if base is None:
        return {}
    consumed = facts.consumed()
    found = {}
    for kind in (Kind.RC, Kind.FINAL, Kind.POST):
        try:
            found[kind.value] = str(next_version(kind, base, consumed))
        except ReleaseError as exc:
            found[kind.value] = f"none: {exc.message}" + (f"; {exc.hint}" if exc.hint else "")
    return found


def _base(facts: Facts) -> Version | None:
    """The X.Y.Z the next versions belong to: the one pyproject.toml names, else (a dynamic
    version) the highest one consumed."""
    if facts.current is not None:
        return Version(facts.current.base_version)
    seen = [v for v in facts.consumed() if kind_of(v) != OTHER]
    return Version(max(seen).base_version) if seen else None
