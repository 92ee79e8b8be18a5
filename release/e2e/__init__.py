"""The E2E gates: the stack runner (stack; its timeline and running state in _run) with its
containers (_docker), readiness gate (_readiness, _probes, _looks) and setup steps (_setup), and
the stage that puts a candidate under test (stage).

The stage works of the table (release.pipeline.stages) are here, importing the stack only when they
run."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from release.context import Run
    from release.e2e.stack import StackResult
    from release.pipeline.stages import Stage


def e2e_stage(run: Run, stage: Stage) -> StackResult:
    """The work of every E2E gate of the table: the stack around the stage's candidate."""
    from release.e2e.stage import run_e2e

    return run_e2e(run, stage)
