"""The release state machine (pure): its states, its transitions, and the path a rehearsal took
through it, derived from the lanes it ran.

The states are the seed's (bump, rc tag, ... post fix, done); each stage of the stage table
belongs to one state of its lane (`STATE_OF`), so a lane's outcomes say which states it visited
and how each went, in the table's order. The path is plain data (visits and transitions) that
the renderers draw; a transition the table does not allow is a bug, and raises.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from release.pipeline.outcomes import Status
from release.pipeline.stages import LANES, Target


class State(enum.StrEnum):
    BUMP = "bump"
    RC_TAG = "rc_tag"
    RC_UPLOAD = "rc_upload"
    RC_VALIDATION = "rc_validation"
    RC_CHECKS = "rc_checks"
    RC_E2E = "rc_e2e"
    NEXT_RC = "next_rc"
    FINAL_TAG = "final_tag"
    FINAL_UPLOAD = "final_upload"
    FINAL_VALIDATION = "final_validation"
    IMAGES = "images"
    POSTPUBLISH_E2E = "postpublish_e2e"
    POST_FIX = "post_fix"
    DONE = "done"


TITLES: Final[dict[State, str]] = {
    State.BUMP: "Bump version",
    State.RC_TAG: "rc tag: version check + build",
    State.RC_UPLOAD: "Upload rc to TestPyPI",
    State.RC_VALIDATION: "Install rc from TestPyPI",
    State.RC_CHECKS: "rc checks per Python",
    State.RC_E2E: "rc E2E (Docker)",
    State.NEXT_RC: "Bump to the next rc",
    State.FINAL_TAG: "Final tag: build + candidate gates",
    State.FINAL_UPLOAD: "Upload to PyPI",
    State.FINAL_VALIDATION: "Install from PyPI per Python",
    State.IMAGES: "Publish images",
    State.POSTPUBLISH_E2E: "Post-publish E2E",
    State.POST_FIX: "Bump to .postN",
    State.DONE: "Release is green",
}

# Which state each stage of each lane belongs to; the order is the stage table's. validate_rc
# is two states: installing the rc (rc_validation) and its checks (rc_checks).
STATE_OF: Final[dict[tuple[Target, str], tuple[State, ...]]] = {
    (Target.TESTPYPI, "version_check"): (State.RC_TAG,),
    (Target.TESTPYPI, "build"): (State.RC_TAG,),
    (Target.TESTPYPI, "upload_testpypi"): (State.RC_UPLOAD,),
    (Target.TESTPYPI, "validate_rc"): (State.RC_VALIDATION, State.RC_CHECKS),
    (Target.TESTPYPI, "e2e_rc"): (State.RC_E2E,),
    (Target.PYPI, "version_check"): (State.FINAL_TAG,),
    (Target.PYPI, "build"): (State.FINAL_TAG,),
    (Target.PYPI, "candidate_checks"): (State.FINAL_TAG,),
    (Target.PYPI, "e2e_prepublish"): (State.FINAL_TAG,),
    (Target.PYPI, "upload_pypi"): (State.FINAL_UPLOAD,),
    (Target.PYPI, "validate_final"): (State.FINAL_VALIDATION,),
    (Target.PYPI, "images"): (State.IMAGES,),
    (Target.PYPI, "e2e_postpublish"): (State.POSTPUBLISH_E2E,),
}

GREEN, FAILED, FIX = "green", "failed", "fix needed"
_RC_STATES = (State.RC_TAG, State.RC_UPLOAD, State.RC_VALIDATION, State.RC_CHECKS, State.RC_E2E)
_FINAL_STATES = (
    State.FINAL_TAG, State.FINAL_UPLOAD, State.FINAL_VALIDATION, State.IMAGES,
    State.POSTPUBLISH_E2E,
)  # fmt: skip


def _chain(states: Sequence[State]) -> list[tuple[State, State, str]]:
    return [(a, b, "") for a, b in itertools.pairwise(states)]


# (from, to, when): every move the machine allows, the seed's flowchart as data.
TRANSITIONS: Final[tuple[tuple[State, State, str], ...]] = (
    (State.BUMP, State.RC_TAG, ""),
    *_chain(_RC_STATES),
    (State.RC_E2E, State.FINAL_TAG, GREEN),
    *((s, State.NEXT_RC, FAILED) for s in _RC_STATES),
    (State.NEXT_RC, State.RC_TAG, ""),
    *_chain(_FINAL_STATES),
    (State.POSTPUBLISH_E2E, State.DONE, GREEN),
    (State.POSTPUBLISH_E2E, State.POST_FIX, FIX),
    *((s, State.POST_FIX, FAILED) for s in _FINAL_STATES if s is not State.POSTPUBLISH_E2E),
    (State.POST_FIX, State.FINAL_TAG, ""),
)


class MachineError(RuntimeError):
    """A path the table does not allow: a bug in whoever derived it, never the user's input."""


@dataclass(frozen=True)
class LaneRun:
    """One lane run, as the rehearsal recorded it: the input of the path."""

    name: str  # rc1, rc2, final, post1: the run's own name in the report
    target: Target
    version: str
    outcomes: Sequence[Any]  # release.pipeline.outcomes.Outcome, in lane order
    why: str = ""  # why this run started (the transition into its first state says it)
    injected: str = ""  # the --fail-at this run obeyed ("" when none)
    seconds: float | None = None  # its wall time (None: the sum of its outcomes' durations)


@dataclass(frozen=True)
class Visit:
    state: State
    version: str
    status: Status
    seconds: float
    run: str  # the LaneRun's name ("" for bump, next_rc, post_fix, done)
    detail: str = ""  # the stages or cells behind it, or what the step did
    injected: bool = False


@dataclass(frozen=True)
class Move:
    source: State
    target: State
    version: str  # the version the target state is about
    why: str


@dataclass
class Path:
    visits: list[Visit] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)

    def go(self, visit: Visit, why: str) -> None:
        """Visit a state, through a transition the table allows from the last one."""
        if self.visits:
            self.moves.append(Move(allowed(self.visits[-1].state, visit.state), visit.state,
                                   visit.version, why))  # fmt: skip
        self.visits.append(visit)


def allowed(source: State, target: State) -> State:
    if not any(a is source and b is target for a, b, _ in TRANSITIONS):
        raise MachineError(f"the release state machine has no move {source} -> {target}")
    return source


def lane_visits(run: LaneRun) -> list[Visit]:
    """The states a lane run visited, in the stage table's order, up to the first that did not
    pass (the rest of the lane never ran); skipped states count as visited, saying why."""
    visits: list[Visit] = []
    for stage in LANES[run.target]:
        outcomes = [o for o in run.outcomes if o.stage == stage.name]
        for state in STATE_OF[(run.target, stage.name)]:
            status = _status(state, outcomes)
            seconds, detail = _seconds(state, outcomes), _detail(outcomes)
            injected = status is Status.FAILED and _injected(outcomes, run)
            _merge(visits, Visit(state, run.version, status, seconds, run.name, detail, injected))
            if status in (Status.FAILED, Status.INTERRUPTED):
                return visits
    return visits


def _status(state: State, outcomes: Sequence[Any]) -> Status:
    """validate_rc's install (rc_validation) fails only when a cell failed before any check."""
    statuses = [o.status for o in outcomes]
    if state is State.RC_VALIDATION:
        statuses = [Status.PASSED if o.checks else o.status for o in outcomes]
    for worst in (Status.INTERRUPTED, Status.FAILED, Status.PASSED):
        if worst in statuses:
            return worst
    return Status.SKIPPED


def _seconds(state: State, outcomes: Sequence[Any]) -> float:
    """Cells run side by side: a per-Python state takes as long as its slowest cell."""
    if state is State.RC_VALIDATION:
        return 0.0  # its time is the cells', counted once under rc_checks
    return max((o.duration for o in outcomes), default=0.0)


def _detail(outcomes: Sequence[Any]) -> str:
    return ", ".join(f"{o.label} {o.status}" for o in outcomes)


def _injected(outcomes: Sequence[Any], run: LaneRun) -> bool:
    return bool(run.injected) and any(o.status is Status.FAILED for o in outcomes)


def _merge(visits: list[Visit], visit: Visit) -> None:
    """Two stages of one state (version check and build) make one visit: the worse result, the
    times added."""
    if not visits or visits[-1].state is not visit.state:
        visits.append(visit)
        return
    last = visits[-1]
    rank = [Status.SKIPPED, Status.PASSED, Status.FAILED, Status.INTERRUPTED]
    status = max(last.status, visit.status, key=rank.index)
    detail = ", ".join(d for d in (last.detail, visit.detail) if d)
    visits[-1] = Visit(last.state, last.version, status, last.seconds + visit.seconds, last.run,
                       detail, last.injected or visit.injected)  # fmt: skip


def green(visits: Sequence[Visit]) -> bool:
    return all(v.status in (Status.PASSED, Status.SKIPPED) for v in visits)


def derive(runs: Sequence[LaneRun], bumped: str | None = None) -> Path:
    """The whole path: the bump (when the rehearsal made one), each run's states, and between
    two runs the step that led from one to the next (next rc, post fix); done after a green
    PyPI lane that nothing follows."""
    path = Path()
    if bumped is not None:
        path.go(Visit(State.BUMP, bumped, Status.PASSED, 0.0, "", f"set to {bumped}"), "")
    for index, run in enumerate(runs):
        before = runs[index - 1] if index else None
        if before is not None and _needs_step(before, path):
            step = State.NEXT_RC if before.target is Target.TESTPYPI else State.POST_FIX
            path.go(Visit(step, run.version, Status.PASSED, 0.0, "", f"to {run.version}"), run.why)
            why = f"tagged {run.version}"  # the step said why; its move onwards is the new tag
        else:
            why = run.why
        for position, visit in enumerate(lane_visits(run)):
            path.go(visit, why if position == 0 else "")
    if runs and runs[-1].target is Target.PYPI and green(path.visits[-1:]):
        last = runs[-1]
        path.go(Visit(State.DONE, last.version, Status.PASSED, 0.0, ""), "nothing left to fix")
    return path


def _needs_step(before: LaneRun, path: Path) -> bool:
    """A failed run is followed by the fix-forward step; so is a green PyPI lane (a post fix).
    A green rc lane leads to the final tag directly."""
    return before.target is Target.PYPI or not green(path.visits[-1:])
