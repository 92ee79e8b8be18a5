"""The upload stages: what may be sent (_rules), the upload itself (stage) and the wait until the
index lists every file with the expected sha256 (_listing).

The stage works of the table (release.pipeline.stages) are here, importing the stage only when
they run."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from release.context import Run
    from release.pipeline.stages import Stage
    from release.upload.stage import Uploaded


def upload_stage(run: Run, stage: Stage) -> Uploaded:
    """The work of every upload of the table: dist/ to the stage's index."""
    from release.upload.stage import upload

    assert stage.index is not None, f"{stage.name} names no index"  # the table's, not a user's
    return upload(run, stage.index, allow_final_without_rc=run.allow_final_without_rc,
                  policy=run.policy)  # fmt: skip
