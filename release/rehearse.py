"""Rehearse the rc lane on the local stand-ins: version check, build, upload to the local
TestPyPI, validate on every Python. The user's working tree is never touched: the project is
copied into the suite's own directory and built there.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import TypeVar

from release import git
from release.build import build
from release.context import STATE_DIR, Options, Run, open_run
from release.errors import ReleaseError
from release.indexes import STAGING, Mode
from release.lanes import LANES, Target, target_for
from release.manifest import Manifest
from release.outcomes import Outcome, Report, Status, timed
from release.project import Config, load_config, read_lock_version
from release.upload import Uploaded, upload
from release.validate import validate
from release.version_check import VersionSources, verify
from release.versions import ReleaseVersion

T = TypeVar("T")
REHEARSAL = "rehearsal"
_JUNK = (
    ".git",
    ".venv",
    ".nox",
    "dist",
    "build",
    STATE_DIR,
    "__pycache__",
    "*.egg-info",
    ".*_cache",
)


@dataclass(frozen=True)
class Rehearsal:
    project: Path
    report: Path
    dependency_index: str | None = None
    jobs: int = 2


def rehearse_rc(plan: Rehearsal, progress: Callable[[str], None]) -> Report:
    home = plan.project / STATE_DIR / REHEARSAL
    shutil.rmtree(home, ignore_errors=True)  # fresh indexes: a rehearsal starts from nothing
    config = load_config(_copy_source(plan.project, home / "src"))
    report = Report("rehearse rc")
    options = Options(
        Mode.LOCAL, plan.dependency_index, dist=home / "dist", state=home, repo=plan.project
    )
    with open_run(config, options, progress) as run:
        report.facts["indexes"] = {
            "testpypi": run.index(STAGING).simple_url,
            "dependencies": run.trusted().simple_url,
        }
        _lane(run, plan.jobs, report)
    report.write(plan.report)
    return report


def _lane(run: Run, jobs: int, report: Report) -> None:
    lock = Lock()

    def record(outcome: Outcome) -> None:
        with lock:
            report.outcomes.append(outcome)

    steps: dict[str, Callable[[], object]] = {
        "version_check": lambda: _version(run.config),
        "build": lambda: build(run.config.root, run.dist, run.config.name, _version(run.config)),
        "upload_testpypi": lambda: upload(run, STAGING),
    }
    for stage in LANES[Target.TESTPYPI]:
        if not report.passed:
            record(Outcome(stage.name, "-", Status.SKIPPED, 0.0, "an earlier stage failed"))
        elif stage.per_python:
            _cells(run, stage.name, jobs, record)
        elif stage.name in steps:
            report.facts[stage.name] = _fact(_step(record, stage.name, steps[stage.name]))
        else:
            record(Outcome(stage.name, "-", Status.SKIPPED, 0.0, "not part of this rehearsal yet"))


def _fact(result: object) -> object:
    """What the JSON report keeps of a stage's result."""
    if isinstance(result, Uploaded | Manifest):
        return dataclasses.asdict(result)
    return None if result is None else str(result)


def _cells(run: Run, stage: str, jobs: int, record: Callable[[Outcome], None]) -> None:
    def cell(python: str) -> None:
        _step(record, stage, lambda: validate(run, stage, STAGING, python), python)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(cell, run.config.pythons))


def _step(
    record: Callable[[Outcome], None], stage: str, work: Callable[[], T], cell: str = "-"
) -> T | None:
    try:
        with timed(record, stage, cell):
            return work()
    except ReleaseError:
        return None  # recorded as failed by timed()


def _version(config: Config) -> ReleaseVersion:
    lock = read_lock_version(config.root, config.name)
    version = verify(VersionSources(config.name, config.version, lock, None, None))
    target_for(version, Target.TESTPYPI)  # the rc lane takes release candidates only
    return version


def _copy_source(project: Path, target: Path) -> Path:
    """The files git would see (tracked and untracked-but-not-ignored), else the tree minus junk."""
    files = git.listed_files(project)
    if files is None:
        shutil.copytree(project, target, ignore=shutil.ignore_patterns(*_JUNK))
        return target
    for name in files:
        source = project / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target
