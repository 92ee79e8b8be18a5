"""Rehearse a lane on the local stand-ins, from a scratch copy of the project (the working tree
is never touched): `rc` runs the TestPyPI lane; `final` runs the rc lane first (a final needs a
green rc on TestPyPI; the copy is set to X.Y.Zrc1 for it), then the PyPI lane: build, candidate
checks, upload, validation from PyPI on every Python, images, and the E2E gates around them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from release.artifacts.manifest import Manifest
from release.artifacts.source import copy_source
from release.config.project import load_config
from release.context import LOGS, STATE_DIR, Options, Run, claim, open_run
from release.core import interpreters, parallel, runner
from release.core.errors import Interrupted
from release.core.progress import Progress
from release.e2e.stack import StackResult
from release.images.stage import Published
from release.index.profiles import RELEASE, STAGING, Mode
from release.pipeline.entry import release_version
from release.pipeline.outcomes import Outcome, Report, Status, ran_alone
from release.pipeline.run import run_stage
from release.pipeline.stages import LANES, Stage, Target
from release.upload.stage import Uploaded
from release.versioning.bump import set_copy
from release.versioning.versions import Kind, ReleaseVersion, parse_version

T = TypeVar("T")
REHEARSAL = "rehearsal"
ALONE = "alone"  # the logs of the cells run again alone
_NOT_HERE = "Python {0} is not installed here (pyenv install {0}, or put python{0} on PATH)"


@dataclass(frozen=True)
class Rehearsal:
    project: Path
    report: Path
    dependency_index: str | None = None
    jobs: int = 2
    check_timeout: float | None = None  # overrides every check's own budget
    tag: str | None = None  # the version tag to rehearse (a dynamic version: else HEAD's)
    rebuild: bool = False  # --no-cache: the E2E stacks' images built anew


@dataclass(frozen=True)
class Part:
    """One lane of a rehearsal, on its own copy of the project."""

    target: Target
    source: Path  # the copy it builds from
    tag: str | None  # the tag it checks (a dynamic version's; the rc part's)
    repo: Path  # where git tags are read: the project, or (the rc part) a copy without any
    logs: str = ""  # the part's own name, so two lanes keep apart: its logs' subdirectory, and
    # the key of its facts in the report (the last lane's stay at the top, where `images
    # --after REPORT` reads the build)
    fail_at: tuple[str, str] | None = None  # the stage or cell --fail-at makes fail in this part


def rehearse_rc(plan: Rehearsal, progress: Progress) -> Report:
    """The rc lane on fresh local indexes."""
    return _rehearsal("rehearse rc", plan, progress, _rc_parts)


def rehearse_final(plan: Rehearsal, progress: Progress) -> Report:
    """The rc lane (for a final), then the PyPI lane, on fresh local indexes."""
    return _rehearsal("rehearse final", plan, progress, _final_parts)


def _rehearsal(
    title: str, plan: Rehearsal, progress: Progress, parts: Callable[[Rehearsal, Path], list[Part]]
) -> Report:
    """The report lists every stage in lane order, also when a signal stopped the run (the
    running stage is then marked interrupted) or an early stage failed."""
    report = Report(title)
    home = claim(plan.project / STATE_DIR) / REHEARSAL
    shutil.rmtree(home, ignore_errors=True)  # fresh indexes: a rehearsal starts from nothing
    lanes: list[Part] = []
    # The cancellation below says which signal stopped it; the stages say where it hit.
    with contextlib.suppress(Interrupted):
        lanes = parts(plan, home)
        for part in lanes:
            _run_part(plan, home, part, progress, report)
    report.interrupted = runner.CANCEL.signum
    _complete(report, [p.target for p in lanes] or [Target.TESTPYPI], _pythons(report))
    report.write(plan.report)
    return report


def _rc_parts(plan: Rehearsal, home: Path) -> list[Part]:
    return [Part(Target.TESTPYPI, copy_source(plan.project, home / "src"), plan.tag, plan.project)]


def _final_parts(plan: Rehearsal, home: Path) -> list[Part]:
    """The rc part first for a final (a .postN needs none), then the PyPI lane."""
    final = Part(Target.PYPI, copy_source(plan.project, home / "src"), plan.tag, plan.project)
    version = release_version(load_config(final.source), final.tag, plan.project)
    if version.kind is not Kind.FINAL:
        return [final]
    rc = parse_version(f"{version.base}rc1")
    return [_rc_part(plan, home, rc), final]


def _rc_part(plan: Rehearsal, home: Path, rc: ReleaseVersion) -> Part:
    return part_at(plan, home / "src-rc", Target.TESTPYPI, rc, "rc")


def part_at(
    plan: Rehearsal, where: Path, target: Target, version: ReleaseVersion, name: str,
    fail_at: tuple[str, str] | None = None,
) -> Part:  # fmt: skip
    """A copy set to `version`: written where `bump` writes it (pyproject.toml or the
    backend's version file) and into uv.lock's entry when it records one (the copy needs no
    resolve), or (a version from tags) handed over as its tag. It reads no tags: the
    project's own might refuse the version rehearsed."""
    source = copy_source(plan.project, where)
    config = load_config(source)
    if config.version is not None:
        set_copy(source, config.name, str(version), config.held)
    return Part(target, source, version.tag, source, logs=name, fail_at=fail_at)


def _run_part(plan: Rehearsal, home: Path, part: Part, progress: Progress, report: Report) -> None:
    config = load_config(part.source)
    report.facts["pythons"] = list(config.pythons)
    logs = plan.project / STATE_DIR / LOGS / part.logs
    options = Options(
        Mode.LOCAL, plan.dependency_index, dist=home / f"dist-{part.logs or part.target}",
        state=home, repo=part.repo, logs=logs, check_timeout=plan.check_timeout, tag=part.tag,
        lane=str(part.target), fail_at=part.fail_at, rebuild=plan.rebuild,
    )  # fmt: skip
    with open_run(config, options, progress) as run:
        report.facts["indexes"] = {
            "testpypi": run.index(STAGING).simple_url,
            "pypi": run.index(RELEASE).simple_url,
            "dependencies": run.trusted().simple_url,
        }
        _lane(run, part, plan.jobs, report)


def _lane(run: Run, part: Part, jobs: int, report: Report) -> None:
    """Each stage of the part's lane in the table's order, until one fails."""
    lane = str(part.target)
    facts = report.facts.setdefault(part.logs, {}) if part.logs else report.facts
    for stage in LANES[part.target]:
        if not report.passed:
            report.outcomes.append(_skipped(stage.name, _why_skipped(report), lane))
        elif stage.per_python:
            report.outcomes += _cells(run, stage, jobs, lane)
        else:
            ran = run_stage(run, stage, lane=lane)
            report.outcomes.append(ran.outcome)
            facts[stage.name] = _fact(ran.result)


def run_part(plan: Rehearsal, home: Path, part: Part, progress: Progress) -> Report:
    """One lane of a longer rehearsal, in a report of its own that lists every stage."""
    report = Report(f"{part.logs} ({part.target} lane)")
    with contextlib.suppress(Interrupted):
        _run_part(plan, home, part, progress, report)
    report.interrupted = runner.CANCEL.signum
    _complete(report, [part.target], _pythons(report))
    return report


def _cells(run: Run, stage: Stage, jobs: int, lane: str) -> list[Outcome]:
    """One cell per Python, side by side; outcomes in Python order, however they finish. A
    cell that failed while others ran beside it runs once more, alone, after them all."""
    spans: dict[str, tuple[float, float]] = {}

    def cell(python: str) -> Outcome:
        if interpreters.locate(python, os.environ) is None:  # a rehearsal runs where it can
            reason = _NOT_HERE.format(python)
            return Outcome(stage.name, python, Status.SKIPPED, 0.0, reason, lane=lane)
        started = time.monotonic()
        try:
            return run_stage(run, stage, python, lane=lane).outcome
        finally:
            spans[python] = (started, time.monotonic())

    pythons = run.config.pythons
    for python in pythons:  # an earlier rehearsal's solo runs say nothing of this one
        shutil.rmtree(run.logs / ALONE / f"{stage.name}-{python}", ignore_errors=True)
    done = parallel.in_order(cell, pythons, jobs)
    never = "interrupted before it started"
    outcomes = [
        o or Outcome(stage.name, p, Status.SKIPPED, 0.0, never, lane=lane)
        for o, p in zip(done, pythons, strict=True)
    ]
    beside = parallel.overlapping([spans.get(p) for p in pythons])
    return [  # one after another, in Python order
        _alone(run, stage, o, lane) if crowded and _again(run, o) else o
        for o, crowded in zip(outcomes, beside, strict=True)
    ]


def _again(run: Run, outcome: Outcome) -> bool:
    """Whether a cell that ran beside others runs once more alone: it failed, and not because
    the rehearsal made it fail (--fail-at) or a signal stopped the run."""
    failed = outcome.status is Status.FAILED and runner.CANCEL.signum is None
    return failed and not run.fails_at(outcome.stage, outcome.cell)


def _alone(run: Run, stage: Stage, first: Outcome, lane: str) -> Outcome:
    """The cell again, with nothing beside it (its logs under logs/alone/, the first run's stay):
    its verdict is what a CI runner of its own would say."""
    solo_run = dataclasses.replace(run, logs=run.logs / ALONE)
    return ran_alone(first, run_stage(solo_run, stage, first.cell, lane=lane).outcome)


def _skipped(stage: str, why: str, lane: str) -> Outcome:
    return Outcome(stage, "-", Status.SKIPPED, 0.0, why, lane=lane)


def _why_skipped(report: Report) -> str:
    if any(o.status is Status.INTERRUPTED for o in report.outcomes):
        return "an earlier stage was interrupted"
    return "an earlier stage failed"


def _complete(report: Report, targets: Sequence[Target], pythons: list[str]) -> None:
    """Every stage of the lanes in the report, in lane order (lane, stage, then Python)."""
    seen = {(o.lane, o.stage) for o in report.outcomes}
    why = "interrupted before it ran" if report.interrupted else "not run"
    for target in targets:
        missing = [s for s in LANES[target] if (str(target), s.name) not in seen]
        report.outcomes += [_skipped(s.name, why, str(target)) for s in missing]
    order = {
        (str(t), s.name): (i, j) for i, t in enumerate(targets) for j, s in enumerate(LANES[t])
    }
    cells = {p: i for i, p in enumerate(pythons)}
    report.outcomes.sort(key=lambda o: (order[(o.lane, o.stage)], cells.get(o.cell, -1)))


def _pythons(report: Report) -> list[str]:
    return list(report.facts.get("pythons", []))


def _fact(result: object) -> object:
    """What the JSON report keeps of a stage's result."""
    if isinstance(result, Uploaded | Manifest):
        return dataclasses.asdict(result)
    if isinstance(result, StackResult):
        timeline = [dataclasses.asdict(entry) for entry in result.timeline]
        return {"seconds": result.seconds, "phases": result.phases(), "order": result.order(),
                "timeline": timeline}  # fmt: skip
    if isinstance(result, list):  # the images stage's: one entry per variant
        return [dataclasses.asdict(r) for r in result if isinstance(r, Published)]
    return None if result is None else str(result)
