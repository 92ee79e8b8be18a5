"""May these files be uploaded? (pure)

Per file, the index either lacks it (send it), holds the identical bytes (do not send: a re-run
after a partial failure resumes here), or holds something else under our version (refuse
everything: that version is consumed and the next free one must be tagged).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.version import Version

from release.artifacts.filenames import version_of
from release.artifacts.manifest import Manifest
from release.index.simple_api import ListedFile
from release.versioning.versions import Kind, ReleaseVersion


class FileState(enum.StrEnum):
    ABSENT = "absent"
    IDENTICAL = "already published (identical)"
    DIFFERENT = "present with different bytes"
    UNPROVABLE = "listed without a sha256, so it cannot be proved identical"


@dataclass(frozen=True)
class UploadDecision:
    to_send: tuple[str, ...]
    already: tuple[str, ...]
    conflicts: tuple[str, ...]  # why the version is refused; empty when it may go up

    @property
    def refused(self) -> bool:
        return bool(self.conflicts)


def decide(manifest: Manifest, listing: Iterable[ListedFile]) -> UploadDecision:
    listed = {f.filename: f for f in listing}
    states = {f.filename: _state(f.sha256, listed.get(f.filename)) for f in manifest.files}
    conflicts = [f"{name} is {state}" for name, state in states.items() if _blocks(state)]
    ours = Version(manifest.version)
    conflicts += [
        f"{name} is listed for {ours} but was not built here"
        for name in sorted(listed)
        if name not in states and version_of(name) == ours
    ]
    return UploadDecision(
        tuple(n for n, s in states.items() if s is FileState.ABSENT),
        tuple(n for n, s in states.items() if s is FileState.IDENTICAL),
        tuple(conflicts),
    )


def missing(manifest: Manifest, listing: Iterable[ListedFile]) -> list[str]:
    """Files of the manifest the index does not (yet) list with the expected sha256."""
    listed = {f.filename: f.sha256 for f in listing}
    return [f.filename for f in manifest.files if listed.get(f.filename) != f.sha256]


def rc_precedes(version: ReleaseVersion, staged: frozenset[Version]) -> bool:
    """A final X.Y.Z follows a green X.Y.ZrcN on the staging index; posts and rcs are exempt."""
    if version.kind is not Kind.FINAL:
        return True
    return any(
        v.pre is not None and v.pre[0] == "rc" and Version(v.base_version) == version.base
        for v in staged
    )


def _state(sha256: str, listed: ListedFile | None) -> FileState:
    if listed is None:
        return FileState.ABSENT
    if listed.sha256 is None:
        return FileState.UNPROVABLE
    return FileState.IDENTICAL if listed.sha256 == sha256 else FileState.DIFFERENT


def _blocks(state: FileState) -> bool:
    return state in (FileState.DIFFERENT, FileState.UNPROVABLE)
