"""`staged-release rehearse --workflow`: the project's release workflow run under act, one
event after another, on stand-ins started once and stopped after.

With no event named, it does what a maintainer does: tag the rc at HEAD and push it, then (the rc
lane green) tag the final and push that — on the same commit when the version comes from the
tag, else on the commit that sets it (a static version is written and committed, as `bump`
would). Each event's jobs, logs and results go into the report; the indexes and registry are
audited against what the `build` job made.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from release.config.project import Config, load_config, read_lock_version
from release.context import STATE_DIR, claim
from release.core import interpreters
from release.core.errors import ConfigError, UsageError
from release.core.progress import Progress
from release.github.workflow import PATH as WORKFLOW
from release.index.profiles import RELEASE, STAGING
from release.pipeline import inject
from release.pipeline.entry import release_version
from release.pipeline.stages import STAGES, Needs
from release.rehearsals.workflow import _act, audit, jobs, results, scratch, sequence, stand_ins
from release.rehearsals.workflow.events import Event, Kind, Repository, payload
from release.rehearsals.workflow.stand_ins import Credentials
from release.rehearsals.workflow.trusted import LIFETIME, IndexFront, Publisher, Workflow

HOME = "workflow"  # under the state directory: the scratch repository, stand-ins, artifacts
ACTOR = "rehearsal"


@dataclass(frozen=True)
class WorkflowPlan:
    project: Path
    events: tuple[str, ...] = ()  # () = the rc tag's push, then the final's
    inputs: tuple[tuple[str, str], ...] = ()  # a dispatch's inputs
    fail_at: str | None = None
    tag: str | None = None  # the tag the named events send (default: the one at HEAD)
    keep_going: bool = False  # send every event, even after a red one
    owner: str = "rehearsal"  # the GitHub repository it plays: OWNER/<project name>
    credentials: Credentials = field(default_factory=Credentials)


@dataclass
class _Session:
    plan: WorkflowPlan
    config: Config
    home: Path
    repo: Path
    workflow: Path
    job_list: list[jobs.Job]
    actions: dict[str, Path]
    repository: Repository
    progress: Progress
    fail_at: tuple[str, str] | None  # --fail-at, parsed: (stage, cell)
    events: list[dict[str, Any]] = field(default_factory=list)


def rehearse_workflow(plan: WorkflowPlan, progress: Progress) -> dict[str, Any]:
    """Every event through act; the report's data, its exit code inside."""
    started = time.monotonic()
    session = _prepare(plan, progress)
    timing = plan.credentials
    wanted = stand_ins.Wanted(
        _has_docker(session.job_list), *_trusted(session),
        lifetime=timing.lifetime or LIFETIME, clock_step=timing.clock_step or 0.0,
        repository=session.repository.full_name,
    )  # fmt: skip
    with stand_ins.running(session.home, wanted, progress) as found:
        for event in _events(session):
            outcome = _run_event(session, found, event)
            if not (outcome["passed"] or plan.keep_going):
                break
        checked = audit.audit(session.home, found, session.config.name, session.events)
    passed = all(e["passed"] for e in session.events) and all(c["ok"] for c in checked)
    return {
        "title": f"rehearse --workflow ({WORKFLOW} under act)", "passed": passed,
        "exit_code": 0 if passed else 1, "seconds": time.monotonic() - started,
        "project": session.config.name, "workflow": str(WORKFLOW),
        "repository": session.repository.full_name, "injected": plan.fail_at or "",
        "events": session.events, "audit": checked,
        "exchanges": results.exchanges(found.record), "github": _github(found),
    }  # fmt: skip


def _prepare(plan: WorkflowPlan, progress: Progress) -> _Session:
    """Everything checked before anything starts: the workflow, its actions, the injection."""
    from release.rehearsals.workflow import actions

    config = load_config(plan.project)
    path = plan.project / WORKFLOW
    if not path.is_file():
        raise ConfigError(f"{path} does not exist", hint="write it with `staged-release workflow`")
    text = path.read_text("utf-8")
    job_list = jobs.read_jobs(text, str(path))
    served = actions.local_repositories(text, str(path))  # refuses an action with no stand-in
    fail_at = _check_fail_at(plan, config)
    _warn_missing_pythons(config, progress)
    if any(":" not in spec for spec in plan.events):  # before anything starts: a missing tag
        sequence.default_tag(plan.project, plan.tag, plan.events)  # is bad input, not a red run
    if plan.events:  # every job's version check reads uv.lock
        read_lock_version(config.root, config.name)
    else:  # the default events tag the project's version (read with uv.lock's): it must be one
        release_version(config, sequence.head_tag(plan.project), plan.project)
    home = claim(plan.project / STATE_DIR) / HOME
    shutil.rmtree(home, ignore_errors=True)
    repository = Repository(plan.owner, config.name)
    repo = scratch.make(plan.project, home / "repo", repository)
    return _Session(plan, config, home, repo, repo / WORKFLOW, job_list, served, repository,
                    progress, fail_at)  # fmt: skip


def _warn_missing_pythons(config: Config, progress: Progress) -> None:
    """On GitHub setup-python downloads any Python; here a job asking for one this machine lacks
    fails as setup-python would without it. Say so before anything runs."""
    found = interpreters.installed(config.pythons, os.environ)
    missing = [p for p in config.pythons if p not in found]
    if missing:
        progress(
            f"warning: this machine has no Python {', '.join(missing)}, which the workflow's "
            "setup-python steps ask for: those jobs will fail here (as setup-python without a "
            f"download would); install them (pyenv install {missing[0]}) or narrow "
            "[tool.staged-release] pythons"
        )


def _check_fail_at(plan: WorkflowPlan, config: Config) -> tuple[str, str] | None:
    """--fail-at's stage and cell; a UsageError unless it names a cell (a per-Python stage)."""
    if plan.fail_at is None:
        return None
    stage, cell = inject.parse(plan.fail_at, config.pythons)
    if not STAGES[stage].per_python:
        cells = ", ".join(name for name, s in STAGES.items() if s.per_python)
        raise UsageError(
            f"--fail-at {plan.fail_at}: under --workflow a failure is injected into a cell",
            hint=f"name a per-Python stage: {cells}",
        )
    return stage, cell


def _has_docker(job_list: Sequence[jobs.Job]) -> bool:
    docker = {n for n, s in STAGES.items() if s.needs in (Needs.E2E, Needs.IMAGES)}
    return any(job.id in docker for job in job_list)


def _trusted(session: _Session) -> tuple[Workflow, tuple[IndexFront, ...]]:
    """What GitHub knows of the jobs, and the publishers registered on both indexes: this
    repository's release workflow, in the environment its upload job names (as the README asks
    a maintainer to register them)."""
    listed = session.job_list
    workflow = Workflow(
        WORKFLOW.name,
        {job.id: job.environment for job in listed if job.environment},
        frozenset(job.id for job in listed if job.permissions.get("id-token") == "write"),
    )
    publisher = {role: Publisher(session.repository.full_name, WORKFLOW.name, role)
                 for role in (STAGING, RELEASE)}  # fmt: skip
    fronts = tuple(
        IndexFront(role, None, f"pypi-{secrets.token_urlsafe(24)}")  # a token secret instead
        if role in session.plan.credentials.no_publisher
        else IndexFront(role, publisher[role])
        for role in (STAGING, RELEASE)
    )
    return workflow, fronts


def _events(session: _Session) -> Iterator[Event]:
    plan = session.plan
    return sequence.events(session.config, plan.project, session.repo, plan.events, plan.tag,
                           dict(plan.inputs))  # fmt: skip


def _run_event(session: _Session, found: stand_ins.Running, event: Event) -> dict[str, Any]:
    number = len(session.events) + 1
    folder = session.home / f"event-{number}"
    folder.mkdir(parents=True)
    session.progress.doing(f"act: {event.label}")
    scratch.check_out(session.repo, event.tag)
    started = time.monotonic()
    assert found.github is not None  # always running: every event is a run it lists
    head = session.repository.default_branch if event.kind is Kind.DISPATCH else event.tag
    run_id = found.github.runs.begin(event.act_name, head)
    env = stand_ins.job_environment(
        found, session.home / "tools", session.repo, folder, session.fail_at
    )
    code = _act.run(_act.program(), _invocation(session, event, folder, run_id), env,
                    folder / "act.log", session.progress)  # fmt: skip
    scratch.back_to_branch(session.repo, session.repository.default_branch)
    seconds = time.monotonic() - started
    outcome = results.event_entry(number, event, folder, code, seconds, session.job_list)
    session.events.append(outcome)
    found.github.runs.end(run_id, outcome["passed"])
    return outcome


def _invocation(session: _Session, event: Event, folder: Path, run_id: int) -> _act.Invocation:
    body = payload(event, session.repository, ACTOR)
    (folder / "event.json").write_text(json.dumps(body, indent=2), "utf-8")
    return _act.Invocation(
        event.act_name, folder / "event.json", session.workflow, session.repo,
        folder / "act-cache", session.actions, ACTOR, run_id,
    )  # fmt: skip


def _github(found: stand_ins.Running) -> dict[str, Any]:
    """What GitHub's API stand-in held: the runs it listed to the jobs, the Releases made."""
    if found.github is None:
        return {"runs": [], "releases": []}
    return {"runs": found.github.runs.listed(None, None),
            "releases": list(found.github.releases.entries)}  # fmt: skip
