"""Was uv.lock resolved for a version of the project that is not the release? (pure)

A dynamic version locked before its tag is a 0.0 fallback or a `.dev` version; what depends on
the project itself (a pytest plugin of it in the test group, say) was then pinned for that
version and may not fit the release. Two signs, from uv.lock alone: the project's entry records
such a version (older uv wrote one for a dynamic version), or a dependent's recorded requirement
on the project (uv keeps those for local sources) excludes the release version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version


@dataclass(frozen=True)
class Dependent:
    """A package uv.lock pins that depends on the project itself."""

    name: str
    version: str
    specifier: str | None = None  # what it asks of the project, when uv.lock records it


def stale_self_pins(
    project: str, locked: str | None, dependents: Sequence[Dependent], release: Version
) -> str | None:
    """A warning naming what to relock, or None when nothing was pinned for another version."""
    # --refresh-package: uv keeps the dynamic version it computed until told to compute it anew
    relock = f"relock at the tag with `uv lock --refresh-package {project} {{}}` and commit uv.lock"
    if locked is not None and _placeholder(locked) and dependents:
        return (
            f"uv.lock was resolved for {project} {locked}, not {release}: it pins "
            f"{_listed(project, dependents)} for that version; "
        ) + relock.format(_upgrades(dependents))
    misfits = [d for d in dependents if _excludes(d, release)]
    if not misfits:
        return None
    return (
        f"uv.lock pins {_listed(project, misfits)}, which does not fit {project} {release}"
        f" (it was resolved for a 0.0 or .dev version of {project}); "
    ) + relock.format(_upgrades(misfits))


def _upgrades(dependents: Sequence[Dependent]) -> str:
    return " ".join(f"--upgrade-package {d.name}" for d in dependents)


def _placeholder(text: str) -> bool:
    """A version no release has: a backend's 0.0 fallback or a `.dev` version."""
    try:
        version = Version(text)
    except InvalidVersion:
        return False
    return version.is_devrelease or version.release[:2] == (0, 0)


def _excludes(dependent: Dependent, release: Version) -> bool:
    if dependent.specifier is None:
        return False
    try:
        return not SpecifierSet(dependent.specifier).contains(release, prereleases=True)
    except InvalidSpecifier:
        return False


def _listed(project: str, dependents: Sequence[Dependent]) -> str:
    return ", ".join(
        f"{d.name} {d.version}"
        + (f" (which asks for {project}{d.specifier})" if d.specifier else "")
        for d in dependents
    )
