"""The images stage's preflight: images only for a final or .postN whose wheel the stage's index
(PyPI) lists with the manifest's sha256, and whose cells of the stage its row `reads` (the
validation from PyPI) passed on every Python. Nothing is built or pushed before it passed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from release.artifacts.manifest import DistFile, Manifest, verified, wheel_fitting
from release.config.images import EMBEDDED_BASE_PYTHON, ImagesSpec
from release.context import Run
from release.core.errors import ConfigError, IntegrityError, NotYetListed, Unavailable
from release.images import _wheelhouse as wheelhouse
from release.index.simple_api import versions
from release.pipeline.stages import STAGES, Job, Stage, entry
from release.validation import results
from release.versioning.versions import ReleaseVersion, parse_version


class NoImages(Unavailable):
    """The project declares no images: the stage has nothing to do (skipped, saying so)."""


@dataclass(frozen=True)
class Candidate:
    """What the preflight established: the validated build, and what PyPI lists."""

    spec: ImagesSpec
    manifest: Manifest
    version: ReleaseVersion
    listed: frozenset[Version]
    wheel: Path  # the file of the manifest's wheel: dist/'s, or as downloaded from an index

    @property
    def built(self) -> DistFile:
        """The manifest's entry of the wheel the images hold."""
        found = self.manifest.file(self.wheel.name)
        if found is None:
            raise IntegrityError(
                f"{self.wheel.name} is not in the build's manifest", hint="build again"
            )
        return found


def preflight(run: Run, stage: Stage, after: Path | None) -> Candidate:
    """Images only for a final or .postN whose wheel the stage's index lists with the manifest's
    sha256 and whose validation passed on every Python (this run's cells, or the report
    `after`)."""
    spec = run.config.settings.images
    if spec is None:
        raise NoImages(
            "the project declares no images ([tool.staged-release.images] is missing)",
            hint='add the table with app = "module:attr" (see the README) to build images',
        )
    manifest = verified(run.dist)
    version = parse_version(manifest.version, where="dist/manifest.json")
    index = run.index(stage.index or "")
    listing = run.listing(index, manifest.name)
    chosen = image_wheel(run, spec, manifest)
    wheel = (chosen.filename, chosen.sha256)
    if wheel not in {(f.filename, f.sha256) for f in listing}:
        raise NotYetListed(
            f"{index.name} does not list {wheel[0]} with the manifest's sha256, "
            f"and images follow the upload to {index.name}",
            hint=f"run {_uploads(stage)}, then {stage.reads} on every Python, then {stage.name}",
        )
    _ensure_validated(run, stage.reads or "", manifest, after)
    return Candidate(spec, manifest, version, versions(listing), run.dist / wheel[0])


def image_python(run: Run, spec: ImagesSpec) -> str:
    """The Python of the images' base: the embedded base's on the local stand-ins (nothing can
    be pulled there), else the configured one."""
    return EMBEDDED_BASE_PYTHON if run.mode.offline else spec.python


def image_wheel(run: Run, spec: ImagesSpec, manifest: Manifest) -> DistFile:
    """The wheel of the build that the images' Python and platform install."""
    python = image_python(run, spec)
    return wheel_fitting(manifest, wheelhouse.Target(python).tags(), python)


def _uploads(stage: Stage) -> str:
    found = (s.name for s in STAGES.values() if s.job is Job.PUBLISH and s.index == stage.index)
    return next(found, "the upload")


def _ensure_validated(run: Run, validated_by: str, manifest: Manifest, after: Path | None) -> None:
    """Every Python passed, each with the wheel of the build that it installs."""
    passed: set[str] = set()
    for wheel in manifest.wheels:
        if after is None:
            passed |= results.passed_pythons(
                run.state, validated_by, wheel.sha256, manifest.version
            )
        else:
            passed |= passed_in_report(after, validated_by, wheel.sha256)
    missing = [p for p in run.config.pythons if p not in passed]
    if missing:
        raise NotYetListed(
            f"{validated_by} has not passed on Python {', '.join(missing)} for "
            f"{manifest.name} {manifest.version}, and images come only after it passed on "
            "every Python",
            hint=f"run `nox -s {validated_by}` (every Python), or pass --after REPORT",
        )


def passed_in_report(report: Path, validated_by: str, wheel_sha256: str) -> set[str]:
    """The Pythons whose cell of `validated_by` passed in a lane's JSON report of this wheel."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        built = {f["sha256"] for f in data[entry()[-1].name]["files"]}
        cells = [(o["stage"], o["status"], o["cell"]) for o in data["outcomes"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{report} is not a lane's report: {exc!r}", hint="pass the JSON report a lane wrote"
        ) from None
    if wheel_sha256 not in built:
        return set()  # a report of another build proves nothing about this one
    return {cell for stage, status, cell in cells if (stage, status) == (validated_by, "passed")}
