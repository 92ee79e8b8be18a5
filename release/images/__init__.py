"""The images stage: preflight, build, smoke test and push of the raw, nginx and granian variants
(stage), their tags (_tags), the build itself (_build) and the wheelhouse of validated bytes they
install from (_wheelhouse). The E2E gates build candidates through stage's build_variants."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from release.context import Run
    from release.images.stage import Published


def publish_images(run: Run) -> list[Published]:
    """The stage work of the table: imports Docker's SDK only when it runs."""
    from release.images import stage

    return stage.publish_images(run)
