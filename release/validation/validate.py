"""Reinstall validation: one cell per Python, from the staging (rc) or release (final) index.

Our wheel is downloaded by its exact file name and checked against the manifest (or, with no
local dist/, against the hash the index lists), then installed with --no-deps. Its dependencies
and the check tools come from the trusted index only.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.tags import Tag
from packaging.utils import canonicalize_name
from packaging.version import Version

from release.artifacts import manifest as manifests
from release.artifacts.compiled import interpreter_tags
from release.artifacts.filenames import version_of
from release.artifacts.manifest import Manifest, wheel_fitting
from release.artifacts.metadata import runtime_requirements, wheel_modules
from release.artifacts.wheels import best_wheel, no_wheel_fits
from release.config.settings import CheckSpec
from release.context import Run
from release.core.errors import (
    CheckFailed,
    ConfigError,
    IntegrityError,
    NotYetListed,
)
from release.core.verdicts import CheckOutcome, CheckStatus
from release.index.simple_api import ListedFile
from release.validation import checks, environments, results
from release.validation.checks import Place


@dataclass(frozen=True)
class Expected:
    name: str
    version: str
    manifest: Manifest | None  # None: trust the hash the index lists


@dataclass
class CellResult:
    stage: str
    python: str
    wheel: str
    checks: list[CheckOutcome] = field(default_factory=list)  # in the configured order

    @property
    def failures(self) -> list[CheckOutcome]:
        bad = (CheckStatus.FAILED, CheckStatus.TIMED_OUT)
        return [c for c in self.checks if c.status in bad]


# The check a rehearsal's --fail-at adds to its cell: it runs in the cell's environment like any
# other and fails, so the cell fails the way a real defect makes it fail.
INJECTED = CheckSpec(
    "injected-failure",
    (
        "{python}",
        "-c",
        "import sys; sys.exit('failure injected by the rehearsal (--fail-at), on purpose')",
    ),
)


@dataclass(frozen=True)
class Cell:
    stage: str
    python: str
    root: Path  # <state>/cells/<stage>-<python>: the cell's own, fresh for every attempt
    logs: Path  # <logs>/<stage>-<python>


def validate(run: Run, stage: str, index_name: str, python: str) -> CellResult:
    """Reinstall from the index in a fresh environment and run every check; CheckFailed
    (carrying all the checks' outcomes) when any of them failed."""
    expected = expected_build(run)
    results.forget(run.state, stage, python)  # an earlier verdict goes, whatever stops this one
    # The interpreter's tags and the fresh environment come before the index, which may be a
    # local server still starting (waited for there); the cell goes again when no proven wheel
    # is to be had, so a wheel the index lacks or garbles leaves no cell behind.
    supported = interpreter_tags(environments.interpreter(python))
    cell = _open(run, stage, python)
    try:
        venv = environments.create(cell.root / "venv", python, cell.logs / "environment.log")
        index = run.index(index_name)
        listing = run.listing(index, expected.name)
        listed, sha256 = choose_wheel(listing, expected, index.name, supported, python)
        run.progress.doing("download and install")
        wheel = _download(run, listed, sha256, cell.root / "wheel")
    except BaseException:
        _discard(cell)
        raise
    return check_wheel(run, cell, expected, wheel, sha256, venv)


def from_dist(run: Run, stage: str, python: str) -> CellResult:
    """The same cell for the wheel in dist/, before anything is uploaded: only where the wheel
    comes from differs (the manifest proves it, twice: in dist/ and once copied)."""
    built = manifests.verified(run.dist)
    cell = _open(run, stage, python)
    chosen = wheel_fitting(built, _tags(cell), python)
    wheel = cell.root / "wheel" / chosen.filename
    wheel.parent.mkdir()
    shutil.copy2(run.dist / chosen.filename, wheel)
    if manifests.sha256_of(wheel) != chosen.sha256:
        raise IntegrityError(f"{wheel.name} changed while it was copied", hint="build again")
    return check_wheel(run, cell, Expected(built.name, built.version, built), wheel, chosen.sha256)


def check_wheel(
    run: Run,
    cell: Cell,
    expected: Expected,
    wheel: Path,
    sha256: str,
    venv: environments.Environment | None = None,
) -> CellResult:
    """Install `wheel` (proved: `sha256`) in a fresh environment (`venv`: one the cell has just
    made) and run every check."""
    log = cell.logs / "environment.log"
    venv = venv or environments.create(cell.root / "venv", cell.python, log)
    env = _environment(run, venv, wheel, log)
    place = Place(env, run.config.root, cell.root / "tmp", cell.logs)
    place.tmp.mkdir()
    # Smoke before the check tools arrive, so none of theirs can hide a missing dependency.
    installed = checks.smoke(place, expected.name, expected.version, _modules(run, wheel))
    tools = _tools(run)
    if tools:
        run.progress.doing("install the check tools")
        environments.install_from(
            env, run.trusted(), tools, "checks", place.log("environment"), cached_pins=True
        )
    result, skip = CellResult(cell.stage, cell.python, wheel.name), run.config.settings.import_skip
    for spec in run.config.settings.checks:
        run.progress.doing(f"check {spec.name}")
        budget = _budget(run, spec)
        result.checks.append(checks.run_check(place, spec, installed, budget, cell.python, skip))
    if run.fails_at(cell.stage, cell.python):  # a rehearsal's --fail-at: a real check that fails
        result.checks.append(checks.run_check(place, INJECTED, installed, 60.0, cell.python))
    proof = (expected.name, expected.version, wheel.name, sha256, not result.failures)
    results.record(run.state, results.CellRecord(cell.stage, cell.python, *proof))
    _raise_on_failure(result)
    return result


def _open(run: Run, stage: str, python: str) -> Cell:
    """A fresh cell: its directory, its logs, and no earlier verdict left behind."""
    name = f"{stage}-{python}"
    results.forget(run.state, stage, python)
    return Cell(stage, python, _fresh(run.state / "cells" / name), _fresh(run.logs / name))


def _discard(cell: Cell) -> None:
    """A cell that got no proven wheel: its directory and logs go (and the cells' folder, if
    empty): nothing was installed in its environment."""
    shutil.rmtree(cell.root, ignore_errors=True)
    shutil.rmtree(cell.logs, ignore_errors=True)
    with contextlib.suppress(OSError):
        cell.root.parent.rmdir()


def _tags(cell: Cell) -> list[Tag]:
    """The wheel tags the cell's interpreter takes (its answer logged with the installs)."""
    python = environments.interpreter(cell.python)
    return interpreter_tags(python, cell.logs / "environment.log")


def _budget(run: Run, spec: CheckSpec) -> float:
    return run.check_timeout or spec.timeout


def _raise_on_failure(result: CellResult) -> None:
    if not result.failures:
        return
    first = result.failures[0]
    others = f" (and {len(result.failures) - 1} more)" if len(result.failures) > 1 else ""
    raise CheckFailed(
        first.reason + others,
        hint=f"its full output: {first.log}",
        log=first.log,
        checks=tuple(result.checks),
    )


def _environment(
    run: Run, env: environments.Environment, wheel: Path, log: Path
) -> environments.Environment:
    """The fresh environment `env`, now holding our wheel and its dependencies from the
    trusted index."""
    environments.install_file(env, wheel, log)
    needs = runtime_requirements(wheel)
    if needs:  # asked only then: naming PyPI imports twine (0.4 s), for its addresses
        environments.install_from(env, run.trusted(), needs, "runtime", log)
    environments.check_consistent(env, log)
    return env


def expected_build(run: Run) -> Expected:
    if (run.dist / manifests.MANIFEST).exists():
        built = manifests.verified(run.dist)
        return Expected(built.name, built.version, built)
    name = str(canonicalize_name(run.config.name))
    if run.config.version is None:  # the tag's, but which tag built what is on the index?
        raise ConfigError(
            f"{name}'s version is dynamic, and without {run.dist / manifests.MANIFEST} "
            "there is no knowing which version to validate",
            hint="run it where the build stage left dist/ (or pass --dist)",
        )
    return Expected(name, run.config.version, None)


def choose_wheel(
    listing: list[ListedFile],
    expected: Expected,
    where: str,
    supported: Sequence[Tag],
    python: str,
) -> tuple[ListedFile, str]:
    """The listed wheel to install on an interpreter supporting `supported`, and the sha256 it
    must have (pure)."""
    if expected.manifest is not None:
        wanted = wheel_fitting(expected.manifest, supported, python)
        listed = next((f for f in listing if f.filename == wanted.filename), None)
        if listed is None:
            raise NotYetListed(f"{where} does not list {wanted.filename}", hint="upload it first")
        if listed.sha256 != wanted.sha256:
            raise IntegrityError(
                f"{where} lists {wanted.filename} with sha256 {listed.sha256}, "
                f"but the manifest says {wanted.sha256}",
                hint="the index holds other bytes than were built here; do not release them",
            )
        return listed, wanted.sha256
    wheels = {
        f.filename: f
        for f in listing
        if f.filename.endswith(".whl")
        and f.sha256
        and version_of(f.filename) == Version(expected.version)
    }
    if not wheels:
        raise NotYetListed(
            f"{where} lists no wheel with a sha256 for {expected.name} {expected.version}",
            hint="run from a checkout that has dist/ from the build stage",
        )
    chosen = best_wheel(wheels, supported)
    if chosen is None:
        who = f"{expected.name} {expected.version} on {where}"
        raise no_wheel_fits(list(wheels), supported, who, python)
    return wheels[chosen], str(wheels[chosen].sha256)


def _tools(run: Run) -> list[str]:
    return check_tools(run.config.root, run.config.settings.checks)


def check_tools(root: Path, specs: Sequence[CheckSpec]) -> list[str]:
    """What the checks need: their requirements, and their groups and extras as the project's
    uv.lock pins them."""
    tools = [r for spec in specs for r in spec.requires]
    for group in dict.fromkeys(g for spec in specs for g in spec.groups):
        tools += environments.locked_group(root, group)
    for extra in dict.fromkeys(e for spec in specs for e in spec.extras):
        tools += environments.locked_extra(root, extra)
    return list(dict.fromkeys(tools))


def _modules(run: Run, wheel: Path) -> list[str]:
    modules = list(run.config.settings.imports) or wheel_modules(wheel)
    if not modules:
        raise ConfigError(
            f"{wheel.name} has no importable top-level module to smoke-test",
            hint='name them: [tool.staged-release] import = ["your_module"]',
        )
    return modules


def _download(run: Run, listed: ListedFile, sha256: str, folder: Path) -> Path:
    """Our wheel by its exact file name, proved by the manifest's (or the index's) sha256."""
    return run.download(listed.url, folder / listed.filename, sha256)


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
