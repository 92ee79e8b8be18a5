"""The stage table: every stage of every lane, in order, as data readable top to bottom — the one
place a stage is named.

Each row carries what the rest derives: its name, whether it runs once per Python, its work
(named as "module:function" and imported only when it runs, so `plan` and `nox -l` start
quickly), the `staged-release` command that runs it alone (the CLI's sub-commands and their
`--stage`/`--index` choices), the options that command takes, the sentence its nox session
shows, the states of the release machine it belongs to in each lane (the lanes themselves are
the rows that name a state in them, in table order), the index it reads or publishes to, how
the workflow's job runs it (its rights, its credentials), what of the project it needs, the
stage whose records it reads, and the word `status` says when its cells passed. The machine,
the workflow, the CLI, the nox sessions, the rehearsals and `status` read this table; adding a
stage is one row here plus its work.

A work is called as `work(run, stage)`, or `work(run, stage, python)` for a stage run once per
Python (release.pipeline.run); it returns what the report keeps of it, and raises a ReleaseError
when the stage fails.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final


class Target(enum.StrEnum):
    TESTPYPI = "testpypi"
    PYPI = "pypi"


class Job(enum.StrEnum):
    """How the release workflow runs a stage, which decides the rights and secrets of its job."""

    BUILD = "build"  # in the one build job (the lanes' shared entry); its last one names the job
    CHECK = "check"  # a job of its own that reads only
    PUBLISH = "publish"  # uploads: an identity token, the index's environment and token secret
    PUSH = "push"  # pushes images: `packages: write` and the registry's credential
    PULL = "pull"  # pulls the pushed images by digest, in a step of its own, before its own


class Needs(enum.StrEnum):
    """What of the project a stage needs: without it, the stage has no job in the workflow."""

    NOTHING = "nothing"
    E2E = "e2e"  # an E2E stack ([tool.staged-release.e2e])
    IMAGES = "images"  # images ([tool.staged-release.images])


@dataclass(frozen=True)
class State:
    """A state of the release machine (release.pipeline.machine) and its title in the reports."""

    name: str
    title: str


@dataclass(frozen=True)
class Stage:
    name: str
    work: str  # "module:function"
    command: tuple[str, ...]  # the staged-release command, before --project and the cell
    doc: str  # what its nox session says it does
    states: tuple[tuple[Target, tuple[State, ...]], ...]  # its states, per lane it is in
    per_python: bool = False  # one cell per Python: "<name>-3.12"
    index: str | None = None  # the index it reads its candidate from or publishes to (None: dist/)
    job: Job = Job.CHECK
    needs: Needs = Needs.NOTHING
    reads: str | None = None  # the stage whose records it reads (handed on between jobs)
    options: tuple[str, ...] = ()  # the option groups its command takes (release.cli.arguments)
    status: str = ""  # what `status` says of a version whose cells of this stage all passed

    def load(self) -> Callable[..., Any]:
        module, _, function = self.work.partition(":")
        work: Callable[..., Any] = getattr(importlib.import_module(module), function)
        return work

    def states_in(self, target: Target) -> tuple[State, ...]:
        return next((states for lane, states in self.states if lane is target), ())

    def session(self, python: str | None = None) -> str:
        """Its nox session, or one cell's: `nox -s <session>` reproduces it."""
        return self.name if python is None else f"{self.name}-{python}"


def _in(**lanes: State | tuple[State, ...]) -> tuple[tuple[Target, tuple[State, ...]], ...]:
    return tuple((Target(t), s if isinstance(s, tuple) else (s,)) for t, s in lanes.items())


RC_TAG = State("rc_tag", "rc tag: version check + build")
FINAL_TAG = State("final_tag", "Final tag: build + candidate gates")
ENTRY = _in(testpypi=RC_TAG, pypi=FINAL_TAG)  # the lanes' shared entry
CELL = ("check-timeout",)

STAGES: Final[Mapping[str, Stage]] = {
    stage.name: stage
    for stage in (
        Stage("version_check", "release.pipeline.entry:checked_version", ("check",),
              "pyproject.toml, uv.lock and the tag agree (`-- --tag vX.Y.Z`)", ENTRY,
              job=Job.BUILD, options=("tag",)),
        Stage("build", "release.pipeline.entry:build_once", ("build",),
              "sdist + wheel into dist/ with a manifest, after the version check", ENTRY,
              job=Job.BUILD, options=("tag", "credential-first", "prebuilt")),
        Stage("upload_testpypi", "release.upload:upload_stage", ("upload", "--index", "testpypi"),
              "Upload dist/ to TestPyPI (STAGED_RELEASE_INDEXES=local: to the local stand-in)",
              _in(testpypi=State("rc_upload", "Upload rc to TestPyPI")),
              index="testpypi", job=Job.PUBLISH, options=("publishing",)),
        Stage("validate_rc", "release.validation:validate_stage",
              ("validate", "--index", "testpypi", "--stage", "validate_rc"),
              "Reinstall the rc from TestPyPI on this Python and check it",
              # two states: installing the rc, then its checks
              _in(testpypi=(State("rc_validation", "Install rc from TestPyPI"),
                            State("rc_checks", "rc checks per Python"))),
              per_python=True, index="testpypi", options=CELL, status="validated"),
        Stage("e2e_rc", "release.e2e:e2e_stage", ("e2e", "--stage", "e2e_rc"),
              "The E2E stack around images of the rc from TestPyPI",
              _in(testpypi=State("rc_e2e", "rc E2E (Docker)")),
              index="testpypi", needs=Needs.E2E, options=("stack",)),
        Stage("candidate_checks", "release.validation:validate_stage", ("candidate-checks",),
              "Install the built wheel from dist/ on this Python and check it, before any upload",
              _in(pypi=FINAL_TAG), per_python=True, options=CELL),
        Stage("e2e_prepublish", "release.e2e:e2e_stage", ("e2e", "--stage", "e2e_prepublish"),
              "The E2E stack around images of the wheel in dist/, before the PyPI upload",
              _in(pypi=FINAL_TAG), needs=Needs.E2E, options=("stack",)),
        Stage("upload_pypi", "release.upload:upload_stage", ("upload", "--index", "pypi"),
              "Upload dist/ to PyPI; a final needs an rc on TestPyPI first",
              _in(pypi=State("final_upload", "Upload to PyPI")),
              index="pypi", job=Job.PUBLISH, options=("publishing",)),
        Stage("validate_final", "release.validation:validate_stage",
              ("validate", "--index", "pypi", "--stage", "validate_final"),
              "Reinstall the final from PyPI on this Python and check it",
              _in(pypi=State("final_validation", "Install from PyPI per Python")),
              per_python=True, index="pypi", options=CELL, status="validated"),
        Stage("images", "release.images:images_stage", ("images",),
              "Build, smoke-test and push the Docker images (after validate_final passed)",
              _in(pypi=State("images", "Publish images")), index="pypi", job=Job.PUSH,
              needs=Needs.IMAGES, reads="validate_final", options=("image-output",)),
        Stage("e2e_postpublish", "release.e2e:e2e_stage", ("e2e", "--stage", "e2e_postpublish"),
              "The E2E stack around the published images and the package from PyPI",
              _in(pypi=State("postpublish_e2e", "Post-publish E2E")), index="pypi",
              job=Job.PULL, needs=Needs.E2E, reads="images", options=("stack",)),
    )
}  # fmt: skip

# A lane is the rows that name a state in it, in the table's order.
LANES: Final[Mapping[Target, tuple[Stage, ...]]] = {
    target: tuple(s for s in STAGES.values() if s.states_in(target)) for target in Target
}


def stage_names(target: Target, pythons: tuple[str, ...]) -> list[str]:
    """The lane's stages and cells in order: "validate_rc-3.12" for a per-Python stage."""
    names: list[str] = []
    for stage in LANES[target]:
        names += [stage.session(p) for p in pythons] if stage.per_python else [stage.name]
    return names


def commands() -> dict[str, tuple[Stage, ...]]:
    """The staged-release commands that run stages, in table order, each with its stages."""
    found: dict[str, tuple[Stage, ...]] = {}
    for stage in STAGES.values():
        found[stage.command[0]] = (*found.get(stage.command[0], ()), stage)
    return found


def by_command(command: str) -> tuple[str, ...]:
    """The stages a command runs by name (`e2e --stage NAME`): the choices of its --stage."""
    return tuple(s.name for s in commands().get(command, ()))


def flags(stage: Stage) -> dict[str, str]:
    """The options its command fixes (`--index pypi --stage validate_final`), by option name."""
    pairs = zip(stage.command[1::2], stage.command[2::2], strict=True)
    return {flag[2:].replace("-", "_"): value for flag, value in pairs}


def chosen(command: str, given: Mapping[str, Any]) -> Stage | None:
    """The stage a command runs for these options: the first of its stages whose fixed options
    the given ones do not contradict (an option not given contradicts none)."""
    for stage in commands().get(command, ()):
        if all(given.get(k) in (None, v) for k, v in flags(stage).items()):
            return stage
    return None


def entry() -> tuple[Stage, ...]:
    """The stages the workflow's build job runs, the last naming it: it makes dist/."""
    return tuple(s for s in STAGES.values() if s.job is Job.BUILD)


def builder() -> Stage:
    """The stage that makes dist/ and its manifest (a report keeps its result under its name)."""
    return entry()[-1]


def doing(job: Job, index: str | None = None) -> tuple[Stage, ...]:
    """The stages whose jobs do this (and, when given, with this index): the uploads to PyPI,
    the stage that pushes images."""
    return tuple(s for s in STAGES.values() if s.job is job and index in (None, s.index))


def reading(index: str) -> Sequence[Stage]:
    """The per-Python stages that install the candidate from `index` and that status reports."""
    return [s for s in STAGES.values() if s.per_python and s.index == index and s.status]
