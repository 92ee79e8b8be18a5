"""Which versions are consumed: the one rule that `next`, `bump`, `plan`, `upload` and `images`
all apply. A version any git tag or any index has seen is never handed out again — an upload
whose tag was deleted still counts, and so does a tag that was never uploaded."""

from __future__ import annotations

from collections.abc import Iterable

from packaging.version import InvalidVersion, Version

from release.versioning.versions import loose_version


def consumed(
    tags: Iterable[str], listed: Iterable[Version] = (), given: Iterable[Version] = ()
) -> frozenset[Version]:
    """The tags' versions, what the indexes list and what the caller saw elsewhere (--consumed).
    `plan` passes tags only: it must not wait on an index, and the upload reads them later."""
    return consumed_from_tags(tags) | frozenset(listed) | frozenset(given)


def consumed_from_tags(tags: Iterable[str]) -> frozenset[Version]:
    """Versions that tags have consumed, read leniently: any tag once pushed counts."""
    found = set()
    for tag in tags:
        try:
            found.add(loose_version(tag))
        except InvalidVersion:
            continue  # not a version tag ("docs-2024", "latest"): it consumes nothing
    return frozenset(found)
