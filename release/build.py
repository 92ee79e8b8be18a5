"""Build once: sdist and wheel with `build`, `twine check --strict`, then the manifest.

Every later stage uses these exact bytes, proven by the manifest.
"""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from release import manifest as manifests
from release import runner
from release.errors import ConfigError
from release.manifest import Manifest
from release.simple_api import version_of
from release.versions import ReleaseVersion

DIST_SUFFIXES = (".whl", ".tar.gz")
BUILD_BUDGET = 1800.0  # seconds: a build backend may compile extensions
CHECK_BUDGET = 300.0  # seconds: `twine check` reads two archives


def build(
    root: Path, dist: Path, name: str, version: ReleaseVersion, log: Path | None = None
) -> Manifest:
    """sdist and wheel of `root` into `dist`, checked and described by the manifest."""
    dist.mkdir(parents=True, exist_ok=True)
    _refuse_foreign(dist, version.version)
    _clear_previous(dist)
    python = sys.executable
    argv = [python, "-m", "build", "--installer", "uv", "--outdir", str(dist), str(root)]
    runner.run(argv, timeout=BUILD_BUDGET, log_to=log)
    files = sorted(p for p in dist.iterdir() if p.name.endswith(DIST_SUFFIXES))
    _expect_both(files, dist)
    argv = [python, "-m", "twine", "check", "--strict", *map(str, files)]
    runner.run(argv, timeout=CHECK_BUDGET, log_to=log)
    built = Manifest(
        str(canonicalize_name(name)), str(version), tuple(map(manifests.describe, files))
    )
    manifests.write(dist, built)
    return built


def _refuse_foreign(dist: Path, version: Version) -> None:
    """Never mix versions in dist/: an upload of dist/ must mean exactly one version."""
    foreign = sorted(
        p.name
        for p in dist.iterdir()
        if p.name.endswith(DIST_SUFFIXES) and version_of(p.name) != version
    )
    if foreign:
        raise ConfigError(
            f"{dist} holds files of another version: {', '.join(foreign)}",
            hint=f"move or delete them (or all of {dist}) and build again",
        )


def _clear_previous(dist: Path) -> None:
    """Drop an earlier build of this same version, so dist/ holds exactly what the manifest says."""
    for path in dist.iterdir():
        if path.name.endswith(DIST_SUFFIXES) or path.name in (manifests.MANIFEST, manifests.SUMS):
            path.unlink()


def _expect_both(files: list[Path], dist: Path) -> None:
    kinds = {suffix for p in files for suffix in DIST_SUFFIXES if p.name.endswith(suffix)}
    if kinds != set(DIST_SUFFIXES):
        raise ConfigError(
            f"the build left {', '.join(p.name for p in files) or 'nothing'} in {dist}",
            hint="a release needs one sdist and at least one wheel; check the build backend",
        )
