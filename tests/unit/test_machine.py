"""The release state machine: which states a rehearsal's lane runs visited, and the moves
between them, derived from their outcomes and checked against the machine's table."""

from __future__ import annotations

import pytest

from release.core.errors import UsageError
from release.core.verdicts import CheckOutcome, CheckStatus
from release.pipeline import inject
from release.pipeline.machine import (
    STATES,
    TRANSITIONS,
    LaneRun,
    MachineError,
    Path,
    Visit,
    derive,
)
from release.pipeline.outcomes import Outcome, Status
from release.pipeline.stages import LANES, Target

PYTHONS = ("3.11", "3.12")
FAILED_CHECK = CheckOutcome("injected-failure", CheckStatus.FAILED, 0.1, "", "exited with 1")


def lane(
    target: Target, *, failed: str = "", checks_ran: bool = True, skip: str = ""
) -> list[Outcome]:
    """The outcomes of a lane run: everything passes, except `failed` (a stage or stage-cell,
    after which the rest is skipped) and `skip` (skipped, e.g. no Docker)."""
    outcomes, stopped = [], False
    for stage in LANES[target]:
        for cell in PYTHONS if stage.per_python else ("-",):
            label = stage.name if cell == "-" else f"{stage.name}-{cell}"
            if stopped or stage.name == skip:
                outcomes.append(Outcome(stage.name, cell, Status.SKIPPED, 0.0, "skipped"))
            elif failed in (label, stage.name):
                checks = (FAILED_CHECK,) if checks_ran else ()
                outcomes.append(
                    Outcome(stage.name, cell, Status.FAILED, 2.0, "no", 1, checks=checks)
                )
            else:
                outcomes.append(Outcome(stage.name, cell, Status.PASSED, 1.0))
        stopped = stopped or any(o.status is Status.FAILED for o in outcomes)
    return outcomes


def states(path: Path) -> list[tuple[str, str, str]]:
    return [(str(v.state), v.version, str(v.status)) for v in path.visits]


def fix_forward_runs() -> list[LaneRun]:
    """rc1 failed where --fail-at said, rc2 fixed it forward, the final, then a post fix."""
    return [
        LaneRun("rc1", Target.TESTPYPI, "1.0.0rc1",
                lane(Target.TESTPYPI, failed="validate_rc-3.12"), injected="validate_rc:3.12"),
        LaneRun("rc2", Target.TESTPYPI, "1.0.0rc2", lane(Target.TESTPYPI, skip="e2e_rc")),
        LaneRun("final", Target.PYPI, "1.0.0", lane(Target.PYPI)),
        LaneRun("post1", Target.PYPI, "1.0.0.post1", lane(Target.PYPI)),
    ]  # fmt: skip


def test_the_fix_forward_and_post_fix_path() -> None:
    runs = fix_forward_runs()
    path = derive(runs, "1.0.0rc1")
    rc = ["rc_tag", "rc_upload", "rc_validation", "rc_checks"]
    final = ["final_tag", "final_upload", "final_validation", "images", "postpublish_e2e"]
    assert [s for s, _, _ in states(path)] == [
        "bump",
        *rc,
        "next_rc",
        *rc,
        "rc_e2e",
        *final,
        "post_fix",
        *final,
        "done",
    ]
    assert states(path)[4] == ("rc_checks", "1.0.0rc1", "failed")
    assert states(path)[3] == (
        "rc_validation",
        "1.0.0rc1",
        "passed",
    )  # it installed; a check failed
    assert states(path)[10] == ("rc_e2e", "1.0.0rc2", "skipped")
    assert [v.injected for v in path.visits].count(True) == 1
    assert path.visits[4].injected
    # every move is one the machine allows, one between each two visits
    assert len(path.moves) == len(path.visits) - 1
    allowed = {(a, b) for a, b, _ in TRANSITIONS}
    assert all((m.source, m.target) in allowed for m in path.moves)


def test_an_install_failure_fails_rc_validation_and_never_reaches_the_checks() -> None:
    run = LaneRun("rc1", Target.TESTPYPI, "1.0.0rc1",
                  lane(Target.TESTPYPI, failed="validate_rc-3.11", checks_ran=False))  # fmt: skip
    assert states(derive([run]))[-1] == ("rc_validation", "1.0.0rc1", "failed")


def test_a_real_failure_that_nothing_follows_ends_the_path_there() -> None:
    run = LaneRun(
        "rc1", Target.TESTPYPI, "1.0.0rc1", lane(Target.TESTPYPI, failed="upload_testpypi")
    )
    path = derive([run], "1.0.0rc1")
    assert [s for s, _, _ in states(path)] == ["bump", "rc_tag", "rc_upload"]
    assert not path.visits[-1].injected


def test_a_failed_final_is_fixed_forward_as_a_post_release() -> None:
    runs = [
        LaneRun("rc1", Target.TESTPYPI, "1.0.0rc1", lane(Target.TESTPYPI)),
        LaneRun("final", Target.PYPI, "1.0.0", lane(Target.PYPI, failed="images")),
        LaneRun("post1", Target.PYPI, "1.0.0.post1", lane(Target.PYPI)),
    ]
    names = [s for s, _, _ in states(derive(runs))]
    assert names[names.index("images") : names.index("images") + 3] == [
        "images",
        "post_fix",
        "final_tag",
    ]
    assert names[-1] == "done"


def test_a_green_rc_lane_alone_is_not_done() -> None:
    path = derive([LaneRun("rc", Target.TESTPYPI, "1.0.0rc1", lane(Target.TESTPYPI))])
    assert path.visits[-1].state == "rc_e2e"


def test_a_move_the_table_lacks_is_refused() -> None:
    path = Path()
    path.go(Visit("bump", "1.0.0rc1", Status.PASSED, 0.0, ""), "")
    with pytest.raises(MachineError, match="bump -> final_upload"):
        path.go(Visit("final_upload", "1.0.0", Status.PASSED, 0.0, ""), "")


def test_every_stage_of_every_lane_belongs_to_a_state_of_the_machine() -> None:
    for target, stages in LANES.items():
        for stage in stages:
            assert stage.states_in(target), (target, stage.name)
            assert {s.name for s in stage.states_in(target)} <= set(STATES)


def test_the_machine_is_the_seeds_flowchart() -> None:
    assert STATES == (
        "bump", "rc_tag", "rc_upload", "rc_validation", "rc_checks", "rc_e2e", "next_rc",
        "final_tag", "final_upload", "final_validation", "images", "postpublish_e2e",
        "post_fix", "done",
    )  # fmt: skip
    assert ("rc_e2e", "final_tag", "green") in TRANSITIONS
    assert ("final_validation", "post_fix", "failed") in TRANSITIONS
    assert ("postpublish_e2e", "post_fix", "failed") not in TRANSITIONS


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("validate_rc:3.12", ("validate_rc", "3.12")), ("validate_rc", ("validate_rc", "*")),
     ("e2e_rc", ("e2e_rc", "-"))],
)  # fmt: skip
def test_fail_at_names_a_stage_or_cell(spec: str, expected: tuple[str, str]) -> None:
    assert inject.parse(spec, PYTHONS) == expected


@pytest.mark.parametrize(
    ("spec", "says"),
    [("nope", "no stage 'nope'"), ("e2e_rc:3.12", "runs once"),
     ("validate_rc:3.9", "not one of the project's Pythons")],
)  # fmt: skip
def test_a_bad_fail_at_is_refused_before_anything_runs(spec: str, says: str) -> None:
    with pytest.raises(UsageError, match=says):
        inject.parse(spec, PYTHONS)
