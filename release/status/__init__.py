"""`staged-release status`: where a package stands on every source of truth (git tags, the
staging index, the release index, the image registry) and the drift between them.

The readers (read) gather plain facts (facts); everything after is pure: the rows per version
and the next versions (rows), the drift rules (drift), the table and JSON (render). A report
that wants the drift lines takes them from `drift_lines`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.version import Version

    from release.context import Run


def drift_lines(
    run: Run, *, offline: bool = False, tagged: Iterable[Version] | None = None
) -> list[str]:
    """The drift lines of the run's project, each saying what to do ([] when none): what a
    report shows beside its diagram. `tagged`: the versions tagged, when no repository holds
    the tags (a rehearsal tags each lane's own copy)."""
    from release.status.drift import find_drift
    from release.status.facts import Tag
    from release.status.read import gather

    facts = gather(run, offline=offline)
    if tagged is not None:
        tags = tuple(Tag(f"v{version}", version, "") for version in sorted(tagged))
        facts = dataclasses.replace(facts, tags=tags)
    return [d.line for d in find_drift(facts)]
