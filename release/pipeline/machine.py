"""The release state machine (pure): its states, its transitions, and the path a rehearsal took
through it, derived from the lanes it ran.

The states are the seed's (bump, rc tag, ... post fix, done): the stage table names the states
of each lane and which stage belongs to which (a stage may have several: installing the rc, then
its checks), so a lane's outcomes say which states it visited and how each went, in the table's
order. The path is plain data (visits and transitions) that
the renderers draw; a transition the table does not allow is a bug, and raises.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from release.pipeline.outcomes import Status
from release.pipeline.stages import LANES, STAGES, Target

State = str  # a state's name: the table's (release.pipeline.stages), or one of the four below

# The states no stage runs: the bump before the first rc, the steps that fix forward (the next
# rc after a failed rc lane, a .postN after the PyPI lane), and the end.
BUMP, NEXT_RC, POST_FIX, DONE = "bump", "next_rc", "post_fix", "done"
_STEPS: Final = {
    BUMP: "Bump version", NEXT_RC: "Bump to the next rc", POST_FIX: "Bump to .postN",
    DONE: "Release is green",
}  # fmt: skip
GREEN, FAILED, FIX = "green", "failed", "fix needed"


def lane_states(target: Target) -> tuple[State, ...]:
    """A lane's states in the table's order, each once (two stages may share one)."""
    named = (s.name for stage in LANES[target] for s in stage.states_in(target))
    return tuple(dict.fromkeys(named))


_RC_STATES, _FINAL_STATES = lane_states(Target.TESTPYPI), lane_states(Target.PYPI)
# Every state, as the reports draw them: the bump, the rc lane, its fix, the PyPI lane, its fix.
STATES: Final[tuple[State, ...]] = (BUMP, *_RC_STATES, NEXT_RC, *_FINAL_STATES, POST_FIX, DONE)
TITLES: Final[dict[State, str]] = {
    **_STEPS,
    **{s.name: s.title for stage in STAGES.values() for _, states in stage.states for s in states},
}


def _chain(states: Sequence[State]) -> list[tuple[State, State, str]]:
    return [(a, b, "") for a, b in itertools.pairwise(states)]


# (from, to, when): every move the machine allows, the seed's flowchart as data.
TRANSITIONS: Final[tuple[tuple[State, State, str], ...]] = (
    (BUMP, _RC_STATES[0], ""),
    *_chain(_RC_STATES),
    (_RC_STATES[-1], _FINAL_STATES[0], GREEN),
    *((s, NEXT_RC, FAILED) for s in _RC_STATES),
    (NEXT_RC, _RC_STATES[0], ""),
    *_chain(_FINAL_STATES),
    (_FINAL_STATES[-1], DONE, GREEN),
    (_FINAL_STATES[-1], POST_FIX, FIX),
    *((s, POST_FIX, FAILED) for s in _FINAL_STATES[:-1]),
    (POST_FIX, _FINAL_STATES[0], ""),
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
    if not any(a == source and b == target for a, b, _ in TRANSITIONS):
        raise MachineError(f"the release state machine has no move {source} -> {target}")
    return source


def lane_visits(run: LaneRun) -> list[Visit]:
    """The states a lane run visited, in the stage table's order, up to the first that did not
    pass (the rest of the lane never ran); skipped states count as visited, saying why."""
    visits: list[Visit] = []
    for stage in LANES[run.target]:
        outcomes = [o for o in run.outcomes if o.stage == stage.name]
        states = [s.name for s in stage.states_in(run.target)]
        for position, state in enumerate(states):
            getting = position < len(states) - 1  # getting the candidate, before its checks
            status = _status(getting, outcomes)
            seconds, detail = _seconds(getting, outcomes), _detail(outcomes)
            injected = status is Status.FAILED and _injected(outcomes, run)
            _merge(visits, Visit(state, run.version, status, seconds, run.name, detail, injected))
            if status in (Status.FAILED, Status.INTERRUPTED):
                return visits
    return visits


def _status(getting: bool, outcomes: Sequence[Any]) -> Status:
    """Getting the candidate (a stage's state before its checks) fails only when a cell failed
    before any check ran."""
    statuses = [o.status for o in outcomes]
    if getting:
        statuses = [Status.PASSED if o.checks else o.status for o in outcomes]
    for worst in (Status.INTERRUPTED, Status.FAILED, Status.PASSED):
        if worst in statuses:
            return worst
    return Status.SKIPPED


def _seconds(getting: bool, outcomes: Sequence[Any]) -> float:
    """Cells run side by side: a per-Python state takes as long as its slowest cell."""
    if getting:
        return 0.0  # its time is the cells', counted once under the checks' state
    return max((o.duration for o in outcomes), default=0.0)


def _detail(outcomes: Sequence[Any]) -> str:
    return ", ".join(f"{o.label} {o.status}" for o in outcomes)


def _injected(outcomes: Sequence[Any], run: LaneRun) -> bool:
    return bool(run.injected) and any(o.status is Status.FAILED for o in outcomes)


def _merge(visits: list[Visit], visit: Visit) -> None:
    """Two stages of one state (version check and build) make one visit: the worse result, the
    times added."""
    if not visits or visits[-1].state != visit.state:
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
        path.go(Visit(BUMP, bumped, Status.PASSED, 0.0, "", f"set to {bumped}"), "")
    for index, run in enumerate(runs):
        before = runs[index - 1] if index else None
        if before is not None and _needs_step(before, path):
            step = NEXT_RC if before.target is Target.TESTPYPI else POST_FIX
            path.go(Visit(step, run.version, Status.PASSED, 0.0, "", f"to {run.version}"), run.why)
            why = f"tagged {run.version}"  # the step said why; its move onwards is the new tag
        else:
            why = run.why
        for position, visit in enumerate(lane_visits(run)):
            path.go(visit, why if position == 0 else "")
    if runs and runs[-1].target is Target.PYPI and green(path.visits[-1:]):
        last = runs[-1]
        path.go(Visit(DONE, last.version, Status.PASSED, 0.0, ""), "nothing left to fix")
    return path


def _needs_step(before: LaneRun, path: Path) -> bool:
    """A failed run is followed by the fix-forward step; so is a green PyPI lane (a post fix).
    A green rc lane leads to the final tag directly."""
    return before.target is Target.PYPI or not green(path.visits[-1:])
