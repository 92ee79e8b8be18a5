"""Validation: a fresh environment per Python (environments, interpreters), the checks run in it
(checks), the cells that install a wheel from an index or from dist/ and check it (validate),
and what they proved, kept on disk for later stages (results).

The stage works of the table (release.pipeline.stages) are here, importing the cell only when they
run: `interpreters` is read by every noxfile and must stay quick to import."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from release.context import Run
    from release.validation.validate import CellResult


def validate_rc(run: Run, python: str) -> CellResult:
    from release.index.profiles import STAGING
    from release.validation.validate import validate

    return validate(run, "validate_rc", STAGING, python)


def validate_final(run: Run, python: str) -> CellResult:
    from release.index.profiles import RELEASE
    from release.validation.validate import validate

    return validate(run, "validate_final", RELEASE, python)


def candidate_checks(run: Run, python: str) -> CellResult:
    from release.validation import validate

    return validate.candidate_checks(run, python)
