"""Wait until an index lists every uploaded file with the expected sha256.

The first look is immediate; later looks come after growing delays (release.core.service's)
under a total budget, so a local index is confirmed at once and a slow CDN is not hammered.
"""

from __future__ import annotations

from collections.abc import Callable

from release.artifacts.manifest import Manifest
from release.core.errors import IntegrityError, NotYetListed
from release.core.service import Clock, delays
from release.index.simple_api import ListedFile
from release.upload._rules import decide, missing

_REAL_TIME = Clock()


def wait_until_listed(
    look: Callable[[], list[ListedFile]],
    manifest: Manifest,
    *,
    where: str,
    budget: float,
    progress: Callable[[str], None],
    clock: Clock = _REAL_TIME,
) -> float:
    """Return the seconds waited; raise NotYetListed when the budget runs out."""
    started = clock.now()
    pauses = delays()
    while True:
        absent = _absent(look(), manifest, where)
        elapsed = clock.now() - started
        if not absent:
            return elapsed
        if elapsed >= budget:
            raise NotYetListed(
                f"{where} did not list {', '.join(absent)} within {budget:g} s",
                hint="re-run the same command later: files already listed are not sent again",
            )
        progress(f"waiting for {where} to list {len(absent)} file(s) ({elapsed:.1f} s so far)")
        clock.sleep(min(next(pauses), budget - elapsed))


def _absent(listing: list[ListedFile], manifest: Manifest, where: str) -> list[str]:
    decision = decide(manifest, listing)
    if decision.refused:
        raise IntegrityError(
            f"{where} lists files we cannot accept: {'; '.join(decision.conflicts)}",
            hint="do not release this version; tag the next one (`nox -s bump -- rc` or post)",
        )
    return missing(manifest, listing)
