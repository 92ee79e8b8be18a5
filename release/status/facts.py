"""What status knows, as plain values: read once (release.status.read), judged purely after.

A source that was not read is None, never empty: an index not read must not make every tag
look unuploaded."""

from __future__ import annotations

from dataclasses import dataclass, field

from packaging.version import Version

from release.artifacts.filenames import version_of
from release.artifacts.manifest import Manifest
from release.core.errors import VersionRuleError
from release.images import LATEST, read_tag
from release.index.simple_api import ListedFile
from release.validation.results import CellRecord
from release.versioning.consumed import consumed
from release.versioning.versions import Kind, parse_version

OTHER = "other"  # a version outside the accepted kinds (an alpha, a dev release)


@dataclass(frozen=True)
class Tag:
    name: str
    version: Version
    commit: str


@dataclass(frozen=True)
class Image:
    tag: str  # the tag within the repository: "1.4.0-nginx", "latest"
    names: str  # what the tag names: a version's text, or "latest"
    variant: str
    digest: str
    wheel_sha256: str  # the wheel label ("" when the image carries none)
    version: str  # the OCI version label ("" when none)
    revision: str  # the OCI revision label: the commit it was built from ("" when none)


@dataclass(frozen=True)
class Listing:
    label: str  # how people call the index: "TestPyPI", "local PyPI"
    files: tuple[ListedFile, ...]

    def of(self, version: Version) -> list[ListedFile]:
        return [f for f in self.files if version_of(f.filename) == version]

    def versions(self) -> frozenset[Version]:
        return frozenset(v for v in (version_of(f.filename) for f in self.files) if v)


@dataclass(frozen=True)
class Facts:
    project: str
    tags: tuple[Tag, ...] | None  # None: not a git repository (or no commit yet)
    staging: Listing | None  # None: not read (--offline)
    release: Listing | None
    images: tuple[Image, ...] | None  # None: not read, or the project declares none
    variants: tuple[str, ...] = ()  # the variants a release's images come in
    repository: str = ""  # where the images were read: "ghcr.io/org/name"
    manifest: Manifest | None = None  # dist/'s, when there is one
    cells: tuple[CellRecord, ...] = ()  # what validation cells recorded
    pythons: tuple[str, ...] = ()  # every Python a version is validated on
    current: Version | None = None  # the version pyproject.toml names (None: dynamic)
    notes: tuple[str, ...] = field(default=())  # what was not read, and why

    def tag_versions(self) -> dict[Version, Tag]:
        return {t.version: t for t in self.tags or ()}

    def listings(self) -> list[Listing]:
        return [x for x in (self.staging, self.release) if x is not None]

    def listed(self) -> frozenset[Version]:
        return frozenset().union(*(x.versions() for x in self.listings()))

    def consumed(self) -> frozenset[Version]:
        """Every version a tag or an index has seen: the fix-forward rule's input."""
        return consumed((t.name for t in self.tags or ()), self.listed())

    def images_of(self, names: str) -> dict[str, Image]:
        """The images whose tag names `names`, per variant."""
        return {i.variant: i for i in self.images or () if i.names == names}


def kind_of(version: Version) -> str:
    """rc, final or post; "other" for what the rules do not accept."""
    try:
        return str(parse_version(str(version)).kind)
    except VersionRuleError:
        return OTHER


def is_kind(version: Version, kind: Kind) -> bool:
    return kind_of(version) == kind.value


def is_release_tag(tag: str) -> bool:
    """A tag the images stage gives: an X.Y.Z[rcN|.postN] or `latest`, of any variant. Others
    (a branch's, a commit's, a floating `1.4`) are not ours to judge, and are not read."""
    names, _ = read_tag(tag)
    return names == LATEST or (_is_version(names) and kind_of(Version(names)) != OTHER)


def versions_seen(facts: Facts) -> list[Version]:
    """Every version seen anywhere, newest first."""
    found = set(facts.tag_versions()) | facts.listed()
    found |= {Version(i.names) for i in facts.images or () if _is_version(i.names)}
    return sorted(found, reverse=True)


def _is_version(text: str) -> bool:
    try:
        Version(text)
    except ValueError:
        return False
    return True
