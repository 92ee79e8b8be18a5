"""Validation: a fresh environment per Python (environments, interpreters), the checks run in it
(checks), the cells that install a wheel from an index or from dist/ and check it (validate),
and what they proved, kept on disk for later stages (results).

The stage works of the table (release.pipeline.stages) are here, importing the cell only when they
run: `interpreters` is read by every noxfile and must stay quick to import."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from release.context import Run
    from release.pipeline.stages import Stage
    from release.validation.validate import CellResult


def validate_stage(run: Run, stage: Stage, python: str) -> CellResult:
    """The work of every validation cell of the table: the wheel from the stage's index, or
    (a stage that reads none: the gate before any upload) the built wheel in dist/."""
    from release.validation import validate

    if stage.index is None:
        return validate.from_dist(run, stage.name, python)
    return validate.validate(run, stage.name, stage.index, python)
