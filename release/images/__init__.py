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


def publish_images(run: Run) -> list[Published]:
    """The stage work of the table: imports Docker's SDK only when it runs."""
    from release.images import stage

    return stage.publish_images(run)
