"""The gates `plan` applies on GitHub before any build (pure: runs in, a decision out).

- One lane run per tag: a tag's lane is carried by its first `push` or `release` run; a later
  one of the same tag (the release published for a pushed tag, or the push of a tag a release
  created) runs no lane. A dispatch always does: it is how a lane is re-run.
- A green rc before any final: a final X.Y.Z proceeds only when the lane run of one of its rc
  tags concluded `success`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from release.core.errors import RcNotGreen, ReleaseError
from release.github.api import WorkflowRun
from release.pipeline.plan import Event
from release.versioning.versions import Kind, ReleaseVersion, parse_tag

LANE_EVENTS = frozenset({Event.PUSH.value, Event.RELEASE.value})  # the events that carry a lane
SUCCESS = "success"


def lane_run(
    tag: str, runs: Iterable[WorkflowRun], before: int | None = None
) -> WorkflowRun | None:
    """The run that carried `tag`'s lane: its first push or release run (of those before run
    `before`, when given)."""
    carried = [run for run in runs if run.head_branch == tag and run.event in LANE_EVENTS]
    earlier = [run for run in carried if before is None or run.id < before]
    return min(earlier, key=lambda run: run.id, default=None)


def already_carried(event: Event, tag: str, runs: Iterable[WorkflowRun], own: int) -> str | None:
    """Why this run starts no lane (an earlier run of the tag carried it), else None."""
    if event.value not in LANE_EVENTS:
        return None
    earlier = lane_run(tag, runs, before=own)
    if earlier is None:
        return None
    return (
        f"no lane: {tag}'s lane already ran in run {earlier.id} ({earlier.event}, "
        f"{earlier.state}); one lane run per tag (re-run one with workflow_dispatch)"
    )


def rc_tags(version: ReleaseVersion, tags: Iterable[str]) -> list[str]:
    """The repository's rc tags of the final `version` (vX.Y.ZrcN), lowest rc first."""
    found = []
    for tag in tags:
        try:
            candidate = parse_tag(tag)
        except ReleaseError:  # a tag that is not a version tag is no rc of anything
            continue
        if candidate.kind is Kind.RC and candidate.base == version.base:
            found.append((candidate.version, tag))
    return [tag for _, tag in sorted(found)]


def require_green_rc(version: ReleaseVersion, runs: Mapping[str, Sequence[WorkflowRun]]) -> str:
    """The green rc lane run that lets the final `version` proceed (described); RcNotGreen
    naming every rc lane run found, and its conclusion, when none passed. `runs` maps each rc
    tag of `version` to its runs."""
    lanes = [lane_run(tag, found) for tag, found in runs.items()]
    carried = [run for run in lanes if run is not None]
    green = [run for run in carried if run.conclusion == SUCCESS]
    if green:
        return green[-1].describe()
    seen = "; ".join(run.describe() for run in carried)
    if not runs:
        found = f"no rc tag of {version.base} exists"
    else:
        found = f"rc lane runs: {seen or 'none (' + ', '.join(runs) + ' never ran the workflow)'}"
    raise RcNotGreen(
        f"{version} needs a green rc lane of {version.base} first, and none passed: {found}",
        hint=f"tag the next rc (`nox -s bump -- rc`), push it, and push v{version} once its "
        "lane is green (or re-run the failed jobs of the rc's run)",
    )
