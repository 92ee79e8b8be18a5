"""The stage table: every stage of every lane, in order, as data readable top to bottom.

Each stage carries what the rest derives: its name, whether it runs once per Python, its work
(named as "module:function" and imported only when it runs, so `plan` and `nox -l` start
quickly), the `staged-release` command that runs it alone, and the sentence its nox session
shows. The rehearsal, the nox sessions and the CLI read this table; adding a stage is one row
here plus its module.

A work is called as `work(run)`, or `work(run, python)` for a stage run once per Python; it
returns what the report keeps of it, and raises a ReleaseError when the stage fails.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final


class Target(enum.StrEnum):
    TESTPYPI = "testpypi"
    PYPI = "pypi"


@dataclass(frozen=True)
class Stage:
    name: str
    work: str  # "module:function"
    command: tuple[str, ...]  # the staged-release command, before --project and the cell
    doc: str  # what its nox session says it does
    per_python: bool = False  # one cell per Python: "<name>-3.12"

    def load(self) -> Callable[..., Any]:
        module, _, function = self.work.partition(":")
        work: Callable[..., Any] = getattr(importlib.import_module(module), function)
        return work


STAGES: Final[Mapping[str, Stage]] = {
    stage.name: stage
    for stage in (
        Stage("version_check", "release.pipeline.entry:version_check", ("check",),
              "pyproject.toml, uv.lock and the tag agree (`-- --tag vX.Y.Z`)"),
        Stage("build", "release.pipeline.entry:build_once", ("build",),
              "sdist + wheel into dist/ with a manifest, after the version check"),
        Stage("upload_testpypi", "release.upload:upload_testpypi",
              ("upload", "--index", "testpypi"),
              "Upload dist/ to TestPyPI (STAGED_RELEASE_INDEXES=local: to the local stand-in)"),
        Stage("validate_rc", "release.validation:validate_rc",
              ("validate", "--index", "testpypi", "--stage", "validate_rc"),
              "Reinstall the rc from TestPyPI on this Python and check it", per_python=True),
        Stage("e2e_rc", "release.e2e:e2e_rc", ("e2e", "--stage", "e2e_rc"),
              "The E2E stack around images of the rc from TestPyPI"),
        Stage("candidate_checks", "release.validation:candidate_checks", ("candidate-checks",),
              "Install the built wheel from dist/ on this Python and check it, before any upload",
              per_python=True),
        Stage("e2e_prepublish", "release.e2e:e2e_prepublish", ("e2e", "--stage", "e2e_prepublish"),
              "The E2E stack around images of the wheel in dist/, before the PyPI upload"),
        Stage("upload_pypi", "release.upload:upload_pypi", ("upload", "--index", "pypi"),
              "Upload dist/ to PyPI; a final needs an rc on TestPyPI first"),
        Stage("validate_final", "release.validation:validate_final",
              ("validate", "--index", "pypi", "--stage", "validate_final"),
              "Reinstall the final from PyPI on this Python and check it", per_python=True),
        Stage("images", "release.images:publish_images", ("images",),
              "Build, smoke-test and push the Docker images (after validate_final passed)"),
        Stage("e2e_postpublish", "release.e2e:e2e_postpublish",
              ("e2e", "--stage", "e2e_postpublish"),
              "The E2E stack around the published images and the package from PyPI"),
    )
}  # fmt: skip


def _lane(*names: str) -> tuple[Stage, ...]:
    return tuple(STAGES[name] for name in names)


LANES: Final[Mapping[Target, tuple[Stage, ...]]] = {
    Target.TESTPYPI: _lane("version_check", "build", "upload_testpypi", "validate_rc", "e2e_rc"),
    Target.PYPI: _lane(
        "version_check", "build",
        "candidate_checks", "e2e_prepublish",  # the wheel in dist/, before any upload
        "upload_pypi",
        "validate_final",  # the package installed from PyPI, on every Python
        "images",  # only after validate_final passed
        "e2e_postpublish",
    ),
}  # fmt: skip


def stage_names(target: Target, pythons: tuple[str, ...]) -> list[str]:
    """The lane's stages and cells in order: "validate_rc-3.12" for a per-Python stage."""
    names: list[str] = []
    for stage in LANES[target]:
        names += [f"{stage.name}-{p}" for p in pythons] if stage.per_python else [stage.name]
    return names


def by_command(command: str) -> tuple[str, ...]:
    """The stages a command runs by name (`e2e --stage NAME`): the choices of its --stage."""
    return tuple(name for name, stage in STAGES.items() if stage.command[0] == command)
