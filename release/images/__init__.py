"""The images stage: preflight, build, smoke test and push of the raw, nginx and granian variants
(stage), their tags (_tags), the build itself (_build) and the wheelhouse of validated bytes they
install from (_wheelhouse). The E2E gates build candidates through stage's build_variants."""

from __future__ import annotations

from typing import TYPE_CHECKING

# What readers of a registry need to recognise our images (release.status reads them).
from release.images._tags import LATEST as LATEST
from release.images._tags import REVISION_LABEL as REVISION_LABEL
from release.images._tags import VARIANTS as VARIANTS
from release.images._tags import VERSION_LABEL as VERSION_LABEL
from release.images._tags import WHEEL_LABEL as WHEEL_LABEL
from release.images._tags import read_tag as read_tag

if TYPE_CHECKING:
    from release.context import Run
    from release.images.stage import Published
    from release.pipeline.stages import Stage


def images_stage(run: Run, stage: Stage) -> list[Published]:
    """The stage work of the table: imports Docker's SDK only when it runs. Images follow the
    cells of the stage its row `reads` (every Python passed), or the report `--after` names."""
    from release.images import stage as images

    return images.publish_images(run, stage, after=run.after)
