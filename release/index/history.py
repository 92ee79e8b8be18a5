"""Every version a project has consumed: its git tags and what TestPyPI and PyPI list.

A version uploaded but never tagged (or whose tag was deleted) is consumed all the same, so
fix-forward must read the indexes too. Reading needs no credentials: the simple API is public.
"""

from __future__ import annotations

from packaging.version import Version

from release.context import Run
from release.core import git
from release.index.profiles import RELEASE, STAGING
from release.index.simple_api import versions
from release.versioning.versions import consumed_from_tags


def consumed_versions(run: Run, project: str) -> frozenset[Version]:
    """Everything the tags and BOTH publishing indexes have seen: never to be handed out again."""
    return consumed_from_tags(git.tags(run.repo)) | listed_versions(run, project)


def listed_versions(run: Run, project: str) -> frozenset[Version]:
    """What the run's TestPyPI and PyPI (or their stand-ins) list; IndexUnavailable if either
    cannot be read, since a silent gap would let a consumed version be handed out again."""
    seen: frozenset[Version] = frozenset()
    for name in (STAGING, RELEASE):
        seen |= versions(run.listing(run.index(name), project))
    return seen
