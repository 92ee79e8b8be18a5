"""The upload stages: what may be sent (_rules), the upload itself (stage) and the wait until the
index lists every file with the expected sha256 (_listing).

The stage works of the table (release.pipeline.stages) are here, importing the stage only when
they run."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from release.context import Run
    from release.upload.stage import Uploaded


def upload_testpypi(run: Run) -> Uploaded:
    from release.index.profiles import STAGING
    from release.upload.stage import upload

    return upload(run, STAGING)


def upload_pypi(run: Run) -> Uploaded:
    from release.index.profiles import RELEASE
    from release.upload.stage import upload

    return upload(run, RELEASE)
