"""`staged-release status`: where a package stands on every source of truth (git tags, the
staging index, the release index, the image registry) and the drift between them.

The readers (read) gather plain facts (facts); everything after is pure: the rows per version
and the next versions (rows), the drift rules (drift), the table and JSON (render). A report
that wants the drift lines takes them from `drift_lines`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from release.context import Run


def drift_lines(run: Run, *, offline: bool = False) -> list[str]:
    """The drift lines of the run's project, each saying what to do ([] when none): what the
    lane report shows beside its diagram."""
    from release.status.drift import find_drift
    from release.status.read import gather

    return [d.line for d in find_drift(gather(run, offline=offline))]
