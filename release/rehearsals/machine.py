"""`staged-release rehearse` with no lane: the whole release state machine on scratch copies and
fresh local stand-ins (indexes, registry, engine), driven the way an operator drives it.

bump to X.Y.Zrc1 → the rc lane (with --fail-at, rc1 fails there and the rehearsal fixes
forward: the next free rc, never rc1 again) → the PyPI lane for X.Y.Z after a green rc →
(--post-fix) X.Y.Z.post1 through the PyPI lane, moving `latest` and no version tag. Each lane
run's outcomes go into release.pipeline.machine, which derives the path; the report is written
from that data. This module only runs things; what the path is, is decided there.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from packaging.version import Version

from release.config.project import Config, load_config
from release.containers.base_image import ensure_base
from release.containers.engine import open_engine
from release.containers.registry import Registry, local_registry
from release.context import STATE_DIR, Options, claim, consumed_versions, open_run
from release.core import runner
from release.core.errors import (
    EngineUnavailable,
    Interrupted,
    RegistryUnavailable,
    ToolMissing,
)
from release.core.progress import Progress
from release.index.devpi import local_indexes
from release.index.profiles import STAGING, Mode
from release.pipeline import inject
from release.pipeline.entry import release_version
from release.pipeline.machine import DONE, LaneRun, State, derive
from release.pipeline.outcomes import Report
from release.pipeline.stages import LANES, Target
from release.rehearsals.lane import REHEARSAL, Rehearsal, part_at, run_part
from release.reporting.journey import journey
from release.reporting.journey import pushed as published
from release.status import drift_lines
from release.versioning.fixforward import next_version, successor
from release.versioning.versions import Kind, ReleaseVersion


@dataclass(frozen=True)
class Machine:
    plan: Rehearsal
    fail_at: str | None = None  # STAGE[:PYTHON]: injected into the first lane that has it
    post_fix: bool = False  # ship X.Y.Z.post1 after the green final


@dataclass
class _Driven:
    """What the rehearsal has done so far: its lane runs and what it learnt."""

    machine: Machine
    home: Path
    config: Config
    progress: Progress
    pending: tuple[str, str] | None  # the --fail-at not yet used
    runs: list[LaneRun] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    tagged: set[Version] = field(default_factory=set)  # what the operator tagged: consumed
    run_facts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def green(self) -> bool:
        return bool(self.reports) and self.reports[-1].passed


def rehearse_machine(machine: Machine, progress: Progress) -> dict[str, Any]:
    """The whole machine; the report's data (release.reporting.journey), its exit code inside."""
    started, plan = time.monotonic(), machine.plan
    config = load_config(plan.project)
    fail_at = inject.parse(machine.fail_at, config.pythons) if machine.fail_at else None
    home = claim(plan.project / STATE_DIR) / REHEARSAL  # the state ignores itself in git
    shutil.rmtree(home, ignore_errors=True)  # fresh indexes and registry: it starts from nothing
    driven = _Driven(machine, home, config, progress, fail_at)
    bumped = None
    with _kept_up(driven):
        with contextlib.suppress(Interrupted):
            base = release_version(config, plan.tag, plan.project).base
            rc = next_version(Kind.RC, base, _consumed(driven))
            bumped = str(rc)
            _drive(driven, rc)
        facts, drift = _audit(driven, config.name)
    path = derive(driven.runs, bumped)
    code = _exit_code(driven, path.visits[-1].state if path.visits else None)
    return journey(
        "rehearse (the whole release state machine)", driven.runs, path, facts,
        driven.run_facts, exit_code=code, seconds=time.monotonic() - started,
        injected=machine.fail_at or "", drift=drift,
    )  # fmt: skip


@contextlib.contextmanager
def _kept_up(driven: _Driven) -> Iterator[None]:
    """The stand-ins up for the whole rehearsal rather than started and stopped per lane and
    stage: the indexes, and for a project with images or an E2E stack the registry and the
    engine, whose base image is made beside the rc lane's cells when it is missing. What they
    hold is this rehearsal's alone (`home` starts empty). One that cannot start is left to the
    stage that needs it, which says why (or skips)."""
    settings, home = driven.config.settings, driven.home
    with contextlib.ExitStack() as stack:
        # Waited for at the first upload: the first version check and build go on meanwhile.
        stack.enter_context(local_indexes(home / "indexes", driven.progress, lazily=True))
        if settings.images is not None or settings.e2e is not None:
            with contextlib.suppress(ToolMissing, RegistryUnavailable):
                stack.enter_context(local_registry(home / "registry", driven.progress))
            with contextlib.suppress(EngineUnavailable):
                engine = stack.enter_context(open_engine(home / "docker", driven.progress))
                made = home / "base-image.log"
                stack.callback(_beside(lambda: ensure_base(engine, driven.progress, log_to=made)))
        yield


def _beside(work: Callable[[], object]) -> Callable[[], None]:
    """`work` started on a thread of its own; returns the join. A failure is left to the stage
    that needs the work done: it does it again and reports it."""

    def quietly() -> None:
        with contextlib.suppress(Exception):
            work()

    thread = threading.Thread(target=quietly, name="beside", daemon=True)
    thread.start()
    return thread.join


def _drive(driven: _Driven, rc: ReleaseVersion) -> None:
    """rc → (fix forward once when the failure was injected) → final → (post fix)."""
    _lane(driven, Target.TESTPYPI, rc, f"bumped to {rc} and tagged {rc.tag}")
    if not driven.green() and driven.runs[-1].injected:
        rc2 = successor(rc, _consumed(driven))
        _lane(driven, Target.TESTPYPI, rc2, f"{rc} failed: fix forward to {rc2}, never {rc}")
    if not driven.green():
        return
    final = next_version(Kind.FINAL, rc.base, _consumed(driven))
    _lane(driven, Target.PYPI, final, f"{driven.runs[-1].version} is green: tag {final.tag}")
    if driven.green() and driven.machine.post_fix:
        post = next_version(Kind.POST, rc.base, _consumed(driven))
        _lane(driven, Target.PYPI, post, f"--post-fix: a fix after publication ships as {post}")
    elif not driven.green() and driven.runs[-1].injected:
        post = successor(final, _consumed(driven))
        _lane(driven, Target.PYPI, post, f"{final} failed: fix forward to {post}")


def _lane(driven: _Driven, target: Target, version: ReleaseVersion, why: str) -> None:
    """One lane on a fresh copy set to `version`; the --fail-at goes to the first lane that
    has its stage."""
    fail_at = driven.pending
    if fail_at is not None and fail_at[0] in {s.name for s in LANES[target]}:
        driven.pending = None
    else:
        fail_at = None
    name = _name(version)
    driven.tagged.add(version.version)  # its tag is pushed: the version is consumed from now on
    part = part_at(driven.machine.plan, driven.home / f"src-{name}", target, version, name, fail_at)
    started = time.monotonic()
    report = run_part(driven.machine.plan, driven.home, part, driven.progress)
    took = time.monotonic() - started
    injected = (driven.machine.fail_at if fail_at else "") or ""
    driven.runs.append(LaneRun(name, target, str(version), report.outcomes, why, injected, took))
    driven.reports.append(report)
    driven.run_facts[name] = {"indexes": report.facts.get("indexes", {}),
                              **report.facts.get(name, {})}  # fmt: skip


def _name(version: ReleaseVersion) -> str:
    """rc1, rc2, final, post1: the run's name in the report and its logs' directory."""
    rest = str(version).removeprefix(str(version.base)).lstrip(".")
    return rest or "final"


@contextlib.contextmanager
def _stand_ins(driven: _Driven) -> Iterator[Any]:
    # The rehearsal's own dependency index: STAGING here was refused once runs checked it.
    plan = driven.machine.plan
    options = Options(Mode.LOCAL, plan.dependency_index, state=driven.home, repo=driven.home)
    with open_run(driven.config, options, driven.progress) as run:
        yield run


def _consumed(driven: _Driven) -> frozenset[Version]:
    """What both local indexes list and what was tagged: the operator's `next` reads the same.
    Nothing tagged yet, nothing uploaded: the indexes, fresh, are not asked (nor waited for)."""
    if not driven.tagged:
        return frozenset()
    with _stand_ins(driven) as run:
        return consumed_versions(run, driven.config.name) | frozenset(driven.tagged)


def _audit(driven: _Driven, name: str) -> tuple[dict[str, Any], list[str] | None]:
    """After the last lane, with the stand-ins opened once: every rc's files still on the
    staging index (a version is never reused), where every image tag the rehearsal pushed points
    now, and the drift `staged-release status` finds there, against the tags the rehearsal made
    (each lane tagged its own copy: no one repository holds them all). None: nothing was read."""
    if not driven.runs or runner.CANCEL.signum:
        return {}, None
    with _stand_ins(driven) as run:
        staging = sorted(f.filename for f in run.listing(run.index(STAGING), name))
        images = _image_tags(driven, run.http)
        drift = drift_lines(run, tagged=driven.tagged)
    return {"staging_files": staging, "image_tags": images}, drift


def _image_tags(driven: _Driven, http: httpx.Client) -> list[dict[str, Any]]:
    """Each pushed tag: the digest it got, the digest it holds now, and whether it moved
    (`latest` should, to the newest release; a version tag never)."""
    pushed = [(r.name, p) for r in driven.runs for p in published(driven.run_facts[r.name])]
    if not pushed:
        return []
    rows = []
    with local_registry(driven.home / "registry", driven.progress) as address:
        registry = Registry(address, http=http)
        for run, image in pushed:
            for ref in image["tags"]:
                repo, _, tag = ref.partition("/")[2].rpartition(":")
                now = registry.manifest_digest(repo, tag)
                rows.append({"run": run, "tag": f"{repo}:{tag}", "pushed": image["digest"],
                             "now": now, "moved": now != image["digest"]})  # fmt: skip
    return rows


def _exit_code(driven: _Driven, last: State | None) -> int:
    if runner.CANCEL.signum:
        return 128 + runner.CANCEL.signum
    if last == DONE:
        return 0
    failed = [r.exit_code for r in driven.reports if not r.passed]
    return failed[-1] if failed else 1
