"""`--fail-at STAGE[:PYTHON]` (pure): which stage or cell a rehearsal makes fail on purpose.

Only a rehearsal honours it, through the run it opens (`Run.fail_at`): a validation cell then
runs one more check, `injected-failure`, that exits 1 in the cell's own environment; any other
stage raises InjectedFailure instead of doing its work. Either way the report says it was
injected, and the rehearsal fixes forward from it as an operator would.
"""

from __future__ import annotations

from collections.abc import Sequence

from release.context import EVERY_CELL
from release.core.errors import UsageError
from release.pipeline.stages import STAGES


def parse(spec: str, pythons: Sequence[str]) -> tuple[str, str]:
    """(stage, cell): cell "-" for a stage run once, a Python or ALL for a per-Python stage."""
    name, _, python = spec.partition(":")
    stage = STAGES.get(name)
    if stage is None:
        raise UsageError(f"--fail-at {spec}: no stage {name!r}",
                         hint=f"name one of: {', '.join(STAGES)}")  # fmt: skip
    if not stage.per_python:
        if python:
            raise UsageError(f"--fail-at {spec}: {name} runs once, not per Python",
                             hint=f"use --fail-at {name}")  # fmt: skip
        return name, "-"
    if python and python not in pythons:
        raise UsageError(f"--fail-at {spec}: {python} is not one of the project's Pythons",
                         hint=f"use one of: {', '.join(pythons)}")  # fmt: skip
    return name, python or EVERY_CELL
