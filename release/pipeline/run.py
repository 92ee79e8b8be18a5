"""One way to run a stage: its CLI command (and so its nox session and its workflow job) and the
rehearsals all come here, so what CI runs is exactly what a rehearsal proved. The caller opens
the run (`open_run`; a rehearsal on its scratch copy and stand-ins); `run_stage` announces the
stage or cell, calls its work from the table (or, when a rehearsal's --fail-at names a stage run
once, fails it on purpose), times it and says how it went, as an Outcome.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

from release.context import Run
from release.core import runner
from release.core.errors import InjectedFailure, ReleaseError
from release.pipeline.outcomes import Outcome, Status, failed
from release.pipeline.stages import Stage


@dataclass(frozen=True)
class Ran:
    """A stage or cell that ran: its outcome, its work's result (None unless it passed) and the
    error that stopped it (None unless it failed), for the boundary to report."""

    outcome: Outcome
    result: Any = None
    error: ReleaseError | None = None


def run_stage(
    run: Run, stage: Stage, python: str | None = None, *, lane: str = "", announce: bool = True
) -> Ran:
    """The stage (`python` None) or one of its cells, in a run already open. `announce`: a
    progress line when it starts and ends (a single command run alone prints its own result)."""
    if not announce:
        return _attempt(run, stage, python, lane)
    with run.progress.activity(stage.session(python)) as act:
        ran = _attempt(run, stage, python, lane)
        act.status = ran.outcome.status  # the activity ends with the stage's verdict
    return ran


def _attempt(run: Run, stage: Stage, python: str | None, lane: str) -> Ran:
    cell = "-" if python is None else python
    started = time.monotonic()
    try:
        runner.CANCEL.check()  # a signal between two stages interrupts the next
        result = _work(run, stage, python)
    except ReleaseError as exc:
        outcome = dataclasses.replace(failed(stage.name, cell, time.monotonic() - started, exc),
                                      lane=lane)  # fmt: skip
        return Ran(outcome, None, exc)
    checks = tuple(getattr(result, "checks", ()))  # a cell's checks, also when it passed
    took = time.monotonic() - started
    return Ran(Outcome(stage.name, cell, Status.PASSED, took, checks=checks, lane=lane), result)


def _work(run: Run, stage: Stage, python: str | None) -> Any:
    """The stage's work; a stage run once that a rehearsal's --fail-at names fails instead (a
    cell runs its work, which adds a check that fails: see release.pipeline.inject)."""
    if python is None and run.fails_at(stage.name, "-"):
        raise InjectedFailure(
            f"failure injected by the rehearsal (--fail-at {stage.name})",
            hint="a rehearsed failure, not a defect: the rehearsal fixes forward from it",
        )
    work = stage.load()
    return work(run, stage) if python is None else work(run, stage, python)
