"""Rehearse the rc lane on the local stand-ins: version check, build, upload to the local
TestPyPI, validate on every Python. The user's working tree is never touched: the project is
copied into the suite's own directory and built there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from release import git, interpreters, parallel, runner
from release.build import build
from release.context import LOGS, STATE_DIR, Options, Run, open_run
from release.errors import ConfigError, Interrupted
from release.indexes import STAGING, Mode
from release.lanes import LANES, Stage, Target, target_for
from release.manifest import Manifest
from release.outcomes import Outcome, Report, Status, attempt
from release.progress import Progress
from release.project import load_config, read_lock_version
from release.source import copy_source
from release.upload import Uploaded, upload
from release.validate import validate
from release.version_check import TAG_HEAD_HINT, VersionSources, pick_head_tag, verify
from release.versions import ReleaseVersion

T = TypeVar("T")
REHEARSAL = "rehearsal"
_NOT_HERE = "Python {0} is not installed here (pyenv install {0}, or put python{0} on PATH)"


@dataclass(frozen=True)
class Rehearsal:
    project: Path
    report: Path
    dependency_index: str | None = None
    jobs: int = 2
    check_timeout: float | None = None  # overrides every check's own budget
    tag: str | None = None  # the version tag to rehearse (a dynamic version: else HEAD's)


def rehearse_rc(plan: Rehearsal, progress: Progress) -> Report:
    """The rc lane on fresh local indexes; the report lists every stage in lane order, also
    when a signal stopped the run (the running stage is then marked interrupted)."""
    report = Report("rehearse rc")
    # The cancellation below says which signal stopped it; the stages say where it hit.
    with contextlib.suppress(Interrupted):
        _rehearse(plan, progress, report)
    report.interrupted = runner.CANCEL.signum
    _complete(report, LANES[Target.TESTPYPI], _pythons(report))
    report.write(plan.report)
    return report


def _rehearse(plan: Rehearsal, progress: Progress, report: Report) -> None:
    home = plan.project / STATE_DIR / REHEARSAL
    shutil.rmtree(home, ignore_errors=True)  # fresh indexes: a rehearsal starts from nothing
    config = load_config(copy_source(plan.project, home / "src"))
    report.facts["pythons"] = list(config.pythons)
    options = Options(
        Mode.LOCAL, plan.dependency_index, dist=home / "dist", state=home, repo=plan.project,
        logs=plan.project / STATE_DIR / LOGS, check_timeout=plan.check_timeout,
    )  # fmt: skip
    with open_run(config, options, progress) as run:
        report.facts["indexes"] = {
            "testpypi": run.index(STAGING).simple_url,
            "dependencies": run.trusted().simple_url,
        }
        _lane(run, plan, report)


def _lane(run: Run, plan: Rehearsal, report: Report) -> None:
    steps: dict[str, Callable[[], object]] = {
        "version_check": lambda: _version(run, plan.tag),
        "build": lambda: _build(run, plan.tag),
        "upload_testpypi": lambda: upload(run, STAGING),
    }
    for stage in LANES[Target.TESTPYPI]:
        if not report.passed:
            report.outcomes.append(_skipped(stage.name, _why_skipped(report)))
        elif stage.per_python:
            report.outcomes += _cells(run, stage.name, plan.jobs)
        elif stage.name in steps:
            outcome, result = _stage(run, stage.name, "-", steps[stage.name])
            report.outcomes.append(outcome)
            report.facts[stage.name] = _fact(result)
        else:
            report.outcomes.append(_skipped(stage.name, "not part of this rehearsal yet"))


def _build(run: Run, tag: str | None) -> Manifest:
    config, log = run.config, _fresh_log(run, "build")
    dynamic = config.version is None  # the copy has no .git: the backend is told the version
    return build(config.root, run.dist, config.name, _version(run, tag), log, dynamic=dynamic)


def _stage(run: Run, stage: str, cell: str, work: Callable[[], T]) -> tuple[Outcome, T | None]:
    """One stage or cell, announced and timed; a signal between two stages interrupts the next."""
    with run.progress.activity(stage if cell == "-" else f"{stage}-{cell}") as act:
        outcome, result = attempt(stage, cell, lambda: _unless_cancelled(work))
        act.status = outcome.status
    return outcome, result


def _cells(run: Run, stage: str, jobs: int) -> list[Outcome]:
    """One cell per Python, side by side; outcomes in Python order, however they finish."""

    def cell(python: str) -> Outcome:
        if interpreters.locate(python, os.environ) is None:  # a rehearsal runs where it can
            return Outcome(stage, python, Status.SKIPPED, 0.0, _NOT_HERE.format(python))
        outcome, passed = _stage(run, stage, python, lambda: validate(run, stage, STAGING, python))
        if passed is not None:  # a failed cell's checks come with its error
            outcome = dataclasses.replace(outcome, checks=tuple(passed.checks))
        return outcome

    pythons = run.config.pythons
    done = parallel.in_order(cell, pythons, jobs)
    never = "interrupted before it started"
    return [
        o or Outcome(stage, p, Status.SKIPPED, 0.0, never)
        for o, p in zip(done, pythons, strict=True)
    ]


def _unless_cancelled(work: Callable[[], T]) -> T:
    runner.CANCEL.check()
    return work()


def _fresh_log(run: Run, name: str) -> Path:
    log = run.log(name)
    log.unlink(missing_ok=True)
    return log


def _skipped(stage: str, why: str) -> Outcome:
    return Outcome(stage, "-", Status.SKIPPED, 0.0, why)


def _why_skipped(report: Report) -> str:
    if any(o.status is Status.INTERRUPTED for o in report.outcomes):
        return "an earlier stage was interrupted"
    return "an earlier stage failed"


def _complete(report: Report, lane: tuple[Stage, ...], pythons: list[str]) -> None:
    """Every stage of the lane in the report, in lane order (stage, then Python)."""
    seen = {o.stage for o in report.outcomes}
    why = "interrupted before it ran" if report.interrupted else "not run"
    report.outcomes += [_skipped(s.name, why) for s in lane if s.name not in seen]
    order = {s.name: i for i, s in enumerate(lane)}
    cells = {p: i for i, p in enumerate(pythons)}
    report.outcomes.sort(key=lambda o: (order[o.stage], cells.get(o.cell, -1)))


def _pythons(report: Report) -> list[str]:
    return list(report.facts.get("pythons", []))


def _fact(result: object) -> object:
    """What the JSON report keeps of a stage's result."""
    if isinstance(result, Uploaded | Manifest):
        return dataclasses.asdict(result)
    return None if result is None else str(result)


def _version(run: Run, tag: str | None) -> ReleaseVersion:
    """The rc to rehearse, checked against `tag` when given; a dynamic version is the tag's, by
    default the one at HEAD of the real project (its copy has no .git)."""
    config = run.config
    if tag is None and config.version is None:
        tag = _head_tag(run)
    lock = read_lock_version(config.root, config.name)
    version = verify(VersionSources(config.name, config.version, lock, tag, None))
    target_for(version, Target.TESTPYPI)  # the rc lane takes release candidates only
    return version


def _head_tag(run: Run) -> str:
    """The version tag at HEAD of the real project. The report keeps messages, not hints, so
    the message itself says what to do."""
    tag = pick_head_tag(git.tags_at_head(run.repo))
    if tag is None:
        raise ConfigError(
            f"{run.config.name}'s version is dynamic (the git tag's), and HEAD carries no version "
            "tag: tag it (`git tag vX.Y.ZrcN`) or pass --tag to rehearse before tagging",
            hint=TAG_HEAD_HINT,
        )
    return tag
